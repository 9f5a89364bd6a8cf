import numpy as np
import torch

import keraslite as keras
from keraslite import layers


def _calls(graph_module, op):
    return [node for node in graph_module.graph.nodes if node.op == op]


def test_one_placeholder_per_input_and_one_call_module_per_layer_call():
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(4,), name="b")
    y = layers.concatenate([layers.Dense(2)(a), layers.Dense(2)(b)])
    model = keras.Model([a, b], y)
    gm = model.graph_module
    assert isinstance(gm, torch.fx.GraphModule)
    assert [n.name for n in _calls(gm, "placeholder")] == ["a", "b", "training"]
    assert [n.target for n in _calls(gm, "call_module")] == ["dense", "dense_1", "concatenate"]
    assert "def forward(self, a, b, training = None)" in gm.code


def test_shared_layer_is_one_submodule_called_twice():
    a = keras.Input(shape=(4,))
    b = keras.Input(shape=(4,))
    shared = layers.Dense(3)
    model = keras.Model([a, b], [shared(a), shared(b)])
    targets = [n.target for n in _calls(model.graph_module, "call_module")]
    assert targets == ["dense", "dense"]
    assert model.graph_module.dense is shared
    assert len(list(model.parameters())) == 2


def test_nested_model_is_a_submodule():
    inner_in = keras.Input(shape=(4,))
    inner = keras.Model(inner_in, layers.Dense(2)(inner_in), name="inner")
    x = keras.Input(shape=(4,))
    outer = keras.Model(x, inner(x))
    assert [n.target for n in _calls(outer.graph_module, "call_module")] == ["inner"]
    assert [name for name, _ in outer.named_parameters()] == ["inner.dense.kernel", "inner.dense.bias"]
    # state_dict keys follow the structure, not names (models/state_dict_keys.py).
    assert list(outer.state_dict()) == ["functional.dense.kernel", "functional.dense.bias"]


def test_multiple_outputs_of_a_layer_use_getitem():
    x = keras.Input(shape=(5, 3))
    seq, h, c = layers.LSTM(4, return_sequences=True, return_state=True)(x)
    model = keras.Model(x, [seq, h, c])
    assert len([n for n in model.graph_module.graph.nodes if n.op == "call_function"]) == 3
    out = model(np.zeros((2, 5, 3), "float32"))
    assert [tuple(o.shape) for o in out] == [(2, 5, 4), (2, 4), (2, 4)]


def test_training_flag_reaches_dropout():
    x = keras.Input(shape=(1000,))
    model = keras.Model(x, layers.Dropout(0.5)(x))
    data = torch.ones(2, 1000)
    assert torch.equal(model(data), data)
    dropped = model(data, training=True)
    assert 0.3 < (dropped == 0).float().mean().item() < 0.7


def test_graph_module_lints_and_runs_standalone():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, layers.Dense(2, activation="relu")(x))
    model.graph_module.graph.lint()
    (out,) = model.graph_module(torch.ones(1, 3))
    assert out.shape == (1, 2)


def test_layer_names_colliding_with_model_attributes():
    x = keras.Input(shape=(3,))
    y = layers.Dense(2, name="output")(x)
    y = layers.Dense(2, name="summary")(y)
    model = keras.Model(x, y)
    assert callable(model.summary)
    assert model.get_layer("output").name == "output"
    assert model(torch.ones(1, 3)).shape == (1, 2)
