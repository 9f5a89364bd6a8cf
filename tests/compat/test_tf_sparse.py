"""`tf.SparseTensor` and `tf.sparse`: results and printouts as TensorFlow 2.21 gives them
(recorded from `/work/venv-ref`)."""

import pytest

from tests.compat.tf_fixture import tf  # noqa: F401  (fixture)


def test_sparse_tensor_parts_and_repr(tf):  # noqa: F811
    st = tf.sparse.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 4])
    assert tf.SparseTensor is tf.sparse.SparseTensor
    assert st.shape == (3, 4) and st.dtype == "int32"
    assert st.indices.numpy().tolist() == [[0, 0], [1, 2]] and st.dense_shape.numpy().tolist() == [3, 4]
    assert repr(st) == (
        "SparseTensor(indices=tf.Tensor(\n[[0 0]\n [1 2]], shape=(2, 2), dtype=int64), "
        "values=tf.Tensor([1 2], shape=(2,), dtype=int32), dense_shape=tf.Tensor([3 4], shape=(2,), dtype=int64))"
    )
    assert tf.sparse.to_dense(st).numpy().tolist() == [[1, 0, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]]
    assert tf.sparse.to_dense(st, default_value=-1).numpy().tolist() == [[1, -1, -1, -1], [-1, -1, 2, -1]] + [[-1] * 4]
    with pytest.raises(ValueError, match="indices.*values"):
        tf.SparseTensor([[0, 0]], [1, 2], [2, 2])


def test_reorder_from_dense_add_matmul_reduce(tf):  # noqa: F811
    unordered = tf.SparseTensor(indices=[[1, 2], [0, 0]], values=[1, 2], dense_shape=[3, 4])
    ordered = tf.sparse.reorder(unordered)
    assert ordered.indices.numpy().tolist() == [[0, 0], [1, 2]] and ordered.values.numpy().tolist() == [2, 1]
    other = tf.SparseTensor([[0, 0], [2, 3]], [10, 20], [3, 4])
    total = tf.sparse.add(ordered, other)
    assert total.indices.numpy().tolist() == [[0, 0], [1, 2], [2, 3]] and total.values.numpy().tolist() == [12, 1, 20]
    dense_sum = tf.sparse.add(ordered, tf.ones((3, 4), tf.int32))
    assert dense_sum.numpy().tolist() == [[3, 1, 1, 1], [1, 1, 2, 1], [1, 1, 1, 1]]
    from_dense = tf.sparse.from_dense(tf.constant([[0.0, 1.5], [2.0, 0.0]]))
    assert from_dense.indices.numpy().tolist() == [[0, 1], [1, 0]] and from_dense.values.numpy().tolist() == [1.5, 2]
    diagonal = tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 2])
    matrix = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert tf.sparse.sparse_dense_matmul(diagonal, matrix).numpy().tolist() == [[1, 2], [6, 8]]
    assert tf.sparse.sparse_dense_matmul(diagonal, matrix, adjoint_b=True).numpy().tolist() == [[1, 3], [4, 8]]
    assert tf.sparse.reduce_sum(ordered, axis=1).numpy().tolist() == [2, 1, 0]


def test_ragged_stays_refused_with_a_clear_error(tf):  # noqa: F811
    with pytest.raises(NotImplementedError, match="tf.ragged.*pad_sequences"):
        tf.ragged.constant([[1], [2, 3]])
