"""EinsumDense, Masking, Lambda: the shared harness against Keras 3, masks, and Lambda's
config format (Keras's `__lambda__` bytecode form, loadable only with safe_mode=False)."""
import json

import numpy as np
import pytest
import torch

import keraslite
from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

EINSUM_CASES = [
    # (kwargs, input shape, output shape, trainable weights)
    ({"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c"}, (2, 3), (2, 4), 2),
    ({"equation": "ab,bc->ac", "output_shape": 4}, (2, 3), (2, 4), 1),
    ({"equation": "abc,cd->abd", "output_shape": (None, 5), "bias_axes": "d", "activation": "relu"}, (2, 3, 4), (2, 3, 5), 2),
    ({"equation": "abc,cde->abde", "output_shape": (None, 2, 3), "bias_axes": "de"}, (2, 4, 5), (2, 4, 2, 3), 2),
    ({"equation": "abc,cde->abde", "output_shape": (None, 2, 3), "bias_axes": "d"}, (2, 4, 5), (2, 4, 2, 3), 2),
    ({"equation": "...b,bc->...c", "output_shape": 3, "bias_axes": "c"}, (2, 4, 5, 6), (2, 4, 5, 3), 2),
    ({"equation": "ab...,bc->ac...", "output_shape": 3, "bias_axes": "c"}, (2, 4, 5), (2, 3, 5), 2),
    ({"equation": "abcd,cde->abe", "output_shape": (None, 6), "bias_axes": "e"}, (2, 3, 4, 5), (2, 3, 6), 2),
]


@pytest.mark.parametrize("kwargs, shape, out_shape, n_train", EINSUM_CASES)
def test_einsum_dense_parity(keras_oracle, kwargs, shape, out_shape, n_train):
    partial = kwargs["output_shape"]
    has_unknown = isinstance(partial, tuple) and None in partial
    layer = run_layer_test(layers.EinsumDense, kwargs, input_shape=shape, expected_output_shape=None if has_unknown else out_shape, expected_num_trainable_weights=n_train, expected_num_non_trainable_weights=0, oracle=keras_oracle, compare_config_keys=True)
    assert tuple(layer(torch.zeros(shape)).shape) == out_shape
    if has_unknown:
        # As Keras: a `None` in `output_shape` stays unknown symbolically.
        symbolic = layers.EinsumDense(**kwargs)(keraslite.Input(shape[1:]))
        assert tuple(symbolic.shape) == (None,) + tuple(partial)


def test_einsum_dense_errors():
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        layers.EinsumDense("ab->b", output_shape=3)(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="Bias dimension"):
        layers.EinsumDense("ab,bc->ac", output_shape=3, bias_axes="x")(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="do not match"):
        layers.EinsumDense("abc,cd->abd", output_shape=(7, 5))(torch.zeros(2, 3, 4))


def test_masking_parity_and_mask(keras_oracle):
    x = np.random.default_rng(0).standard_normal((3, 5, 4)).astype("float32")
    x[0, 1] = 0.0
    x[2, 3:] = 0.0
    x[1, 2, 0] = 0.0  # one zero feature does not mask the step
    run_layer_test(layers.Masking, {}, input_shape=(3, 5, 4), input_data=x, expected_output_shape=(3, 5, 4), expected_num_trainable_weights=0, expected_num_non_trainable_weights=0, oracle=keras_oracle, compare_config_keys=True)
    x2 = x.copy()
    x2[1, 0] = -1.0
    expected = keras_oracle.run("layer = keras.layers.Masking(mask_value=-1.0)\nresult['mask'] = layer.compute_mask(inputs['x'], None).numpy()\nresult['y'] = layer(inputs['x']).numpy()", x=x2)
    layer = layers.Masking(mask_value=-1.0)
    np.testing.assert_array_equal(layer.compute_mask(torch.tensor(x2)).numpy(), expected["mask"])
    out = layer(torch.tensor(x2))
    np.testing.assert_allclose(out.numpy(), expected["y"])
    np.testing.assert_array_equal(out._keras_mask.numpy(), expected["mask"])
    symbolic = layers.Masking()(keraslite.Input((5, 4)))
    assert symbolic._keras_mask is not None and tuple(symbolic._keras_mask.shape) == (None, 5)


def test_lambda_layer_runs_and_infers_shapes():
    layer = layers.Lambda(lambda x, scale: x[:, :2] * scale, arguments={"scale": 3.0})
    out = layer(keraslite.Input((4,)))
    assert tuple(out.shape) == (None, 2)
    np.testing.assert_allclose(layer(torch.ones(2, 4)).numpy(), 3 * np.ones((2, 2)))
    fixed = layers.Lambda(lambda x: torch.cat([x, x], -1), output_shape=(8,))
    assert tuple(fixed(keraslite.Input((4,))).shape) == (None, 8)
    fn_shape = layers.Lambda(lambda x: x.sum(-1), output_shape=lambda s: s[:-1])
    assert tuple(fn_shape(keraslite.Input((3, 4))).shape) == (None, 3)
    masked = layers.Lambda(lambda x: x, mask=lambda inputs, mask: inputs[..., 0] > 0)
    np.testing.assert_array_equal(masked.compute_mask(torch.tensor([[[1.0], [-1.0]]])).numpy(), [[True, False]])
    trained = layers.Lambda(lambda x, training=None: x * (2.0 if training else 1.0))
    assert float(trained(torch.ones(1), training=True)) == 2.0
    assert float(trained(torch.ones(1))) == 1.0


def test_lambda_config_crosses_with_keras(keras_oracle):
    offset = 0.5
    layer = layers.Lambda(lambda x: x**2 + offset, name="sq")
    config = layer.get_config()
    assert config["function"]["class_name"] == "__lambda__"
    assert config["function"]["config"]["closure"] == (0.5,)
    x = np.arange(6, dtype="float32").reshape(2, 3)
    # Keras loads our config (only unsafely) and computes the same thing; we load Keras's.
    code = """
import json
cfg = json.loads(inputs['cfg'].item())
try:
    keras.layers.Lambda.from_config(dict(cfg))
    result['safe_refused'] = False
except ValueError as e:
    result['safe_refused'] = 'safe_mode' in str(e)
layer = keras.layers.Lambda.from_config(dict(cfg), safe_mode=False)
result['y'] = layer(inputs['x']).numpy()
def make(offset):
    return keras.layers.Lambda(lambda x: x * 2 - offset, output_shape=(3,))
theirs = make(1.5)
result['config'] = json.dumps(theirs.get_config())
"""
    expected = keras_oracle.run(code, cfg=np.array(json.dumps(config)), x=x)
    assert expected["safe_refused"]
    np.testing.assert_allclose(expected["y"], x**2 + 0.5)
    keras_config = json.loads(expected["config"])
    assert sorted(keras_config) == sorted(layers.Lambda(lambda x: x, output_shape=(3,)).get_config())
    with pytest.raises(ValueError, match="safe_mode"):
        layers.Lambda.from_config(dict(keras_config), safe_mode=True)
    from keraslite.serialization import serialization_lib as serialization

    loaded = serialization.deserialize_keras_object({"module": "keras.layers", "class_name": "Lambda", "config": keras_config, "registered_name": None}, safe_mode=False)
    np.testing.assert_allclose(loaded(torch.tensor(x)).numpy(), x * 2 - 1.5)
    assert loaded.get_config()["output_shape"] == (3,)
    # keraslite's deserializer refuses our own config in safe mode.

    wrapped = serialization.serialize_keras_object(layer)
    with pytest.raises(ValueError, match="safe_mode"):
        serialization.deserialize_keras_object(wrapped)
    restored = serialization.deserialize_keras_object(wrapped, safe_mode=False)
    np.testing.assert_allclose(restored(torch.tensor(x)).numpy(), x**2 + 0.5)


def test_lambda_with_named_function_roundtrip():
    layer = layers.Lambda(keraslite.activations.relu)
    config = layer.get_config()
    clone = layers.Lambda.from_config(config)
    assert clone.function is keraslite.activations.relu
    with pytest.raises(ValueError, match="callable"):
        layers.Lambda(3)
