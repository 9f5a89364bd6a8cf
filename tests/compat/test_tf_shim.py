"""The TensorFlow shim (`import tensorflow as tf` under keraslite's aliases)."""

import importlib

import numpy as np
import pytest
import torch

import keraslite
from keraslite.compat import install_aliases, uninstall_aliases
from keraslite.graph import display


@pytest.fixture(scope="module")
def tf():
    install_aliases()
    try:
        module = importlib.import_module("tensorflow")
        yield module
    finally:
        display.set_display_types(tuple, str)
        uninstall_aliases()


def np_of(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def test_namespaces_alias_keraslite(tf):
    from tensorflow import keras
    from tensorflow.keras import layers
    from tensorflow.keras.models import Model

    assert tf.keras is keraslite and keras is keraslite
    assert layers is keraslite.layers and Model is keraslite.Model
    assert tf.keras.layers.Dense is keraslite.layers.Dense


def test_dtypes_print_as_tensorflow_and_stay_strings(tf):
    assert repr(tf.float32) == "tf.float32"
    assert tf.float32 == "float32" and tf.float32 == torch.float32 and tf.float32 == np.float32
    assert tf.int32 != tf.float32 and tf.float32.is_floating and tf.int64.is_integer
    assert tf.as_dtype("float64") is not None and tf.as_dtype(np.int32) == tf.int32
    assert {tf.float32: 1}["float32"] == 1


def test_tensor_shape_prints_as_tensorflow_and_is_a_tuple(tf):
    shape = tf.TensorShape([None, 784])
    assert repr(shape) == "TensorShape([None, 784])" and str(shape) == "(None, 784)"
    assert shape == (None, 784) and shape[1] == 784 and shape.as_list() == [None, 784]
    assert repr(shape[1:]) == "TensorShape([784])" and shape.rank == 2
    assert not shape.is_fully_defined() and tf.TensorShape([2, 3]).num_elements() == 6


def test_keras_input_shows_tensorshape_and_tf_dtype(tf):
    inputs = tf.keras.Input(shape=(784,))
    assert repr(inputs.shape) == "TensorShape([None, 784])"
    assert repr(inputs.dtype) == "tf.float32"
    assert inputs.shape == (None, 784) and inputs.dtype == "float32"


def test_seed_custom_rnn_prints_and_runs(tf, capsys):
    from tensorflow.keras import layers

    keras = tf.keras
    units, timesteps, input_dim, batch_size = 32, 10, 5, 16
    inputs = keras.Input((None, units))
    x = layers.GlobalAveragePooling1D()(inputs)
    classifier = keras.Model(inputs, layers.Dense(1)(x))

    class CustomRNN(layers.Layer):
        def __init__(self, classifier):
            super().__init__()
            self.units = units
            self.projection_1 = layers.Dense(units=units, activation="tanh")
            self.projection_2 = layers.Dense(units=units, activation="tanh")
            self.classifier = classifier

        def call(self, inputs):
            outputs = []
            state = tf.zeros(shape=(inputs.shape[0], self.units))
            for t in range(inputs.shape[1]):
                h = self.projection_1(inputs[:, t, :])
                y = h + self.projection_2(state)
                state = y
                outputs.append(y)
            features = tf.stack(outputs, axis=1)
            print(features.shape)
            return self.classifier(features)

    result = CustomRNN(classifier)(tf.zeros((1, timesteps, input_dim)))
    assert capsys.readouterr().out == "(1, 10, 32)\n"
    assert tuple(result.shape) == (1, 1)

    # Inside a functional model with a static batch size (the seed's second CustomRNN).
    functional_inputs = keras.Input(batch_shape=(batch_size, timesteps, input_dim))
    features = layers.Conv1D(32, 3)(functional_inputs)
    outputs = CustomRNN(layers.Dense(1))(features)
    model = keras.Model(functional_inputs, outputs)
    capsys.readouterr()
    assert tuple(outputs.shape) == (16, 8, 1)
    assert tuple(model(np.ones((16, 10, 5), "float32")).shape) == (16, 8, 1)


def test_eager_tensors_read_like_tensorflow(tf):
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert str(x.shape) == "(2, 2)" and x.dtype == torch.float32
    assert repr(x).startswith("tf.Tensor(") and "shape=(2, 2), dtype=float32" in repr(x)
    y = x * 2 + 1  # operators give eager tensors, as in TensorFlow
    assert type(y) is type(x) and y.numpy().tolist() == [[3.0, 5.0], [7.0, 9.0]]
    assert type(torch.add(x, 1)) is torch.Tensor  # torch functions give plain tensors: no spreading into models
    assert isinstance(x, tf.Tensor) and isinstance(y, tf.Tensor) and tf.is_tensor(x)
    w = tf.Variable(tf.ones((2, 2)))
    assert w.requires_grad and np_of(w.numpy()).sum() == 4
    assert tf.constant(1).dtype == torch.int32 and tf.constant(1.0).dtype == torch.float32
    np.testing.assert_array_equal(tf.constant(3.0, shape=(2,)).numpy(), [3.0, 3.0])


A = np.arange(12, dtype="float32").reshape(3, 4) / 3.0 - 1.5
B = np.linspace(-2, 2, 12, dtype="float32").reshape(3, 4)


def _cases(tf):
    return [
        ("matmul", tf.matmul(A, B.T), A @ B.T),
        ("matmul_transpose_b", tf.matmul(A, B, transpose_b=True), A @ B.T),
        ("zeros", tf.zeros((2, 3)), np.zeros((2, 3))),
        ("ones", tf.ones([2]), np.ones(2)),
        ("zeros_like", tf.zeros_like(A), np.zeros_like(A)),
        ("ones_like", tf.ones_like(A), np.ones_like(A)),
        ("stack", tf.stack([A, B], axis=1), np.stack([A, B], axis=1)),
        ("concat", tf.concat([A, B], axis=0), np.concatenate([A, B], axis=0)),
        ("reshape", tf.reshape(A, [-1]), A.reshape(-1)),
        ("transpose", tf.transpose(A), A.T),
        ("expand_dims", tf.expand_dims(A, -1), A[..., None]),
        ("squeeze", tf.squeeze(A[None]), A),
        ("cast", tf.cast(A, tf.int32), A.astype("int32")),
        ("reduce_sum", tf.reduce_sum(A, axis=1), A.sum(1)),
        ("reduce_mean", tf.reduce_mean(A), A.mean()),
        ("reduce_max", tf.reduce_max(A, axis=0, keepdims=True), A.max(0, keepdims=True)),
        ("reduce_min", tf.reduce_min(A, 1), A.min(1)),
        ("square", tf.square(A), A**2),
        ("sqrt", tf.sqrt(np.abs(A)), np.sqrt(np.abs(A))),
        ("exp", tf.exp(A), np.exp(A)),
        ("log", tf.math.log(np.abs(A) + 1), np.log(np.abs(A) + 1)),
        ("abs", tf.abs(A), np.abs(A)),
        ("maximum", tf.maximum(A, B), np.maximum(A, B)),
        ("minimum", tf.minimum(A, 0.0), np.minimum(A, 0.0)),
        ("range", tf.range(2, 10, 3), np.arange(2, 10, 3)),
        ("one_hot", tf.one_hot([0, 2], 3), np.eye(3)[[0, 2]]),
        ("one_hot_values", tf.one_hot([1], 2, on_value=5.0, off_value=-1.0), np.array([[-1.0, 5.0]])),
        ("argmax", tf.argmax(A), np.argmax(A, axis=0)),
        ("argmax_axis", tf.math.argmax(A, axis=1), np.argmax(A, axis=1)),
        ("where", tf.where(A > 0, A, B), np.where(A > 0, A, B)),
        ("where_coordinates", tf.where(A > 1), np.argwhere(A > 1)),
        ("clip_by_value", tf.clip_by_value(A, -1.0, 1.0), np.clip(A, -1, 1)),
        ("tile", tf.tile(A, [1, 2]), np.tile(A, (1, 2))),
        ("gather", tf.gather(A, [2, 0]), A[[2, 0]]),
        ("gather_axis", tf.gather(A, [1], axis=1), A[:, [1]]),
        (
            "gather_batch",
            tf.gather(A, [[0], [1], [3]], batch_dims=1),
            np.take_along_axis(A, np.array([[0], [1], [3]]), 1),
        ),
        ("split", tf.split(A, 2, axis=1), np.split(A, 2, axis=1)),
        ("split_sizes", tf.split(A, [1, -1], axis=1), [A[:, :1], A[:, 1:]]),
        ("convert_to_tensor", tf.convert_to_tensor(A), A),
        ("nn.relu", tf.nn.relu(A), np.maximum(A, 0)),
        ("nn.softmax", tf.nn.softmax(A), np.exp(A) / np.exp(A).sum(-1, keepdims=True)),
        ("nn.sigmoid", tf.nn.sigmoid(A), 1 / (1 + np.exp(-A))),
        ("nn.tanh", tf.nn.tanh(A), np.tanh(A)),
        ("math.sigmoid", tf.math.sigmoid(A), 1 / (1 + np.exp(-A))),
        ("math.reduce_std", tf.math.reduce_std(A), A.std()),
        ("math.top_k", tf.math.top_k(A, 2).values, -np.sort(-A, 1)[:, :2]),
        ("math.l2_normalize", tf.math.l2_normalize(A, axis=1), A / np.linalg.norm(A, axis=1, keepdims=True)),
        (
            "nn.sparse_softmax_ce",
            tf.nn.sparse_softmax_cross_entropy_with_logits([0, 1, 2], A),
            -np.log(np.exp(A) / np.exp(A).sum(-1, keepdims=True))[[0, 1, 2], [0, 1, 2]],
        ),
        ("pad", tf.pad(A, [[1, 0], [0, 1]]), np.pad(A, ((1, 0), (0, 1)))),
        ("reverse", tf.reverse(A, [1]), A[:, ::-1]),
        ("fill", tf.fill([2], 3.0), np.full(2, 3.0)),
        ("eye", tf.eye(2), np.eye(2)),
        ("add_n", tf.add_n([A, B, A]), 2 * A + B),
        ("sequence_mask", tf.sequence_mask([1, 3], 4), np.array([[1, 0, 0, 0], [1, 1, 1, 0]], bool)),
        ("boolean_mask", tf.boolean_mask(A, A[:, 0] > -1), A[A[:, 0] > -1]),
        ("einsum", tf.einsum("ij,kj->ik", A, B), A @ B.T),
    ]


def test_tensor_functions_match_numpy(tf):
    for name, result, expected in _cases(tf):
        if isinstance(expected, list):
            for r, e in zip(result, expected):
                np.testing.assert_allclose(np_of(r), e, rtol=1e-5, atol=1e-6, err_msg=name)
            continue
        np.testing.assert_allclose(
            np_of(result).astype("float64"), np.asarray(expected, dtype="float64"), rtol=1e-5, atol=1e-6, err_msg=name
        )
        assert np_of(result).shape == np.shape(expected), name
    assert tf.argmax(A).dtype == torch.int64 and tf.range(3).dtype == torch.int32
    assert tf.shape(A) == (3, 4) and tf.rank(A) == 2 and tf.size(A) == 12


def test_random_functions(tf):
    tf.random.set_seed(0)
    assert tuple(tf.random.normal((2, 3)).shape) == (2, 3)
    assert tf.random.uniform((4,), maxval=5, dtype=tf.int32).dtype == torch.int32
    values = np_of(tf.random.uniform((100,), minval=2.0, maxval=3.0))
    assert values.min() >= 2.0 and values.max() < 3.0
    np.testing.assert_array_equal(np_of(tf.random.normal((3,), seed=4)), np_of(tf.random.normal((3,), seed=4)))


def test_tensor_functions_work_symbolically(tf):
    keras = tf.keras
    a, b = keras.Input((4,)), keras.Input((4,))
    joined = tf.concat([a, b], axis=-1)
    score = tf.reduce_sum(tf.square(joined), axis=-1, keepdims=True)
    gated = tf.nn.sigmoid(tf.matmul(joined, tf.ones((8, 2)))) * tf.cast(score > 1.0, tf.float32)
    assert repr(gated.shape) == "TensorShape([None, 2])"
    model = keras.Model([a, b], [joined, score, gated])
    kinds = {node.op for node in model.graph_module.graph.nodes}
    assert "call_function" in kinds
    out = model([A, B])
    joined_np = np.concatenate([A, B], axis=-1)
    np.testing.assert_allclose(np_of(out[1]), (joined_np**2).sum(-1, keepdims=True), rtol=1e-5)


def test_gradient_tape(tf):
    w = tf.Variable([[1.0], [2.0]])
    x = tf.constant([[3.0, 4.0]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.matmul(x, w) ** 2)
    (grad,) = tape.gradient(loss, [w])
    np.testing.assert_allclose(np_of(grad), 2 * 11.0 * np.array([[3.0], [4.0]]))
    with pytest.raises(RuntimeError, match="non-persistent"):
        tape.gradient(loss, [w])

    constant = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(constant)
        y = constant * constant
        z = y * y
    assert float(tape.gradient(y, constant)) == 6.0 and float(tape.gradient(z, constant)) == 108.0
    unused = tf.Variable([1.0])
    assert tape.gradient(z, [constant, unused])[1] is None

    # The custom-training-loop pattern: gradients in the order of trainable_weights.
    dense = tf.keras.layers.Dense(2)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(dense(A)))
    grads = tape.gradient(loss, dense.trainable_weights)
    assert [tuple(g.shape) for g in grads] == [(4, 2), (2,)]


def test_missing_functions_name_the_keras_ops_equivalent(tf):
    with pytest.raises(NotImplementedError, match=r"tf\.map_fn.*keras\.ops\.map"):
        tf.map_fn
    with pytest.raises(NotImplementedError, match=r"keras\.ops\.cumprod"):
        tf.math.cumprod
    with pytest.raises(NotImplementedError, match=r"tf\.nn\.ctc_loss"):
        tf.nn.ctc_loss
    assert not hasattr(tf, "made_up_function")
    with pytest.raises(ModuleNotFoundError, match="tensorflow.python"):
        importlib.import_module("tensorflow.python.keras")
    assert tf.function(lambda v: v + 1)(1) == 2


def test_tf_data_pipeline_and_custom_training_loop(tf):
    keras = tf.keras
    rng = np.random.default_rng(0)
    x = rng.random((100, 4)).astype("float32")
    y = (x.sum(1) > 2).astype("int64")
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(1024, seed=0).batch(32)
    assert len(dataset) == 4
    batches = list(dataset)
    assert [tuple(b[0].shape) for b in batches] == [(32, 4), (32, 4), (32, 4), (4, 4)]
    assert sorted(np.concatenate([np_of(b[1]) for b in batches]).tolist()) == sorted(y.tolist())
    assert list(tf.data.Dataset.range(5).map(lambda v: v * 2).batch(2).as_numpy_iterator())[0].tolist() == [0, 2]
    assert len(tf.data.Dataset.from_tensor_slices(x).batch(32, drop_remainder=True)) == 3
    assert len(tf.data.Dataset.from_tensor_slices(x).repeat(2).take(150)) == 150

    model = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)])
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model(x[:1])  # builds the weights
    weights_before = [np_of(w).copy() for w in model.trainable_weights]
    optimizer = keras.optimizers.SGD(0.1)
    for x_batch, y_batch in dataset:
        with tf.GradientTape() as tape:
            loss = loss_fn(y_batch, model(x_batch, training=True))
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
    assert any(not np.allclose(b, np_of(w)) for b, w in zip(weights_before, model.trainable_weights))
    model.compile(optimizer="sgd", loss=loss_fn)
    history = model.fit(dataset, epochs=1, verbose=0)
    assert list(history.history) == ["loss"]


def test_indexing_linalg_image_and_custom_gradient(tf):
    np.testing.assert_allclose(np_of(tf.gather_nd(A, [[0, 1], [2, 3]])), A[[0, 2], [1, 3]])
    np.testing.assert_allclose(np_of(tf.gather_nd(A, [[1], [0]])), A[[1, 0]])
    np.testing.assert_allclose(np_of(tf.scatter_nd([[1], [3]], tf.constant([5.0, 6.0]), [4])), [0, 5, 0, 6])
    updated = np_of(tf.tensor_scatter_nd_update(A, [[0, 0]], [9.0]))
    assert updated[0, 0] == 9.0 and np.allclose(updated.ravel()[1:], A.ravel()[1:])
    square = (A[:, :3] @ A[:, :3].T + 3 * np.eye(3)).astype("float32")
    np.testing.assert_allclose(np_of(tf.linalg.inv(square)), np.linalg.inv(square), rtol=1e-4)
    np.testing.assert_allclose(np_of(tf.linalg.matmul(A, B, transpose_b=True)), A @ B.T, rtol=1e-5)
    np.testing.assert_allclose(np_of(tf.linalg.band_part(square, 0, -1)), np.triu(square))
    np.testing.assert_allclose(np_of(tf.linalg.trace(square)), np.trace(square), rtol=1e-5)
    s, u, v = tf.linalg.svd(square)
    np.testing.assert_allclose(np_of(u) @ np.diag(np_of(s)) @ np_of(v).T, square, rtol=1e-4, atol=1e-4)
    image = np.arange(16, dtype="float32").reshape(4, 4, 1)
    np.testing.assert_allclose(np_of(tf.image.resize(image, (2, 2)))[..., 0], [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_allclose(np_of(tf.image.flip_left_right(image)), image[:, ::-1])

    @tf.custom_gradient
    def clipped_identity(x):
        def grad(upstream):
            return upstream * 0.5

        return x * 1.0, grad

    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(clipped_identity(x))
    np.testing.assert_allclose(np_of(tape.gradient(y, x)), [0.5, 0.5])

    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        z = x * x + tf.reduce_sum(w)
    jacobian_x, jacobian_w, unused = tape.jacobian(z, [x, w, tf.Variable([1.0])])
    np.testing.assert_allclose(np_of(jacobian_x), np.diag([2.0, 4.0]))
    assert tuple(jacobian_w.shape) == (2, 2, 2) and np.allclose(np_of(jacobian_w), 1.0)
    assert unused is None


def test_tf_variable_keeps_a_scoped_name(tf):
    # TensorFlow variables may be named "scope/name" (Keras 3's Variable refuses "/").
    variable = tf.Variable([1.0, 2.0], name="encoder/kernel")
    assert variable.name == "encoder/kernel" and variable.path == "encoder/kernel"
    assert variable.numpy().tolist() == [1.0, 2.0]
