"""Keras 3's sharded weights (`save_weights(..., max_shard_size=)`, saving/sharded_weights.py):
the same files as Keras writes, and files crossing both ways."""

import json
import os

import numpy as np
import pytest

import keraslite as keras
from keraslite import layers

# 600 bytes a shard: the Dense kernel (512 B) fills the first shard, the rest go on.
_SHARD_GB = 600 / 1024**3

_MODEL_CODE = """
model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16), keras.layers.BatchNormalization(),
                          keras.layers.Dense(4)])
"""


def _model():
    return keras.Sequential([keras.Input((8,)), layers.Dense(16), layers.BatchNormalization(), layers.Dense(4)])


def _values(model):
    return [np.arange(w.size, dtype="float32").reshape(w.shape) / 100 + i for i, w in enumerate(model.get_weights())]


def _h5_layout(path):
    import h5py

    entries = []
    with h5py.File(path, "r") as h5:
        h5.visititems(
            lambda name, obj: entries.append(
                (name, dict(obj.attrs) if isinstance(obj, h5py.Group) else (tuple(obj.shape), obj[()].tolist()))
            )
        )
    return entries


def test_sharded_files_are_keras_files_both_ways(keras_oracle, tmp_path):
    theirs, ours = tmp_path / "keras", tmp_path / "lite"
    theirs.mkdir()
    ours.mkdir()
    model = _model()
    model.set_weights(_values(model))
    keras_oracle.run(
        _MODEL_CODE + "model.set_weights([np.asarray(inputs[f'w{i}']) for i in range(8)])\n"
        "model.save_weights(inputs['path'].item(), max_shard_size=inputs['size'].item())\n",
        path=np.array(str(theirs / "m.weights.json")),
        size=np.array(_SHARD_GB),
        **{f"w{i}": w for i, w in enumerate(_values(model))},
    )
    model.save_weights(str(ours / "m.weights.json"), max_shard_size=_SHARD_GB)
    assert (
        sorted(os.listdir(ours))
        == sorted(os.listdir(theirs))
        == [
            "m.weights.json",
            "m_00000.weights.h5",
            "m_00001.weights.h5",
        ]
    )
    assert (ours / "m.weights.json").read_text() == (theirs / "m.weights.json").read_text()
    for shard in ("m_00000.weights.h5", "m_00001.weights.h5"):
        assert _h5_layout(ours / shard) == _h5_layout(theirs / shard)
    # Keras's files load here ...
    fresh = _model()
    fresh.load_weights(str(theirs / "m.weights.json"))
    for got, want in zip(fresh.get_weights(), _values(model)):
        np.testing.assert_array_equal(got, want)
    # ... and ours in Keras.
    loaded = keras_oracle.run(
        _MODEL_CODE + "model.load_weights(inputs['path'].item())\nresult['w'] = model.get_weights()\n",
        path=np.array(str(ours / "m.weights.json")),
    )
    for got, want in zip(loaded["w"], _values(model)):
        np.testing.assert_array_equal(got, want)


def test_sharded_weights_errors_and_extension_rules(tmp_path):
    model = _model()
    with pytest.raises(ValueError, match="exceeds the maximum shard size"):
        model.save_weights(str(tmp_path / "m.weights.json"), max_shard_size=100 / 1024**3)
    with pytest.raises(ValueError, match=r"must end in `\.weights\.json` when `max_shard_size`"):
        model.save_weights(str(tmp_path / "m.keras"), max_shard_size=1)
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5` unless `max_shard_size`"):
        model.save_weights(str(tmp_path / "m.weights.json"))
    with pytest.warns(UserWarning, match="requires `\\*.json`"):
        model.save_weights(str(tmp_path / "n.weights.h5"), max_shard_size=1)
    config = json.loads((tmp_path / "n.weights.json").read_text())
    assert sorted(os.listdir(tmp_path)) == ["n.weights.json", "n_00000.weights.h5"]
    assert config["metadata"]["total_size"] == sum(w.size * 4 for w in model.get_weights())
    os.remove(tmp_path / "n_00000.weights.h5")
    with pytest.raises(FileNotFoundError, match="n_00000.weights.h5"):
        model.load_weights(str(tmp_path / "n.weights.json"))
