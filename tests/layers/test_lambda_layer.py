"""Lambda: shape inference, masks, `training`, and its config format (Keras's
`__lambda__` bytecode form, loadable only with safe_mode=False)."""

import json

import numpy as np
import pytest
import torch

import keraslite
from keraslite import layers


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

    loaded = serialization.deserialize_keras_object(
        {"module": "keras.layers", "class_name": "Lambda", "config": keras_config, "registered_name": None},
        safe_mode=False,
    )
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
