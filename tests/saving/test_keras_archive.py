"""The `.keras` archive and `.weights.h5` files in Keras 3's layout: what is in them, and
save -> load round trips (bit-exact predictions), mismatch handling."""

import io
import json
import zipfile

import h5py
import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers


def mlp():
    inputs = keras.Input(shape=(8,), name="features")
    x = layers.Dense(6, activation="relu")(inputs)
    return keras.Model(inputs, layers.Dense(2)(x), name="mlp")


def lstm_model():
    inputs = keras.Input(shape=(5, 4))
    x = layers.LSTM(3)(inputs)
    return keras.Model(inputs, layers.Dense(2)(x))


def h5_layout(weights_bytes):
    entries = {}
    with h5py.File(io.BytesIO(weights_bytes), "r") as h5:

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                entries[name] = tuple(obj.shape)
            elif name.endswith("vars"):
                entries[name] = obj.attrs["name"]

        h5.visititems(visit)
    return entries


def test_archive_members_and_metadata(tmp_path):
    model = mlp()
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        metadata = json.loads(archive.read("metadata.json"))
        config = json.loads(archive.read("config.json"))
        layout = h5_layout(archive.read("model.weights.h5"))
    assert metadata["keras_version"].startswith("3.") and "date_saved" in metadata
    assert config["module"] == "keras.src.models.functional" and config["class_name"] == "Functional"
    assert config["config"]["name"] == "mlp"
    assert layout == {
        "vars": "mlp",
        "layers/input_layer/vars": "features",
        "layers/dense/vars": "dense",
        "layers/dense/vars/0": (8, 6),
        "layers/dense/vars/1": (6,),
        "layers/dense_1/vars": "dense_1",
        "layers/dense_1/vars/0": (6, 2),
        "layers/dense_1/vars/1": (2,),
    }


def test_lstm_and_nested_paths_follow_keras(tmp_path):
    inner = keras.Sequential([layers.Dense(3), layers.Dense(2)], name="inner")
    inputs = keras.Input((5, 4))
    x = layers.LSTM(4)(inputs)
    model = keras.Model(inputs, inner(x))
    path = tmp_path / "n.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        layout = h5_layout(archive.read("model.weights.h5"))
    assert layout["layers/lstm/cell/vars/0"] == (4, 16)
    assert layout["layers/lstm/cell/vars/1"] == (4, 16)
    assert layout["layers/lstm/cell/vars/2"] == (16,)
    assert layout["layers/sequential/layers/dense/vars/0"] == (4, 3)
    assert layout["layers/sequential/layers/dense_1/vars/0"] == (3, 2)
    assert layout["layers/sequential/vars"] == "inner"


@pytest.mark.parametrize("builder", [mlp, lstm_model])
def test_keras_round_trip_is_bit_exact(tmp_path, builder):
    model = builder()
    x = np.random.rand(3, *model.inputs[0].shape[1:]).astype("float32")
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model)
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        assert np.array_equal(a, b)
    with torch.no_grad():
        assert torch.equal(loaded(x), model(x))


def test_sequential_keras_round_trip(tmp_path):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="relu"), layers.Dense(1)])
    model.save(tmp_path / "s.keras")
    loaded = keras.saving.load_model(tmp_path / "s.keras")
    x = np.random.rand(2, 4).astype("float32")
    assert isinstance(loaded, keras.Sequential)
    assert torch.equal(loaded(x), model(x))


def test_custom_layer_needs_custom_objects(tmp_path):
    @keras.saving.register_keras_serializable(package="test_keras_format")
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.alpha = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="alpha")

        def call(self, inputs):
            return inputs * self.alpha * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    inputs = keras.Input((3,))
    model = keras.Model(inputs, Scale(3.0)(inputs))
    with torch.no_grad():
        model.layers[1].alpha.copy_(torch.tensor([1.0, 2.0, 3.0]))
    model.save(tmp_path / "c.keras")
    loaded = keras.models.load_model(tmp_path / "c.keras")
    assert loaded.layers[1].factor == 3.0
    assert torch.equal(loaded.layers[1].alpha, model.layers[1].alpha)


def test_weights_h5_round_trip_and_keras_file_as_weights(tmp_path):
    model = mlp()
    model.save_weights(tmp_path / "w.weights.h5")
    model.save(tmp_path / "m.keras")
    for source in ("w.weights.h5", "m.keras"):
        fresh = mlp()
        fresh.load_weights(tmp_path / source)
        for a, b in zip(fresh.get_weights(), model.get_weights()):
            assert np.array_equal(a, b)


def test_weights_mismatch_lists_the_problem_and_changes_nothing(tmp_path):
    model = mlp()
    model.save_weights(tmp_path / "w.weights.h5")
    inputs = keras.Input(shape=(8,), name="features")
    x = layers.Dense(7, activation="relu")(inputs)  # 7 units instead of 6
    other = keras.Model(inputs, layers.Dense(2)(x))
    before = other.get_weights()
    with pytest.raises(ValueError) as info:
        other.load_weights(tmp_path / "w.weights.h5")
    message = str(info.value)
    assert "w.weights.h5" in message and "layers/dense (layer " in message
    assert "expected shape (8, 7), the file has shape (8, 6)" in message
    assert all(np.array_equal(a, b) for a, b in zip(other.get_weights(), before))


def test_skip_mismatch_loads_what_fits(tmp_path):
    model = mlp()
    model.save_weights(tmp_path / "w.weights.h5")
    inputs = keras.Input(shape=(8,))
    x = layers.Dense(6, activation="relu")(inputs)
    other = keras.Model(inputs, layers.Dense(3)(x))  # last layer differs
    other.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    assert np.array_equal(other.layers[1].get_weights()[0], model.layers[1].get_weights()[0])


def test_missing_and_unexpected_weights_listed(tmp_path):
    model = mlp()
    model.save_weights(tmp_path / "w.weights.h5")
    inputs = keras.Input(shape=(8,))
    x = layers.Dense(6, activation="relu")(inputs)
    x = layers.Dense(2)(x)
    bigger = keras.Model(inputs, layers.Dense(2)(x))
    with pytest.raises(ValueError, match="Missing .*\n  layers/dense_2"):
        bigger.load_weights(tmp_path / "w.weights.h5")
    inputs = keras.Input(shape=(8,))
    smaller = keras.Model(inputs, layers.Dense(6)(inputs))
    with pytest.raises(ValueError, match="Unexpected .*\n  layers/dense_1"):
        smaller.load_weights(tmp_path / "w.weights.h5")


def test_save_rejects_unknown_extension(tmp_path):
    with pytest.raises(ValueError, match="Invalid filepath extension"):
        mlp().save(tmp_path / "model.pt")
    with pytest.raises(ValueError, match="save_weights"):
        mlp().save(tmp_path / "model.weights.h5")
    with pytest.raises(ValueError, match="must end in"):
        mlp().save_weights(tmp_path / "model.bin")


def _compiled_model(seed_weights=None):
    inputs = keras.Input(shape=(5,))
    x = layers.Dense(4, activation="relu")(inputs)
    model = keras.Model(inputs, layers.Dense(2)(x))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
    if seed_weights is not None:
        model.set_weights(seed_weights)
    return model


@pytest.mark.parametrize("filename", ["resume.keras", "resume_dir"])
def test_resume_training_matches_uninterrupted(tmp_path, filename):
    """Train 2 epochs, save, load, train 1 more == 3 epochs straight (bit-exact on CPU)."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 5)).astype("float32"), rng.normal(size=(32, 2)).astype("float32")
    start = [np.array(w, copy=True) for w in _compiled_model().get_weights()]
    first = _compiled_model(start)
    first.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    first.save(tmp_path / filename)
    resumed = keras.models.load_model(tmp_path / filename)
    assert resumed.compiled if hasattr(resumed, "compiled") else True
    for a, b in zip(resumed.optimizer.variables, first.optimizer.variables):
        assert torch.equal(a, b)
    resumed.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    straight = _compiled_model(start)
    straight.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        assert np.array_equal(a, b)


def test_load_without_compile_skips_optimizer(tmp_path):
    model = _compiled_model()
    model.fit(np.ones((8, 5), "float32"), np.ones((8, 2), "float32"), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        layout = h5_layout(archive.read("model.weights.h5"))
    assert layout["optimizer/vars"] == model.optimizer.name
    assert layout["optimizer/vars/2"] == (5, 4) and layout["optimizer/vars/3"] == (5, 4)
    loaded = keras.models.load_model(tmp_path / "m.keras", compile=False)
    assert getattr(loaded, "optimizer", None) is None
    assert all(np.array_equal(a, b) for a, b in zip(loaded.get_weights(), model.get_weights()))


@keras.saving.register_keras_serializable(package="test_keras_format")
class TwoBlockModel(keras.Model):
    """A subclassed model: config from constructor arguments, weights by attribute path."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.first = layers.Dense(units, activation="relu")
        self.blocks = [layers.Dense(units), layers.Dense(units)]
        self.head = layers.Dense(1)

    def call(self, inputs):
        x = self.first(inputs)
        for block in self.blocks:
            x = block(x)
        return self.head(x)


def test_subclassed_model_round_trip(tmp_path):
    model = TwoBlockModel(4)
    x = np.random.rand(2, 5).astype("float32")
    expected = model(x)
    model.save(tmp_path / "sub.keras")
    with zipfile.ZipFile(tmp_path / "sub.keras") as archive:
        config = json.loads(archive.read("config.json"))
        layout = h5_layout(archive.read("model.weights.h5"))
    assert config["registered_name"] == "test_keras_format>TwoBlockModel"
    assert config["config"]["units"] == 4 and config["build_config"] == {"input_shape": [None, 5]}
    assert (
        layout["first/vars/0"] == (5, 4)
        and layout["blocks/dense_1/vars/0"] == (4, 4)
        and layout["head/vars/0"] == (4, 1)
    )
    loaded = keras.models.load_model(tmp_path / "sub.keras")
    assert isinstance(loaded, TwoBlockModel) and torch.equal(loaded(x), expected)
