"""The directory format (`model.save('path_to_my_model')`, as in the seed), safetensors
weights files, and the PyTorch view (`state_dict`, `torch.save`)."""

import json
import os

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers


def seed_mnist_model():
    inputs = keras.Input(shape=(784,), name="img")
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    return keras.Model(inputs=inputs, outputs=layers.Dense(10)(x), name="mnist_model")


def test_seed_save_and_load_directory(tmp_path):
    model = seed_mnist_model()
    path = str(tmp_path / "path_to_my_model")
    x = np.random.rand(4, 784).astype("float32")
    expected = model(x)
    model.save(path)
    assert sorted(os.listdir(path)) == ["config.json", "metadata.json", "model.safetensors"]
    with open(os.path.join(path, "config.json")) as f:
        assert json.load(f)["config"]["name"] == "mnist_model"
    del model
    model = keras.models.load_model(path)
    assert torch.equal(model(x), expected)


def test_directory_keys_are_keras_weight_paths(tmp_path):
    from safetensors.numpy import load_file

    model = seed_mnist_model()
    model.save(tmp_path / "m")
    arrays = load_file(str(tmp_path / "m" / "model.safetensors"))
    assert sorted(arrays) == sorted(
        [
            "layers/dense/vars/0",
            "layers/dense/vars/1",
            "layers/dense_1/vars/0",
            "layers/dense_1/vars/1",
            "layers/dense_2/vars/0",
            "layers/dense_2/vars/1",
        ]
    )
    assert arrays["layers/dense/vars/0"].shape == (784, 64)


def test_overwriting_a_directory_replaces_it(tmp_path):
    path = tmp_path / "m"
    first = seed_mnist_model()
    first.save(path)
    second = seed_mnist_model()
    second.save(path)
    loaded = keras.models.load_model(path)
    assert all(np.array_equal(a, b) for a, b in zip(loaded.get_weights(), second.get_weights()))
    assert [p for p in os.listdir(tmp_path) if p != "m"] == []  # no temporary leftovers
    with pytest.raises(FileExistsError):
        first.save(path, overwrite=False)


def test_safetensors_weights_round_trip(tmp_path):
    model = seed_mnist_model()
    model.save_weights(tmp_path / "w.safetensors")
    fresh = seed_mnist_model()
    fresh.load_weights(tmp_path / "w.safetensors")
    assert all(np.array_equal(a, b) for a, b in zip(fresh.get_weights(), model.get_weights()))


def test_safetensors_of_state_dict_loads(tmp_path):
    from safetensors.torch import save_file

    model = seed_mnist_model()
    save_file({k: v.detach().contiguous() for k, v in model.state_dict().items()}, str(tmp_path / "sd.safetensors"))
    keras.backend.clear_session()  # state_dict keys are layer names: rebuild with the same names
    fresh = seed_mnist_model()
    fresh.load_weights(tmp_path / "sd.safetensors")
    assert all(np.array_equal(a, b) for a, b in zip(fresh.get_weights(), model.get_weights()))


def test_state_dict_and_torch_save_round_trip(tmp_path):
    model = seed_mnist_model()
    state = model.state_dict()
    assert list(state) == [
        "dense.kernel",
        "dense.bias",
        "dense_1.kernel",
        "dense_1.bias",
        "dense_2.kernel",
        "dense_2.bias",
    ]
    assert tuple(state["dense.kernel"].shape) == (784, 64)  # Keras layout
    torch.save(state, tmp_path / "sd.pt")
    keras.backend.clear_session()  # as in a new process: the same layer names again
    fresh = seed_mnist_model()
    # weights_only=True: a plain tensor dict, nothing executed on load.
    fresh.load_state_dict(torch.load(tmp_path / "sd.pt", weights_only=True))
    x = np.random.rand(2, 784).astype("float32")
    assert torch.equal(fresh(x), model(x))
    assert isinstance(fresh.layers[1].kernel, keras.Variable)


def test_load_directory_without_config_is_clear(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no config.json"):
        keras.models.load_model(tmp_path / "empty")
    (tmp_path / "tfmodel").mkdir()
    (tmp_path / "tfmodel" / "saved_model.pb").write_bytes(b"\x08\x01")
    with pytest.raises(ValueError, match="TensorFlow SavedModel"):
        keras.models.load_model(tmp_path / "tfmodel")
