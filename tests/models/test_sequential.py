import numpy as np
import pytest

import keraslite as keras
from keraslite import layers


def summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return lines


@pytest.mark.usefixtures("tf2_dialect")
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


# ---------------------------------------------------------------- growing and shrinking (Keras 3's behaviour)
@pytest.mark.usefixtures("tf2_dialect")
def test_add_after_input_keeps_the_model_built_and_summary_follows_each_add():
    model = keras.Sequential()
    model.add(keras.Input(shape=(32, 32, 3)))
    model.add(layers.Conv2D(4, 5, strides=2, activation="relu"))
    model.add(layers.MaxPooling2D(3))
    first = summary_lines(model)
    assert model.built and model.output_shape == (None, 4, 4, 4)
    assert first[4].startswith("conv2d (Conv2D)              (None, 14, 14, 4)")
    model.add(layers.Conv2D(4, 3, activation="relu"))
    model.add(layers.GlobalMaxPooling2D())
    model.add(layers.Dense(10))
    assert model.output_shape == (None, 10) and len(model.weights) == 6
    assert len(summary_lines(model)) == len(first) + 6
    # The input is not one of the model's layers, and each layer joined the graph once.
    assert [type(layer).__name__ for layer in model.layers] == [
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "GlobalMaxPooling2D",
        "Dense",
    ]
    assert all(len(layer._inbound_nodes) == 1 for layer in model.layers)
    assert tuple(model(np.ones((2, 32, 32, 3), "float32")).shape) == (2, 10)


def test_input_tensor_or_input_layer_first_in_the_constructor():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
    assert model.built and [layer.name for layer in model.layers] == [model.layers[0].name]
    assert isinstance(model.layers[0], layers.Dense)
    only_input = keras.Sequential([layers.InputLayer(shape=(4,))])
    assert not only_input.built and only_input.layers == []
    only_input.add(layers.Dense(3))
    assert only_input.output_shape == (None, 3)


def test_a_second_input_is_refused_with_the_configured_shape():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
    with pytest.raises(
        ValueError, match=r"already been configured to use input shape \(None, 4\).*Received: .*\(None, 3\)"
    ):
        model.add(keras.Input(shape=(3,)))


def test_pop_keeps_the_graph_until_only_the_input_is_left():
    model = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(5), layers.Dense(4), layers.Dense(3)])
    popped = model.pop()
    assert popped.name not in [layer.name for layer in model.layers]
    assert model.built and model.output_shape == (None, 4) and len(model.weights) == 4
    model.add(layers.Dense(2))
    assert model.output_shape == (None, 2)
    model.pop()
    model.pop()
    model.pop()
    assert model.layers == [] and not model.built and model.weights == []
    with pytest.raises(AttributeError):
        model.inputs
    with pytest.raises(TypeError, match="no layers"):
        model.pop()
    model.add(layers.Dense(7))
    assert model.output_shape == (None, 7)


def test_layer_that_cannot_follow_the_stack_leaves_the_model_as_it_was():
    model = keras.Sequential([keras.Input(shape=(8, 8, 3)), layers.Flatten()])
    with pytest.raises(ValueError, match="conv2d"):
        model.add(layers.Conv2D(2, 3))
    assert [type(layer).__name__ for layer in model.layers] == ["Flatten"]
    assert model.built and model.output_shape == (None, 192)


def test_build_or_first_call_keeps_the_input_so_later_adds_rebuild():
    built = keras.Sequential([layers.Dense(2), layers.Dense(3)])
    built.build((None, 16))
    built.add(layers.Dense(5))
    assert built.output_shape == (None, 5) and len(built.weights) == 6
    called = keras.Sequential([layers.Dense(2)])
    called(np.ones((3, 4), "float32"))
    called.add(layers.Dense(1))
    assert called.output_shape == (None, 1)
    assert [entry["class_name"] for entry in called.get_config()["layers"]] == ["InputLayer", "Dense", "Dense"]


def test_legacy_input_shape_on_the_first_layer_warns_and_builds():
    with pytest.warns(UserWarning, match=r"Do not pass an `input_shape`/`input_dim` argument to a layer"):
        model = keras.Sequential()
        model.add(layers.Dense(2, input_shape=(4,)))
    assert model.built and model.input_shape == (None, 4) and len(model.weights) == 2
    with pytest.warns(UserWarning, match="input_dim"):
        model = keras.Sequential([layers.Dense(2, input_dim=4), layers.Dense(1)])
    assert model.output_shape == (None, 1)


def test_loading_a_legacy_config_does_not_warn(recwarn):
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    keras.Sequential.from_config(model._legacy_config()["config"])
    assert not [w for w in recwarn if "input_shape" in str(w.message)]


def test_a_built_model_as_first_layer_gives_its_input():
    inputs = keras.Input(shape=(5,))
    base = keras.Model(inputs, layers.Dense(4)(inputs))
    model = keras.Sequential([base, layers.Dense(3)])
    assert model.built and model.input_shape == (None, 5) and model.output_shape == (None, 3)
    assert [layer.name for layer in model.layers] == [base.name, model.layers[1].name]


@pytest.mark.usefixtures("tf2_dialect")
def test_unbuilt_model_prints_its_layers_without_shapes():
    model = keras.Sequential([layers.Embedding(100, 8), layers.LSTM(4), layers.Dense(1)])
    assert not model.built and model.weights == []
    lines = summary_lines(model)
    assert lines[4].startswith("embedding (Embedding)        ?                         0")
    assert [line.split()[0] for line in lines[4:9:2]] == ["embedding", "lstm", model.layers[2].name]
    assert "Total params: 0" in lines
    for attribute in ("inputs", "outputs"):
        with pytest.raises(AttributeError):
            getattr(model, attribute)
    with pytest.raises(AttributeError, match="has no defined input shape yet"):
        model.input_shape
    with pytest.raises(AttributeError, match="has no defined output shape yet"):
        model.output_shape
    assert tuple(model(np.ones((2, 7), "int32")).shape) == (2, 1)
    assert model.built and "Total params: 1,013" in summary_lines(model)


def test_feature_extraction_from_a_model_grown_with_add():
    model = keras.Sequential()
    model.add(keras.Input(shape=(12, 12, 3)))
    model.add(layers.Conv2D(4, 3))
    model.add(layers.Conv2D(4, 3, name="intermediate"))
    model.add(layers.Conv2D(4, 3))
    extractor = keras.Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers])
    features = extractor(np.ones((1, 12, 12, 3), "float32"))
    assert [tuple(f.shape) for f in features] == [(1, 10, 10, 4), (1, 8, 8, 4), (1, 6, 6, 4)]
    one = keras.Model(inputs=model.inputs, outputs=model.get_layer(name="intermediate").output)
    assert tuple(one(np.ones((1, 12, 12, 3), "float32")).shape) == (1, 8, 8, 4)
