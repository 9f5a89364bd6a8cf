import numpy as np
import pytest

import keraslite as keras
from keraslite import layers


def summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return lines


def test_sequential_from_list_with_input_shape():
    model = keras.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)), layers.Dense(2)])
    assert model.name == "sequential" and model.built
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]
    assert model.output_shape == (None, 2)
    printed = []
    model.summary(print_fn=printed.append)
    assert printed[0] == 'Model: "sequential"'
    assert printed[4].startswith("dense (Dense)                (None, 4)                 16")
    assert "Total params: 26" in printed


def test_sequential_add_with_input():
    model = keras.Sequential()
    model.add(keras.Input(shape=(5,)))
    model.add(layers.Dense(3))
    assert model.built and tuple(model(np.ones((2, 5))).shape) == (2, 3)


def test_deferred_build_on_first_call():
    model = keras.Sequential([layers.Dense(3), layers.Dense(1)])
    assert not model.built
    with pytest.raises(ValueError, match="has not yet been built"):
        model.summary()
    out = model(np.ones((4, 7), "float32"))
    assert tuple(out.shape) == (4, 1) and model.built
    assert model.layers[0].kernel.shape == (7, 3)


def test_build_with_input_shape():
    model = keras.Sequential([layers.Dense(3)])
    model.build((None, 6))
    assert model.count_params() == 21


def test_pop_and_duplicate_names():
    model = keras.Sequential([layers.Dense(3, input_shape=(2,)), layers.Dense(1)])
    model.pop()
    assert model.output_shape == (None, 3)
    with pytest.raises(ValueError, match="unique names"):
        model.add(layers.Dense(1, name=model.layers[0].name))


def test_sequential_as_a_layer_of_a_functional_model():
    inner = keras.Sequential([layers.Dense(3), layers.Dense(2)])
    x = keras.Input(shape=(4,))
    outer = keras.Model(x, inner(x))
    assert tuple(outer(np.ones((1, 4))).shape) == (1, 2)


def test_only_layers_can_be_added():
    with pytest.raises(ValueError, match="Only instances of `keras.Layer`"):
        keras.Sequential([lambda x: x])


def test_sequential_config_has_input_layer_and_round_trips():
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4, activation="relu"), layers.Dense(2)], name="seq")
    config = model.get_config()
    assert [entry["class_name"] for entry in config["layers"]] == ["InputLayer", "Dense", "Dense"]
    assert config["layers"][0]["config"]["batch_shape"] == [None, 3]
    assert config["build_input_shape"] == [None, 3]
    assert "batch_input_shape" not in config["layers"][1]["config"]
    clone = keras.Sequential.from_config(config)
    assert summary_lines(clone) == summary_lines(model)


def test_sequential_with_legacy_input_shape_gets_input_layer():
    model = keras.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(2)])
    config = model.get_config()
    assert config["layers"][0]["class_name"] == "InputLayer"
    assert "batch_input_shape" not in config["layers"][1]["config"]
    assert keras.Sequential.from_config(config).count_params() == model.count_params()


def test_unbuilt_sequential_config():
    model = keras.Sequential([layers.Dense(2)])
    config = model.get_config()
    assert [entry["class_name"] for entry in config["layers"]] == ["Dense"]
    clone = keras.Sequential.from_config(config)
    assert not clone.built


def test_tf_keras2_sequential_config_loads():
    config = {
        "name": "sequential",
        "layers": [
            {
                "class_name": "Dense",
                "config": {
                    "name": "dense",
                    "trainable": True,
                    "batch_input_shape": [None, 784],
                    "dtype": "float32",
                    "units": 64,
                    "activation": "relu",
                },
            },
            {"class_name": "Dropout", "config": {"name": "dropout", "rate": 0.2}},
            {"class_name": "Dense", "config": {"name": "dense_1", "units": 10, "activation": "softmax"}},
        ],
    }
    model = keras.Sequential.from_config(config)
    assert model.built and model.count_params() == 784 * 64 + 64 + 650
