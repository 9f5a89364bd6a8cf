import numpy as np
import torch

from keraslite import constraints


def test_constraints_match_keras(keras_oracle):
    w = np.random.default_rng(0).standard_normal((6, 3)).astype("float32") * 3
    expected = keras_oracle.run(
        "w = inputs['w']\n"
        "for name, c in [('max', keras.constraints.MaxNorm(2.0)), ('nonneg', keras.constraints.NonNeg()), ('unit', "
        "keras.constraints.UnitNorm()), ('minmax', keras.constraints.MinMaxNorm(0.5, 1.5, rate=0.7))]:\n"
        "    result[name] = keras.ops.convert_to_numpy(c(keras.ops.convert_to_tensor(w)))\n",
        w=w,
    )
    t = torch.tensor(w)
    for name, c in [
        ("max", constraints.MaxNorm(2.0)),
        ("nonneg", constraints.NonNeg()),
        ("unit", constraints.UnitNorm()),
        ("minmax", constraints.MinMaxNorm(0.5, 1.5, rate=0.7)),
    ]:
        np.testing.assert_allclose(c(t).numpy(), expected[name], rtol=1e-5, atol=1e-6, err_msg=name)


def test_get_by_name():
    assert isinstance(constraints.get("non_neg"), constraints.NonNeg)
    assert constraints.get("max_norm").get_config() == {"max_value": 2, "axis": 0}


def test_serialize_and_deserialize_like_keras(keras_oracle):
    expected = keras_oracle.run(
        "result['config'] = keras.constraints.serialize(keras.constraints.MinMaxNorm(0.5, 1.5, rate=0.7))"
    )["config"]
    config = constraints.serialize(constraints.MinMaxNorm(0.5, 1.5, rate=0.7))
    assert config == expected
    restored = constraints.deserialize(config)
    assert isinstance(restored, constraints.MinMaxNorm) and restored.rate == 0.7
    assert isinstance(constraints.deserialize("non_neg"), constraints.NonNeg)
