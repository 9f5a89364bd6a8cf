"""Legacy tf.keras 2 `.h5` files: whole models and weights, written as tf.keras 2 wrote
them and read back; a hand-made tf.keras 2 file loads."""

import json

import h5py
import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers


def cnn():
    return keras.Sequential(
        [keras.Input((8, 8, 1)), layers.Conv2D(2, 3, activation="relu"), layers.Flatten(), layers.Dense(3)], name="cnn"
    )


def nested():
    inner_input = keras.Input((4,), name="a")
    inner = keras.Model(inner_input, layers.Dense(3, name="d1")(inner_input), name="inner")
    outer_input = keras.Input((4,), name="b")
    x = inner(outer_input)
    y = layers.LSTM(2, name="rnn")(layers.Reshape((3, 1))(x))
    return keras.Model(outer_input, [y, x], name="outer")


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def test_h5_file_layout_is_tf_keras2(tmp_path):
    path = tmp_path / "m.h5"
    nested().save(path)
    with h5py.File(path, "r") as h5:
        assert text(h5.attrs["keras_version"]).startswith("2.")
        config = json.loads(h5.attrs["model_config"])
        weights = h5["model_weights"]
        names = [text(n) for n in weights.attrs["layer_names"]]
        rnn_weights = [text(n) for n in weights["rnn"].attrs["weight_names"]]
        inner_weights = [text(n) for n in weights["inner"].attrs["weight_names"]]
        assert weights["rnn"]["rnn/lstm_cell/kernel:0"].shape == (1, 8)
    assert config["class_name"] == "Functional"
    layer_entries = {entry["name"]: entry for entry in config["config"]["layers"]}
    assert "module" not in layer_entries["rnn"]
    assert layer_entries["b"]["config"]["batch_input_shape"] == [None, 4]
    # tf.keras 2 counts a nested model's own graph as node 0.
    assert layer_entries["reshape"]["inbound_nodes"] == [[["inner", 1, 0, {}]]]
    assert config["config"]["output_layers"] == [["rnn", 0, 0], ["inner", 1, 0]]
    assert names == ["b", "inner", "reshape", "rnn"]
    assert rnn_weights == ["rnn/lstm_cell/kernel:0", "rnn/lstm_cell/recurrent_kernel:0", "rnn/lstm_cell/bias:0"]
    assert inner_weights == ["d1/kernel:0", "d1/bias:0"]


@pytest.mark.parametrize("builder", [cnn, nested])
def test_h5_model_round_trip(tmp_path, builder):
    model = builder()
    path = tmp_path / "m.h5"
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.random.rand(2, *model.inputs[0].shape[1:]).astype("float32")
    out, ref = loaded(x), model(x)
    for a, b in zip(out if isinstance(out, list) else [out], ref if isinstance(ref, list) else [ref]):
        assert torch.equal(a, b)


def test_h5_weights_round_trip_and_by_name(tmp_path):
    model = cnn()
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.h5", "r") as h5:
        assert "model_config" not in h5.attrs and "layer_names" in h5.attrs
    fresh = cnn()
    fresh.load_weights(tmp_path / "w.h5")
    assert all(np.array_equal(a, b) for a, b in zip(fresh.get_weights(), model.get_weights()))
    # by_name: only layers whose names match are loaded
    renamed = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            layers.Conv2D(2, 3, name=model.layers[0].name),
            layers.Flatten(),
            layers.Dense(3, name="other"),
        ]
    )
    before = renamed.layers[2].get_weights()
    renamed.load_weights(tmp_path / "w.h5", by_name=True)
    assert np.array_equal(renamed.layers[0].get_weights()[0], model.layers[0].get_weights()[0])
    assert np.array_equal(renamed.layers[2].get_weights()[0], before[0])


def test_h5_wrong_shape_is_a_clear_error_and_leaves_model_unchanged(tmp_path):
    cnn().save_weights(tmp_path / "w.h5")
    other = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(2, 3), layers.Flatten(), layers.Dense(4)])
    before = other.get_weights()
    with pytest.raises(ValueError, match="expected shape \\(72, 4\\), the file has shape \\(72, 3\\)"):
        other.load_weights(tmp_path / "w.h5")
    assert all(np.array_equal(a, b) for a, b in zip(other.get_weights(), before))
    fewer = keras.Sequential([keras.Input((8, 8, 1)), layers.Flatten(), layers.Dense(3)])
    with pytest.raises(ValueError, match="the file has weights for 2 layers"):
        fewer.load_weights(tmp_path / "w.h5")


def test_hand_made_tf_keras2_file_loads(tmp_path):
    """A file laid out exactly as tf.keras 2.x `model.save('m.h5')` writes it."""
    rng = np.random.default_rng(0)
    kernel, bias = rng.normal(size=(5, 3)).astype("float32"), rng.normal(size=(3,)).astype("float32")
    kernel2, bias2 = rng.normal(size=(3, 2)).astype("float32"), rng.normal(size=(2,)).astype("float32")
    config = {
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {
                    "class_name": "InputLayer",
                    "config": {
                        "batch_input_shape": [None, 5],
                        "dtype": "float32",
                        "sparse": False,
                        "ragged": False,
                        "name": "dense_input",
                    },
                },
                {
                    "class_name": "Dense",
                    "config": {
                        "name": "dense",
                        "trainable": True,
                        "dtype": "float32",
                        "units": 3,
                        "activation": "relu",
                        "use_bias": True,
                        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                        "bias_initializer": {"class_name": "Zeros", "config": {}},
                        "kernel_regularizer": None,
                        "bias_regularizer": None,
                        "activity_regularizer": None,
                        "kernel_constraint": None,
                        "bias_constraint": None,
                    },
                },
                {
                    "class_name": "Dense",
                    "config": {
                        "name": "dense_1",
                        "trainable": True,
                        "dtype": "float32",
                        "units": 2,
                        "activation": "linear",
                        "use_bias": True,
                        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                        "bias_initializer": {"class_name": "Zeros", "config": {}},
                        "kernel_regularizer": None,
                        "bias_regularizer": None,
                        "activity_regularizer": None,
                        "kernel_constraint": None,
                        "bias_constraint": None,
                    },
                },
            ],
        },
    }
    path = tmp_path / "tf2.h5"
    with h5py.File(path, "w") as h5:
        h5.attrs["keras_version"] = b"2.12.0"
        h5.attrs["backend"] = b"tensorflow"
        h5.attrs["model_config"] = json.dumps(config).encode()
        weights = h5.create_group("model_weights")
        weights.attrs["layer_names"] = [b"dense", b"dense_1"]
        weights.attrs["backend"] = b"tensorflow"
        weights.attrs["keras_version"] = b"2.12.0"
        for name, values in (("dense", (kernel, bias)), ("dense_1", (kernel2, bias2))):
            group = weights.create_group(name)
            group.attrs["weight_names"] = [f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()]
            group.create_dataset(f"{name}/kernel:0", data=values[0])
            group.create_dataset(f"{name}/bias:0", data=values[1])
    model = keras.models.load_model(path)
    x = rng.normal(size=(4, 5)).astype("float32")
    expected = np.maximum(x @ kernel + bias, 0) @ kernel2 + bias2
    np.testing.assert_allclose(model(x).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_weights_only_h5_cannot_be_loaded_as_model(tmp_path):
    cnn().save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="No model config found"):
        keras.models.load_model(tmp_path / "w.h5")


def test_h5_keeps_the_training_config(tmp_path):
    model = cnn()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=keras.losses.MeanSquaredError(), metrics=["mae"]
    )
    model.fit(np.ones((4, 8, 8, 1), "float32"), np.ones((4, 3), "float32"), epochs=1, verbose=0)
    model.save(tmp_path / "c.h5")
    with h5py.File(tmp_path / "c.h5", "r") as h5:
        training = json.loads(h5.attrs["training_config"])
    assert training["optimizer_config"]["class_name"] == "Adam" and "module" not in training["optimizer_config"]
    loaded = keras.models.load_model(tmp_path / "c.h5")
    assert isinstance(loaded.optimizer, keras.optimizers.Adam)
    assert float(loaded.optimizer.learning_rate) == pytest.approx(0.01)
    loaded.fit(np.ones((4, 8, 8, 1), "float32"), np.ones((4, 3), "float32"), epochs=1, verbose=0)
    uncompiled = keras.models.load_model(tmp_path / "c.h5", compile=False)
    assert getattr(uncompiled, "optimizer", None) is None
