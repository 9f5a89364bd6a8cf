import numpy as np
import pytest
import torch

from keraslite import regularizers


def test_penalties_match_keras(keras_oracle):
    w = np.random.default_rng(0).standard_normal((5, 4)).astype("float32")
    expected = keras_oracle.run(
        "w = inputs['w']\n"
        "result['l1'] = float(keras.regularizers.L1(0.1)(w))\n"
        "result['l2'] = float(keras.regularizers.L2(0.2)(w))\n"
        "result['l1l2'] = float(keras.regularizers.L1L2(0.1, 0.2)(w))\n"
        "result['orth'] = float(keras.regularizers.OrthogonalRegularizer(0.3)(w))\n",
        w=w,
    )
    t = torch.tensor(w)
    assert float(regularizers.L1(0.1)(t)) == pytest.approx(expected["l1"], rel=1e-5)
    assert float(regularizers.L2(0.2)(t)) == pytest.approx(expected["l2"], rel=1e-5)
    assert float(regularizers.L1L2(0.1, 0.2)(t)) == pytest.approx(expected["l1l2"], rel=1e-5)
    assert float(regularizers.OrthogonalRegularizer(0.3)(t)) == pytest.approx(expected["orth"], rel=1e-5)


def test_get_and_config():
    assert isinstance(regularizers.get("l2"), regularizers.L2)
    assert regularizers.get("l2").get_config() == {"l2": 0.01}
    assert regularizers.get({"class_name": "L1L2", "config": {"l1": 0.5, "l2": 0.0}}).l1 == 0.5
    with pytest.raises(ValueError, match="Received: l1=-1.0"):
        regularizers.L1(-1)


def test_serialize_and_deserialize_like_keras(keras_oracle):
    expected = keras_oracle.run("result['config'] = keras.regularizers.serialize(keras.regularizers.L1L2(0.1, 0.2))")
    config = regularizers.serialize(regularizers.L1L2(0.1, 0.2))
    assert config == expected["config"]
    restored = regularizers.deserialize(config)
    assert isinstance(restored, regularizers.L1L2) and restored.get_config() == {"l1": 0.1, "l2": 0.2}
    assert isinstance(regularizers.deserialize("l2"), regularizers.L2)
