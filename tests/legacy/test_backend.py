"""The tf.keras 2 backend functions (`K.mean`, `K.variable`, `K.batch_dot`, ...): results as
tf.keras 2 gave them (checked against tf_keras 2.21 while writing; here against NumPy)."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import backend as K  # the public face: the tf.keras 2 functions and the rest

X = np.arange(24, dtype="float32").reshape(2, 3, 4) / 10.0


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("mean", lambda x: x.mean(axis=1)),
        ("sum", lambda x: x.sum(axis=1)),
        ("max", lambda x: x.max(axis=1)),
        ("min", lambda x: x.min(axis=1)),
        ("std", lambda x: x.std(axis=1)),
        ("var", lambda x: x.var(axis=1)),
        ("prod", lambda x: x.prod(axis=1)),
        ("argmax", lambda x: x.argmax(axis=1)),
        ("argmin", lambda x: x.argmin(axis=1)),
    ],
)
def test_reductions_take_axis(name, expected):
    np.testing.assert_allclose(_np(getattr(K, name)(X, axis=1)), expected(X), rtol=1e-5)


def test_reductions_keepdims_and_bool_mean():
    assert tuple(K.sum(X, axis=-1, keepdims=True).shape) == (2, 3, 1)
    assert float(K.mean(np.array([True, False, True, True]))) == pytest.approx(0.75)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("square", np.square),
        ("exp", np.exp),
        ("abs", np.abs),
        ("sign", np.sign),
        ("sin", np.sin),
        ("cos", np.cos),
        ("tanh", np.tanh),
        ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
        ("softplus", lambda x: np.log1p(np.exp(x))),
        ("softsign", lambda x: x / (1 + np.abs(x))),
        ("hard_sigmoid", lambda x: np.clip(0.2 * x + 0.5, 0, 1)),
        ("flatten", lambda x: x.reshape(-1)),
        ("batch_flatten", lambda x: x.reshape(2, -1)),
        ("round", np.round),
    ],
)
def test_elementwise_functions(name, expected):
    x = X - 1.25
    np.testing.assert_allclose(_np(getattr(K, name)(x)), expected(x), rtol=1e-5, atol=1e-6)


def test_sqrt_clips_negatives_and_log_pow_clip():
    np.testing.assert_allclose(_np(K.sqrt(np.array([-4.0, 4.0]))), [0.0, 2.0])
    np.testing.assert_allclose(_np(K.log(np.array([1.0, np.e]))), [0.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(_np(K.pow(np.array([2.0, 3.0]), 3)), [8.0, 27.0])
    np.testing.assert_allclose(_np(K.clip(np.array([-2.0, 0.5, 2.0]), 0.0, 1.0)), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(_np(K.clip(np.array([-2.0, 2.0]), 1.0, 0.0)), [1.0, 1.0])  # max < min -> min


def test_relu_with_alpha_threshold_and_cap():
    x = np.array([-2.0, -0.5, 0.5, 3.0, 8.0], dtype="float32")
    np.testing.assert_allclose(_np(K.relu(x)), np.maximum(x, 0))
    expected = np.where(x > 1.0, np.minimum(x, 6.0), 0.1 * (x - 1.0))
    np.testing.assert_allclose(_np(K.relu(x, alpha=0.1, max_value=6.0, threshold=1.0)), expected, rtol=1e-6)


def test_comparisons_and_switch():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])
    for name, fn in [
        ("equal", np.equal),
        ("not_equal", np.not_equal),
        ("less", np.less),
        ("greater", np.greater),
        ("less_equal", np.less_equal),
        ("greater_equal", np.greater_equal),
        ("maximum", np.maximum),
        ("minimum", np.minimum),
    ]:
        np.testing.assert_array_equal(_np(getattr(K, name)(a, b)), fn(a, b))
    chosen = K.switch(np.array([True, False]), np.ones((2, 3)), np.zeros((2, 3)))  # condition broadcast on rows
    np.testing.assert_array_equal(_np(chosen), [[1, 1, 1], [0, 0, 0]])
    assert K.switch(True, lambda: 1, lambda: 2) == 1


def test_shapes_and_arrangement():
    assert K.int_shape(X) == (2, 3, 4) and K.int_shape(keras.Input((3,))) == (None, 3)
    assert K.ndim(X) == 3 and K.count_params(K.zeros((2, 5))) == 10
    shape = K.shape(X)
    assert isinstance(shape, torch.Tensor) and shape.tolist() == [2, 3, 4] and shape.dtype == torch.int32
    assert tuple(K.concatenate([X, X]).shape) == (2, 3, 8)
    assert tuple(K.concatenate([X, X], axis=0).shape) == (4, 3, 4)
    assert tuple(K.reshape(X, (6, 4)).shape) == (6, 4)
    assert tuple(K.reshape(X, (K.shape(X)[0], -1)).shape) == (2, 12)
    assert tuple(K.zeros(K.shape(X)[1:]).shape) == (3, 4)
    assert tuple(K.expand_dims(X).shape) == (2, 3, 4, 1)
    assert tuple(K.squeeze(K.expand_dims(X, 1), 1).shape) == (2, 3, 4)
    assert tuple(K.permute_dimensions(X, (2, 0, 1)).shape) == (4, 2, 3)
    assert tuple(K.repeat(np.ones((2, 5)), 3).shape) == (2, 3, 5)
    assert tuple(K.repeat_elements(X, 2, axis=1).shape) == (2, 6, 4)
    assert tuple(K.stack([X, X], axis=1).shape) == (2, 2, 3, 4)
    np.testing.assert_array_equal(_np(K.one_hot(np.array([0, 2]), 3)), [[1, 0, 0], [0, 0, 1]])


def test_dot_contracts_last_axis_with_second_to_last():
    x, y = np.random.rand(2, 3).astype("float32"), np.random.rand(4, 3, 5).astype("float32")
    np.testing.assert_allclose(_np(K.dot(x, y)), np.einsum("ij,kjl->ikl", x, y), rtol=1e-5)
    np.testing.assert_allclose(_np(K.dot(x, y[0])), x @ y[0], rtol=1e-5)


def test_batch_dot_follows_tf_keras_2_axes_rules():
    x, y = np.random.rand(4, 3, 5).astype("float32"), np.random.rand(4, 5, 2).astype("float32")
    np.testing.assert_allclose(_np(K.batch_dot(x, y)), np.einsum("bij,bjk->bik", x, y), rtol=1e-5)
    a, b = np.random.rand(4, 3).astype("float32"), np.random.rand(4, 3).astype("float32")
    np.testing.assert_allclose(_np(K.batch_dot(a, b)), (a * b).sum(1, keepdims=True), rtol=1e-5)  # (4, 1)
    np.testing.assert_allclose(_np(K.batch_dot(x, x, axes=(1, 1))), np.einsum("bij,bik->bjk", x, x), rtol=1e-5)
    with pytest.raises(ValueError, match="sizes differ"):
        K.batch_dot(x, x)


def test_crossentropies_are_tf_keras_2_clipped_formulas():
    eps = 1e-7
    target, output = np.array([1.0, 0.0]), np.array([0.3, 0.6])
    expected = -(target * np.log(output + eps) + (1 - target) * np.log(1 - output + eps))
    np.testing.assert_allclose(_np(K.binary_crossentropy(target, output)), expected, rtol=1e-6)
    probs = np.array([[0.2, 0.6]])  # rescaled to sum to 1
    np.testing.assert_allclose(_np(K.categorical_crossentropy(np.array([[0.0, 1.0]]), probs)), [-np.log(0.75)])
    np.testing.assert_allclose(
        _np(K.sparse_categorical_crossentropy(np.array([1]), np.array([[0.4, 0.6]]))), [-np.log(0.6)], rtol=1e-6
    )
    logits = np.array([[1.0, 2.0, 0.5]])
    log_softmax = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    np.testing.assert_allclose(
        _np(K.sparse_categorical_crossentropy(np.array([[2]]), logits, from_logits=True)), -log_softmax[:, 2], rtol=1e-6
    )


def test_softmax_l2_normalize():
    x = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(_np(K.softmax(x)), np.exp(x) / np.exp(x).sum(), rtol=1e-6)
    np.testing.assert_allclose(_np(K.l2_normalize(np.array([3.0, 4.0]), axis=0)), [0.6, 0.8], rtol=1e-6)


def test_variables_values_and_assignment():
    v = K.variable(np.ones((2, 2)), name="w")
    assert isinstance(v, keras.Variable) and v.dtype == torch.float32  # NumPy float64 becomes floatx
    assert isinstance(K.zeros((3,)), keras.Variable) and _np(K.ones((2,))).tolist() == [1.0, 1.0]
    np.testing.assert_array_equal(_np(K.eye(2)), np.eye(2))
    K.set_value(v, np.full((2, 2), 3.0))
    np.testing.assert_array_equal(K.get_value(v), np.full((2, 2), 3.0))
    K.batch_set_value([(v, np.zeros((2, 2)))])
    assert [a.sum() for a in K.batch_get_value([v])] == [0.0]
    assert isinstance(K.eval(K.constant(2.0)), np.ndarray) and K.constant([1, 2]).dtype == torch.float32
    K.update_add(v, np.ones((2, 2)))
    assert K.get_value(v).sum() == 4.0
    with pytest.raises(ValueError, match="symbolic"):
        K.eval(keras.Input((2,)))


def test_random_functions_shapes_and_seeds():
    assert tuple(K.random_normal((3, 2)).shape) == (3, 2)
    sample = _np(K.random_uniform((1000,), minval=2.0, maxval=3.0))
    assert sample.min() >= 2.0 and sample.max() < 3.0
    assert tuple(K.random_normal(K.shape(X)[:2]).shape) == (2, 3)  # shape given as a tensor
    np.testing.assert_array_equal(_np(K.random_normal((4,), seed=1)), _np(K.random_normal((4,), seed=1)))
    assert set(np.unique(_np(K.random_bernoulli((50,), p=0.5)))) <= {0.0, 1.0}


def test_learning_phase_and_scope():
    assert K.learning_phase() == 0
    with K.learning_phase_scope(1):
        assert K.learning_phase() == 1 and K.in_train_phase(lambda: "train", "test") == "train"
    assert K.in_train_phase("train", "test") == "test"
    with pytest.raises(ValueError, match="0 or 1"):
        K.set_learning_phase(2)


def test_graph_mode_functions_explain_themselves():
    with pytest.raises(RuntimeError, match="GradientTape"):
        K.gradients(None, [])
    placeholder = K.placeholder(shape=(None, 3))
    assert isinstance(placeholder, keras.KerasTensor) and placeholder.shape == (None, 3)


def test_function_runs_the_graph_between_inputs_and_outputs():
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    get_hidden = K.function([model.input], [model.layers[1].output])
    x = np.random.rand(5, 3).astype("float32")
    (activations,) = get_hidden([x])
    assert isinstance(activations, np.ndarray) and activations.shape == (5, 4)
    np.testing.assert_allclose(activations, _np(model.layers[1](x)), rtol=1e-6)


def test_functions_record_nodes_on_keras_tensors():
    inputs = keras.Input((3,))
    outputs = K.mean(K.square(inputs), axis=-1, keepdims=True)
    model = keras.Model(inputs, outputs)
    x = np.random.rand(2, 3).astype("float32")
    np.testing.assert_allclose(_np(model(x)), (x**2).mean(-1, keepdims=True), rtol=1e-6)


def test_uids_and_dtypes():
    K.reset_uids()
    assert [K.get_uid("x"), K.get_uid("x"), K.get_uid("y")] == [1, 2, 1]
    assert K.is_int_dtype("uint8") and not K.is_int_dtype("float16")
    assert K.result_type("int32", "float32") == "float32" and K.dtype(K.zeros((1,))) == "float32"


def test_custom_loss_written_with_backend_trains():
    def rmse(y_true, y_pred):
        return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss=rmse)
    history = model.fit(np.random.rand(8, 2), np.random.rand(8, 1), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_ctc_batch_cost_and_greedy_decode_use_the_last_class_as_blank():
    # Two steps, classes (a, b, blank): the path "a, blank" / "blank, a" / "a, a" all read "a".
    p = np.array([[[0.6, 0.1, 0.3], [0.2, 0.1, 0.7]]], dtype="float32")
    cost = _np(K.ctc_batch_cost(np.array([[0]]), p, np.array([[2]]), np.array([[1]])))
    eps = 1e-7
    q = (p + eps) / (p + eps).sum(-1, keepdims=True)
    paths = q[0, 0, 0] * q[0, 1, 2] + q[0, 0, 2] * q[0, 1, 0] + q[0, 0, 0] * q[0, 1, 0]
    assert cost.shape == (1, 1) and cost[0, 0] == pytest.approx(-np.log(paths), rel=1e-5)
    steps = np.array([[[0.7, 0.2, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8], [0.2, 0.7, 0.1]]], dtype="float32")
    (decoded,), log_probability = K.ctc_decode(steps, np.array([4]))
    assert _np(decoded).tolist() == [[0, 1, -1, -1]]  # repeats merged, blank removed, padded to time steps
    assert float(log_probability[0, 0]) == pytest.approx(-np.log(np.array([0.7, 0.6, 0.8, 0.7]) + eps).sum(), rel=1e-5)
    with pytest.raises(NotImplementedError, match="beam"):
        K.ctc_decode(steps, np.array([4]), greedy=False)


def test_convolution_pooling_padding_and_normalization():
    x = np.random.rand(2, 5, 5, 3).astype("float32")
    kernel = np.random.rand(1, 1, 3, 4).astype("float32")
    np.testing.assert_allclose(_np(K.conv2d(x, kernel)), np.einsum("bhwc,cd->bhwd", x, kernel[0, 0]), rtol=1e-5)
    windows = np.stack([x[:, i : i + 4, j : j + 4] for i in (0, 1) for j in (0, 1)])
    np.testing.assert_allclose(_np(K.pool2d(x, (2, 2))), windows.max(0), rtol=1e-6)  # tf.keras 2's stride 1
    np.testing.assert_allclose(_np(K.pool2d(x, (2, 2), pool_mode="avg")), windows.mean(0), rtol=1e-5)
    with pytest.raises(ValueError, match="pooling mode"):
        K.pool2d(x, (2, 2), pool_mode="min")
    np.testing.assert_array_equal(_np(K.resize_images(x, 2, 3, "channels_last")), x.repeat(2, 1).repeat(3, 2))
    np.testing.assert_array_equal(
        _np(K.spatial_2d_padding(x, ((1, 0), (2, 1)))), np.pad(x, ((0, 0), (1, 0), (2, 1), (0, 0)))
    )
    np.testing.assert_array_equal(_np(K.temporal_padding(x[:, 0], (2, 1))), np.pad(x[:, 0], ((0, 0), (2, 1), (0, 0))))
    mean, var, beta, gamma = (np.full((3,), v, "float32") for v in (0.5, 2.0, 0.1, 3.0))
    np.testing.assert_allclose(
        _np(K.batch_normalization(x, mean, var, beta, gamma)), (x - 0.5) / np.sqrt(2.0 + 1e-3) * 3.0 + 0.1, rtol=1e-5
    )
    series, kernel1d = np.random.rand(1, 6, 2).astype("float32"), np.random.rand(2, 2, 1).astype("float32")
    causal = _np(K.conv1d(series, kernel1d, padding="causal", dilation_rate=2))
    changed = series.copy()
    changed[0, 4:] += 1.0
    assert causal.shape == (1, 6, 1)
    np.testing.assert_allclose(
        _np(K.conv1d(changed, kernel1d, padding="causal", dilation_rate=2))[0, :4], causal[0, :4], rtol=1e-6
    )  # no step sees the future


def test_in_top_k_map_and_folds():
    predictions = np.array([[0.1, 0.5, 0.4], [0.7, 0.2, 0.1]], dtype="float32")
    assert _np(K.in_top_k(predictions, np.array([2, 2]), 2)).tolist() == [True, False]
    np.testing.assert_array_equal(_np(K.map_fn(lambda row: row * 2, X)), X * 2)
    np.testing.assert_allclose(_np(K.foldl(lambda a, b: a + b, X)), X.sum(0), rtol=1e-6)
    np.testing.assert_allclose(_np(K.foldr(lambda a, b: a - b, np.array([1.0, 2.0, 10.0]))), 7.0)
