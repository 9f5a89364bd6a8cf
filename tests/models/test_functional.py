"""Functional models (models/functional.py): calling them, and their configs in Keras 3's
schema (functional graphs, nested models, ops) and tf.keras 2's."""

import json

import h5py
import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite.models.functional import Functional


def summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return lines


def mnist_model():
    inputs = keras.Input(shape=(784,), name="img")
    x = layers.Dense(64, activation="relu")(inputs)
    y = layers.Dense(64, activation="relu")(x)
    z = layers.add([x, y])
    return keras.Model(inputs=inputs, outputs=layers.Dense(10)(z), name="mnist_model")


def ticket_model():
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(12,), name="tags")
    title_features = layers.LSTM(16)(layers.Embedding(100, 8)(title_input))
    body_features = layers.LSTM(8)(layers.Embedding(100, 8)(body_input))
    x = layers.concatenate([title_features, body_features, tags_input])
    return keras.Model(
        inputs=[title_input, body_input, tags_input],
        outputs=[layers.Dense(1, name="priority")(x), layers.Dense(4, name="department")(x)],
    )


def test_functional_model_is_a_functional_nn_module():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, layers.Dense(2)(x))
    assert type(model).__name__ == "Functional" and isinstance(model, keras.Model)
    assert isinstance(model, torch.nn.Module)
    assert model.name == "functional"


def test_dict_inputs_and_outputs():
    a = keras.Input(shape=(2,), name="a")
    b = keras.Input(shape=(3,), name="b")
    joined = layers.concatenate([a, b])
    model = keras.Model({"a": a, "b": b}, {"sum": layers.Dense(1, name="sum")(joined), "cat": joined})
    out = model({"a": np.ones((4, 2)), "b": np.zeros((4, 3))})
    assert set(out) == {"sum", "cat"} and tuple(out["cat"].shape) == (4, 5)
    assert model.input_names == ["a", "b"]


def test_list_inputs_accept_dict_by_name_and_list():
    a = keras.Input(shape=(2,), name="a")
    b = keras.Input(shape=(2,), name="b")
    model = keras.Model([a, b], layers.subtract([a, b]))
    ones, twos = np.ones((1, 2), "float32"), 2 * np.ones((1, 2), "float32")
    assert model([ones, twos]).sum().item() == -2
    assert model({"b": twos, "a": ones}).sum().item() == -2


def test_nested_model_called_on_tensors_and_keras_tensors():
    inner_in = keras.Input(shape=(3,))
    inner = keras.Model(inner_in, layers.Dense(3)(inner_in), name="inner")
    x = keras.Input(shape=(3,))
    outer = keras.Model(x, inner(inner(x)))
    data = torch.ones(2, 3)
    np.testing.assert_allclose(outer(data).detach().numpy(), inner(inner(data)).detach().numpy(), rtol=1e-6)
    assert len(outer.weights) == 2


def test_intermediate_tensors_as_model_io():
    x = keras.Input(shape=(3,))
    h = layers.Dense(4, name="h")(x)
    y = layers.Dense(1)(h)
    full = keras.Model(x, [h, y])
    hidden, out = full(np.ones((2, 3), "float32"))
    assert tuple(hidden.shape) == (2, 4) and tuple(out.shape) == (2, 1)


def test_string_inputs_reach_text_layers_as_numpy():
    vectorize = layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    vectorize.adapt(["the cat sat", "the dog ran far away"])
    text = keras.Input(shape=(), dtype="string")
    assert text.dtype == "string"
    model = keras.Model(text, layers.GlobalAveragePooling1D()(layers.Embedding(20, 3)(vectorize(text))))
    assert tuple(model(np.array(["the cat", "a dog ran"])).shape) == (2, 3)
    with pytest.raises(TypeError, match="expects strings"):
        model(np.zeros((2,), "float32"))


def test_inputs_one_trailing_axis_of_size_one_off_take_the_input_rank():
    images = keras.Input(shape=(6, 6, 1), name="images")
    model = keras.Model(images, layers.Flatten()(layers.Conv2D(2, 3)(images)))
    assert tuple(model(np.ones((5, 6, 6), "float32")).shape) == (5, 32)  # axis added
    assert tuple(model(np.ones((5, 6, 6, 1, 1), "float32")).shape) == (5, 32)  # axis dropped
    values = keras.Input(shape=(4,), name="values")
    dense = keras.Model(values, layers.Dense(3)(values))
    assert tuple(dense(torch.ones(2, 4, 1)).shape) == (2, 3)
    pair = keras.Model({"images": images, "values": values}, [model(images), dense(values)])
    outputs = pair({"images": np.ones((2, 6, 6), "float32"), "values": np.ones((2, 4, 1), "float32")})
    assert [tuple(o.shape) for o in outputs] == [(2, 32), (2, 3)]
    for wrong in ((5, 6, 6, 2), (5, 6)):
        with pytest.raises(ValueError, match=r'"images".*expected shape=\(None, 6, 6, 1\)\. Received: shape='):
            model(np.ones(wrong, "float32"))
    with pytest.raises(ValueError, match=r"Received: shape=\(2, 4, 2\)"):
        dense(np.ones((2, 4, 2), "float32"))


def test_functional_config_schema():
    model = mnist_model()
    config = model.get_config()
    assert set(config) == {"name", "trainable", "layers", "input_layers", "output_layers"}
    assert config["name"] == "mnist_model"
    assert config["input_layers"] == ["img", 0, 0]
    assert config["output_layers"] == ["dense_2", 0, 0]
    first, dense, _, add, _ = config["layers"]
    assert first["class_name"] == "InputLayer" and first["module"] == "keras.layers"
    assert first["config"] == {
        "batch_shape": [None, 784],
        "dtype": "float32",
        "sparse": False,
        "ragged": False,
        "name": "img",
        "optional": False,
    }
    assert first["inbound_nodes"] == []
    assert set(dense) == {"module", "class_name", "config", "registered_name", "build_config", "name", "inbound_nodes"}
    assert dense["build_config"] == {"input_shape": (None, 784)}
    tensor = dense["inbound_nodes"][0]["args"][0]
    assert tensor == {
        "class_name": "__keras_tensor__",
        "config": {"shape": [None, 784], "dtype": "float32", "keras_history": ["img", 0, 0]},
    }
    histories = [t["config"]["keras_history"] for t in add["inbound_nodes"][0]["args"][0]]
    assert histories == [["dense", 0, 0], ["dense_1", 0, 0]]
    json.dumps(config)  # plain JSON


def test_functional_round_trip_same_summary_and_outputs():
    model = mnist_model()
    clone = keras.Model.from_config(model.get_config())
    assert summary_lines(clone) == summary_lines(model)
    clone.set_weights(model.get_weights())
    x = np.random.rand(3, 784).astype("float32")
    assert torch.equal(clone(x), model(x))


def test_ticket_model_round_trip():
    model = ticket_model()
    config = model.get_config()
    assert config["input_layers"] == [["title", 0, 0], ["body", 0, 0], ["tags", 0, 0]]
    assert config["output_layers"] == [["priority", 0, 0], ["department", 0, 0]]
    clone = keras.Model.from_config(config)
    assert summary_lines(clone) == summary_lines(model)


def test_nested_models_round_trip():
    encoder_input = keras.Input(shape=(6,), name="enc_in")
    encoder = keras.Model(encoder_input, layers.Dense(4)(encoder_input), name="encoder")
    head = keras.Sequential([layers.Dense(3), layers.Dense(2)], name="head")
    outer_input = keras.Input(shape=(6,), name="outer_in")
    z = encoder(outer_input)
    model = keras.Model(outer_input, [head(z), z], name="nested")
    config = model.get_config()
    head_entry = config["layers"][2]
    assert head_entry["class_name"] == "Sequential" and head_entry["module"] == "keras"
    assert head_entry["inbound_nodes"][0]["args"][0]["config"]["keras_history"] == ["encoder", 0, 0]
    # Keras counts a nested functional model's calls from 1 in output_layers.
    assert config["output_layers"] == [["head", 0, 0], ["encoder", 1, 0]]
    clone = keras.Model.from_config(config)
    assert summary_lines(clone) == summary_lines(model)
    clone.set_weights(model.get_weights())
    x = np.random.rand(2, 6).astype("float32")
    for a, b in zip(clone(x), model(x)):
        assert torch.equal(a, b)


def test_shared_layer_and_ops_round_trip():
    inputs = keras.Input(shape=(5,), name="x")
    shared = layers.Dense(5, name="shared")
    y = shared(shared(inputs))
    y = (y + 1.0)[:, 1:4]
    model = keras.Model(inputs, y)
    config = model.get_config()
    shared_entry = next(e for e in config["layers"] if e["name"] == "shared")
    assert len(shared_entry["inbound_nodes"]) == 2
    assert shared_entry["inbound_nodes"][1]["args"][0]["config"]["keras_history"] == ["shared", 0, 0]
    classes = [(e["module"], e["class_name"]) for e in config["layers"]]
    assert ("keras.src.ops.numpy", "Add") in classes and ("keras.src.ops.numpy", "GetItem") in classes
    clone = keras.Model.from_config(config)
    clone.set_weights(model.get_weights())
    x = np.random.rand(2, 5).astype("float32")
    assert torch.equal(clone(x), model(x))
    assert tuple(clone.output_shape) == (None, 3)


def test_keras3_config_with_dtype_policy_and_new_keys_loads():
    """Keras 3 writes dtype as a DTypePolicy config and keys keraslite does not know."""
    policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
    config = {
        "name": "seq",
        "trainable": True,
        "dtype": policy,
        "layers": [
            {
                "module": "keras.layers",
                "class_name": "InputLayer",
                "config": {
                    "batch_shape": [None, 3],
                    "dtype": "float32",
                    "sparse": False,
                    "ragged": False,
                    "name": "input_layer",
                    "optional": False,
                },
                "registered_name": None,
            },
            {
                "module": "keras.layers",
                "class_name": "Dense",
                "config": {
                    "name": "dense",
                    "trainable": True,
                    "dtype": policy,
                    "units": 2,
                    "activation": "linear",
                    "use_bias": True,
                    "kernel_initializer": {
                        "module": "keras.initializers",
                        "class_name": "GlorotUniform",
                        "config": {"seed": None, "input_axes": None, "output_axes": None},
                        "registered_name": None,
                    },
                    "bias_initializer": {
                        "module": "keras.initializers",
                        "class_name": "Zeros",
                        "config": {},
                        "registered_name": None,
                    },
                    "kernel_regularizer": None,
                    "bias_regularizer": None,
                    "kernel_constraint": None,
                    "bias_constraint": None,
                    "quantization_config": None,
                },
                "registered_name": None,
                "build_config": {"input_shape": [None, 3]},
            },
        ],
        "build_input_shape": [None, 3],
    }
    model = keras.Sequential.from_config(config)
    assert model.count_params() == 8 and model.layers[0].dtype == "float32"


def test_tf_keras2_functional_config_loads():
    """tf.keras 2 configs: no `module`, inbound_nodes as [[name, node, tensor, kwargs]],
    InputLayer with batch_input_shape, a nested model counted from node 1."""
    inner = {
        "class_name": "Functional",
        "config": {
            "name": "inner",
            "layers": [
                {
                    "class_name": "InputLayer",
                    "config": {
                        "batch_input_shape": [None, 4],
                        "dtype": "float32",
                        "sparse": False,
                        "ragged": False,
                        "name": "a",
                    },
                    "name": "a",
                    "inbound_nodes": [],
                },
                {
                    "class_name": "Dense",
                    "config": {
                        "name": "d1",
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
                    "name": "d1",
                    "inbound_nodes": [[["a", 0, 0, {}]]],
                },
            ],
            "input_layers": [["a", 0, 0]],
            "output_layers": [["d1", 0, 0]],
        },
        "name": "inner",
        "inbound_nodes": [[["b", 0, 0, {}]]],
    }
    config = {
        "name": "outer",
        "layers": [
            {
                "class_name": "InputLayer",
                "config": {
                    "batch_input_shape": [None, 4],
                    "dtype": "float32",
                    "sparse": False,
                    "ragged": False,
                    "name": "b",
                },
                "name": "b",
                "inbound_nodes": [],
            },
            inner,
            {
                "class_name": "Dense",
                "config": {"name": "d2", "units": 2},
                "name": "d2",
                "inbound_nodes": [[["inner", 1, 0, {}]]],
            },
            {
                "class_name": "Concatenate",
                "config": {"name": "cat", "axis": -1},
                "name": "cat",
                "inbound_nodes": [[["d2", 0, 0, {}], ["inner", 1, 0, {}]]],
            },
        ],
        "input_layers": [["b", 0, 0]],
        "output_layers": [["cat", 0, 0]],
    }
    model = keras.Model.from_config(config)
    assert [layer.name for layer in model.layers] == ["b", "inner", "d2", "cat"]
    assert tuple(model.output_shape) == (None, 5)
    assert model.count_params() == 15 + 8


def test_invalid_configs_give_clear_errors():
    config = mnist_model().get_config()
    broken = dict(config)
    del broken["input_layers"]
    with pytest.raises(ValueError, match="missing key 'input_layers'"):
        keras.Model.from_config(broken)
    unknown = json.loads(json.dumps(config))
    unknown["layers"][1]["class_name"] = "NoSuchLayer"
    with pytest.raises(TypeError, match="Could not locate class 'NoSuchLayer'"):
        keras.Model.from_config(unknown)
    dangling = json.loads(json.dumps(config))
    dangling["layers"][1]["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = ["ghost", 0, 0]
    with pytest.raises(ValueError, match="unknown layer 'ghost'"):
        keras.Model.from_config(dangling)


def test_keras_ops_calls_round_trip_in_keras_form():
    from keraslite import ops

    a = keras.Input((4, 3), name="a")
    b = keras.Input((4, 3), name="b")
    x = ops.concatenate([a, b], axis=1)
    y = ops.mean(ops.maximum(x, 0.5), axis=-1, keepdims=True)
    model = keras.Model([a, b], y)
    entries = {e["class_name"]: e for e in model.get_config()["layers"]}
    assert entries["Concatenate"]["module"] == "keras.src.ops.numpy"
    assert entries["Concatenate"]["config"] == {"name": entries["Concatenate"]["name"], "axis": 1}
    assert entries["Mean"]["config"]["keepdims"] is True
    assert entries["Maximum"]["inbound_nodes"][0]["args"][1] == 0.5  # operands stay call arguments
    clone = keras.Model.from_config(model.get_config())
    data = [np.random.rand(2, 4, 3).astype("float32") for _ in range(2)]
    assert torch.equal(clone(data), model(data))


def test_ops_with_fixed_tensors_are_written_into_the_config():
    # Keras 3 writes an op's fixed tensors among its call arguments, as `__tensor__` values.
    from keraslite import ops

    inputs = keras.Input((3,))
    weights = torch.arange(6, dtype=torch.float32).reshape(3, 2)
    outputs = ops.matmul(inputs, weights) + torch.tensor([1.0, -1.0])
    model = keras.Model(inputs, outputs)
    entries = {e["class_name"]: e for e in model.get_config()["layers"]}
    assert entries["Matmul"]["inbound_nodes"][0]["args"][1] == {
        "class_name": "__tensor__",
        "config": {"value": weights.tolist(), "dtype": "float32"},
    }
    assert entries["Add"]["inbound_nodes"][0]["args"][1]["config"]["value"] == [1.0, -1.0]
    clone = keras.Model.from_config(model.get_config())
    data = np.random.rand(4, 3).astype("float32")
    assert torch.equal(clone(data), model(data))
    add = next(op for op in clone.operations if op.name == entries["Add"]["name"])
    assert "constant_0" in dict(add.named_buffers())


def test_model_subclass_built_from_inputs_and_outputs_is_functional(tmp_path):
    # Keras's "functional subclass": Functional takes Model's place among the class's bases.
    class CustomModel(keras.Model):
        def train_step(self, data):
            return {}

    inputs = keras.Input(shape=(4,))
    model = CustomModel(inputs, layers.Dense(2)(inputs))
    assert isinstance(model, Functional) and model.graph_module is not None
    assert model.get_config()["layers"][1]["class_name"] == "Dense"
    # Weights are addressed as Keras 3 addresses a functional model's: under `layers/`.
    model.save_weights(tmp_path / "m.weights.h5")
    with h5py.File(tmp_path / "m.weights.h5") as h5:
        assert "layers/dense/vars" in h5 and "dense" not in h5

    class BuildsItself(keras.Model):
        def __init__(self, units=3, **kwargs):
            x = keras.Input(shape=(4,))
            super().__init__(x, layers.Dense(units)(x), **kwargs)

    built = BuildsItself(units=5)
    assert isinstance(built, Functional) and built.get_config() == {"name": built.name, "trainable": True, "units": 5}
    assert tuple(built(torch.zeros(2, 4)).shape) == (2, 5)

    class TwoPositionalArguments(keras.Model):
        def __init__(self, units, rate, **kwargs):
            super().__init__(**kwargs)
            self.dense = layers.Dense(units)
            self.rate = rate

        def call(self, inputs):
            return self.dense(inputs)

    subclassed = TwoPositionalArguments(3, 0.5)
    assert not isinstance(subclassed, Functional) and tuple(subclassed(torch.zeros(2, 4)).shape) == (2, 3)


def test_recorded_ops_are_operations_not_layers_in_keras3():
    # Keras 3: `model.layers` holds Layers only; the ops are in `model.operations` and in the
    # summary (as `add (Add)`). tf.keras 2 listed them among the layers.
    from keraslite import ops

    inputs = keras.Input((3,))
    model = keras.Model(inputs, ops.mean(layers.Dense(3)(inputs) + 1.0, axis=-1))
    assert [layer.name for layer in model.layers] == ["input_layer", "dense"]
    assert [op.name for op in model.operations] == ["input_layer", "dense", "add", "mean"]
    lines = []
    model.summary(print_fn=lines.append)
    assert "add (Add)" in lines[0] and "mean (Mean)" in lines[0]
    keras.config.set_dialect("tf2")
    assert [layer.name for layer in model.layers][-2:] == ["add", "mean"]


def test_deepcopy_copies_the_model_and_its_graph():
    import copy

    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Dense(2)(inputs) + 1.0)
    model.compile("sgd", "mse")
    x, y = np.random.rand(8, 3).astype("float32"), np.random.rand(8, 2).astype("float32")
    twin = copy.deepcopy(model)
    np.testing.assert_allclose(twin.predict(x, verbose=0), model.predict(x, verbose=0))
    assert twin.layers[1] is not model.layers[1]
    assert twin.inputs[0]._keras_history.layer is twin.layers[0]
    twin.fit(x, y, epochs=2, verbose=0)  # trains the copy only
    assert not np.allclose(twin.layers[1].kernel.numpy(), model.layers[1].kernel.numpy())
