"""`tf.size` / `tf.rank` / `tf.shape`, `tf.slice` and the `tensor_scatter_nd_*` family.

Expected values were recorded from TensorFlow 2.21 (`/work/venv-ref`)."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite.compat.tensorflow.eager import EagerTensor
from tests.compat.tf_fixture import tf  # noqa: F401  (fixture)


def test_size_and_rank_are_int32_scalar_tensors(tf):  # noqa: F811
    t = tf.zeros([3, 2, 4, 5])
    size, rank = tf.size(t), tf.rank(t)
    assert isinstance(size, EagerTensor) and size.dtype == torch.int32 and size.ndim == 0
    assert size.numpy() == 120 and rank.numpy() == 4 and rank.dtype == torch.int32
    assert tf.size(t, out_type=tf.int64).dtype == torch.int64
    assert repr(tf.rank(t)) == "tf.Tensor(4, shape=(), dtype=int32)"  # TensorFlow's repr
    assert int(tf.size(t) + tf.size(t)) == 240


def test_shape_is_a_tuple_that_answers_numpy(tf):  # noqa: F811
    shape = tf.shape(tf.ones((2, 3)))
    assert shape == (2, 3) and shape[0] == 2
    assert shape.numpy().dtype == np.int32 and shape.numpy().tolist() == [2, 3]
    assert tf.zeros(shape).shape == (2, 3)


def test_shape_functions_on_keras_tensors_stay_symbolic(tf):  # noqa: F811
    x = keras.Input((None, 4))
    assert tf.shape(x) == (None, None, 4) and tf.rank(x) == 3 and tf.size(x) is None


def test_slice_takes_begin_and_size_with_minus_one(tf):  # noqa: F811
    t = tf.constant([[1.0, 5, 3], [4, 2, 6]])
    assert tf.slice(t, [0, 1], [2, -1]).numpy().tolist() == [[5.0, 3.0], [2.0, 6.0]]
    assert tf.slice(t, tf.constant([1, 0]), [1, 2]).numpy().tolist() == [[4.0, 2.0]]
    assert tf.slice(tf.range(10), [3], [4]).numpy().tolist() == [3, 4, 5, 6]


@pytest.mark.parametrize(
    "kind, expected",
    [  # TensorFlow 2.21's results (duplicate index [0, 1] gets 10 and 0.5)
        ("update", [[1.0, 0.5, 3.0], [4.0, 2.0, -1.0]]),
        ("add", [[1.0, 15.5, 3.0], [4.0, 2.0, 5.0]]),
        ("sub", [[1.0, -5.5, 3.0], [4.0, 2.0, 7.0]]),
        ("min", [[1.0, 0.5, 3.0], [4.0, 2.0, -1.0]]),
        ("max", [[1.0, 10.0, 3.0], [4.0, 2.0, 6.0]]),
    ],
)
def test_tensor_scatter_nd_family(tf, kind, expected):  # noqa: F811
    t = tf.constant([[1.0, 5, 3], [4, 2, 6]])
    result = getattr(tf, f"tensor_scatter_nd_{kind}")(t, tf.constant([[0, 1], [1, 2], [0, 1]]), [10.0, -1, 0.5])
    assert isinstance(result, EagerTensor) and result.numpy().tolist() == expected


def test_tensor_scatter_nd_min_max_on_slices_and_ints(tf):  # noqa: F811
    t = tf.constant([[1.0, 5, 3], [4, 2, 6]])
    assert tf.tensor_scatter_nd_max(t, [[1]], [[0.0, 9, 0]]).numpy().tolist() == [[1, 5, 3], [4, 9, 6]]
    ints = tf.tensor_scatter_nd_min(tf.constant([1, 2, 3, 4]), [[0], [3], [0]], [0, 1, -5])
    assert ints.numpy().tolist() == [-5, 2, 3, 1]
