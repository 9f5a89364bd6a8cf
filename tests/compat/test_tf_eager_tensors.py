"""What TF-2-era code does with the tensors it gets: `.numpy()` on model outputs that
require grad, NumPy functions, lists and arrays as operands, TensorFlow's device names."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite.compat.tensorflow.eager import EagerTensor
from tests.compat.tf_fixture import tf  # noqa: F401  (fixture)


def test_model_outputs_are_eager_tensors_that_convert_to_numpy(tf):  # noqa: F811
    model = keras.Sequential([keras.layers.Dense(2)])
    out = model(np.ones((4, 3), "float32"))
    assert isinstance(out, EagerTensor) and out.requires_grad
    assert out.numpy().shape == (4, 2)
    assert out[0].numpy().shape == (2,)
    assert np.mean(out, axis=0).shape == (2,)
    assert np.asarray(out).shape == (4, 2)


def test_inner_layer_calls_stay_plain_and_gradients_flow(tf):  # noqa: F811
    seen = []

    class Probe(keras.layers.Layer):
        def call(self, x):
            seen.append(type(x))
            return x * 2

    model = keras.Sequential([keras.layers.Dense(2), Probe()])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(np.ones((4, 3), "float32")) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    assert seen[-1] is torch.Tensor  # (earlier calls: shape inference on fake tensors)
    assert all(g is not None and g.shape == v.shape for g, v in zip(grads, model.trainable_variables))


def test_variable_operators_take_lists_and_give_eager_tensors(tf):  # noqa: F811
    w = tf.Variable(tf.ones((3, 2)), name="w")
    b = tf.Variable(tf.zeros(2, dtype=tf.float32), name="b")
    y = [[1.0, 2.0, 3.0]] @ w + b
    assert isinstance(y, EagerTensor) and y.numpy().tolist() == [[6.0, 6.0]]
    scale = tf.Variable(5.0)
    assert (scale * 3.0 + 1.0).numpy() == 16.0
    assert (np.ones(2, "float32") - b).numpy().tolist() == [1.0, 1.0]
    assert isinstance(keras.Variable(1.0), tf.Variable) and isinstance(w, keras.Variable)


def test_eager_tensor_arithmetic_and_numpy_functions(tf):  # noqa: F811
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    squared = x**2
    assert isinstance(squared, EagerTensor)
    assert np.mean(squared, axis=0).tolist() == [5.0, 10.0]
    assert ([1.0, 1.0] + x).numpy().tolist() == [[2.0, 3.0], [4.0, 5.0]]
    assert (np.ones((2, 2), "float32") @ x).numpy().tolist() == [[4.0, 6.0], [4.0, 6.0]]
    assert isinstance(-x, EagerTensor) and isinstance(x[0], EagerTensor)


def test_device_reads_as_tensorflow_names_it_and_works_in_torch(tf):  # noqa: F811
    x = tf.random.uniform([2, 2])
    assert x.device.endswith("CPU:0") and str(x.device).startswith("/job:localhost/")
    assert x.device.type == "cpu" and x.device == torch.device("cpu")
    assert torch.zeros(1, device=x.device).device.type == "cpu"


def test_batch_jacobian_and_unconnected_gradients(tf):  # noqa: F811
    x = tf.random.normal([4, 3])
    layer = tf.keras.layers.Dense(5, activation="tanh")
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = layer(x)
    per_example = tape.batch_jacobian(y, x)
    full = tape.jacobian(y, x)
    assert per_example.shape == (4, 5, 3)
    np.testing.assert_allclose(per_example.numpy(), torch.einsum("bibj->bij", full).numpy(), rtol=1e-6)
    a, c = tf.Variable([2.0, 2.0]), tf.Variable(3.0)
    with tf.GradientTape() as tape:
        z = c**2
    assert tape.gradient(z, a, unconnected_gradients=tf.UnconnectedGradients.ZERO).numpy().tolist() == [0.0, 0.0]


def test_tf_test_and_config_device_questions(tf):  # noqa: F811
    assert tf.test.is_gpu_available() == torch.cuda.is_available()
    assert tf.test.is_built_with_cuda() == (torch.version.cuda is not None)
    assert tf.test.gpu_device_name() in ("", "/device:GPU:0")
    tf.config.experimental_run_functions_eagerly(True)
    assert tf.config.functions_run_eagerly()
    with pytest.raises(NotImplementedError, match="tf.test.no_such_thing"):
        tf.test.no_such_thing  # noqa: B018


def test_augmented_assignment_binds_a_new_tensor(tf):  # noqa: F811
    img = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(img)
        loss = tf.reduce_sum(img**2)
    grads = tape.gradient(loss, img)
    before = img
    img += 0.5 * grads  # TensorFlow: a new tensor, the watched one unchanged
    assert img.numpy().tolist() == [2.0, 4.0] and before.numpy().tolist() == [1.0, 2.0]


def test_two_tapes_over_one_computation(tf):  # noqa: F811
    # A GAN's train step: generator and discriminator tapes record together, then each
    # takes its gradient.
    g = tf.Variable(2.0)
    d = tf.Variable(3.0)
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        loss = (g * d) ** 2
    assert float(gen_tape.gradient(loss, g)) == 2 * 6.0 * 3.0
    assert float(disc_tape.gradient(loss, d)) == 2 * 6.0 * 2.0


def test_scalar_numpy_is_a_hashable_numpy_scalar(tf):  # noqa: F811
    index = tf.argmax(tf.constant([0.1, 0.7, 0.2])).numpy()
    assert {1: "word"}[index] == "word" and isinstance(index, np.integer)


@pytest.mark.parametrize(
    "index",
    [
        np.s_[::-1],
        np.s_[5:1:-2],
        np.s_[-2::-3],
        np.s_[1:5:-1],
        np.s_[..., ::-2],
        np.s_[None, ::-1, 1, 4:0:-3],
        np.s_[:, ::-1],
        np.s_[[0, 2], ::-1],
    ],
)
def test_negative_step_slices_index_as_numpy_does(tf, index):  # noqa: F811
    array = np.arange(60).reshape(3, 4, 5)
    tensor = tf.constant(array)
    expected = array[index]
    result = tensor[index]
    assert isinstance(result, EagerTensor)
    np.testing.assert_array_equal(result.numpy(), expected)


def test_negative_step_slices_of_vectors_and_variables(tf):  # noqa: F811
    values = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    t = tf.constant(values)
    assert t[::-1].numpy().tolist() == values[::-1]
    assert t[5:1:-2].numpy().tolist() == values[5:1:-2]
    v = tf.Variable([1.0, 2.0, 3.0])
    assert v[::-1].numpy().tolist() == [3.0, 2.0, 1.0]


def test_array_protocol_gives_ndarrays_for_every_rank_and_dtype(tf):  # noqa: F811
    scalars = [tf.constant(1.5), tf.constant(2.5)]
    assert np.asarray(scalars).tolist() == [1.5, 2.5]
    for value in (tf.constant(3), tf.constant(True), tf.constant([1, 2]), tf.ones((2, 2), tf.float64)):
        array = value.__array__()
        assert isinstance(array, np.ndarray) and array.shape == tuple(value.shape)
    assert np.asarray(tf.constant(3), dtype="float32").dtype == np.float32
    copied = tf.constant([1.0, 2.0]).__array__(dtype=None, copy=True)
    assert isinstance(copied, np.ndarray)
    assert np.atleast_1d(tf.constant(4.0)).tolist() == [4.0]  # what matplotlib's plot() does


def test_rows_of_an_output_that_requires_grad_convert_to_numpy(tf):  # noqa: F811
    # `plt.bar(names, tf.nn.softmax(model(x))[0])`: matplotlib iterates the tensor and asks
    # NumPy for each element's value.
    model = keras.Sequential([keras.layers.Dense(3)])
    probabilities = tf.nn.softmax(model(np.ones((2, 4), "float32")))
    rows = list(probabilities)
    assert all(isinstance(row, EagerTensor) and row.requires_grad for row in rows)
    assert [np.asarray(value).shape for value in rows[0]] == [(), (), ()]
    np.testing.assert_allclose(np.asarray(rows).sum(axis=-1), [1.0, 1.0], rtol=1e-6)
    with pytest.raises(TypeError, match="scalar tensor"):
        iter(tf.constant(1.0))


def test_loss_functions_called_by_the_script_give_eager_tensors(tf):  # noqa: F811
    # `threshold = np.mean(tf.keras.losses.mae(a, b)) + np.std(...)` (NumPy calls the
    # tensor's own `mean(axis=, dtype=, out=)`).
    a, b = np.zeros((4, 3), "float32"), np.arange(12, dtype="float32").reshape(4, 3)
    loss = tf.keras.losses.mae(a, b)
    assert isinstance(loss, EagerTensor)
    np.testing.assert_allclose(np.mean(loss), 5.5)
    np.testing.assert_allclose(np.std(loss), np.std([1.0, 4.0, 7.0, 10.0]))
    # The losses and metrics built on the functions call them unwrapped (no per-step wrap).
    per_sample = keras.losses.MeanAbsoluteError()._per_sample_fn
    assert per_sample is keras.losses.mae._keras_per_sample_function
    assert keras.losses.get("mae") is keras.losses.mean_absolute_error
