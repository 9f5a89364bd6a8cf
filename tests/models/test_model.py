import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers


def test_functional_model_is_a_functional_nn_module():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, layers.Dense(2)(x))
    assert type(model).__name__ == "Functional" and isinstance(model, keras.Model)
    assert isinstance(model, torch.nn.Module)
    assert model.name == "model"


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


def test_get_layer_by_name_and_index():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, layers.Dense(2, name="head")(x))
    assert model.get_layer("head") is model.get_layer(index=1)
    with pytest.raises(ValueError, match="No such layer: tail"):
        model.get_layer("tail")
    with pytest.raises(ValueError, match="only has 2 layers"):
        model.get_layer(index=5)


def test_nested_model_called_on_tensors_and_keras_tensors():
    inner_in = keras.Input(shape=(3,))
    inner = keras.Model(inner_in, layers.Dense(3)(inner_in), name="inner")
    x = keras.Input(shape=(3,))
    outer = keras.Model(x, inner(inner(x)))
    data = torch.ones(2, 3)
    np.testing.assert_allclose(outer(data).detach().numpy(), inner(inner(data)).detach().numpy(), rtol=1e-6)
    assert len(outer.weights) == 2


def test_subclassed_model_from_the_guide():
    class MLP(keras.Model):
        def __init__(self, **kwargs):
            super(MLP, self).__init__(**kwargs)
            self.dense_1 = layers.Dense(64, activation='relu')
            self.dense_2 = layers.Dense(10)

        def call(self, inputs):
            x = self.dense_1(inputs)
            return self.dense_2(x)

    mlp = MLP()
    _ = mlp(torch.zeros((1, 32)))
    assert mlp.name == "mlp" and len(mlp.weights) == 4 and tuple(_.shape) == (1, 10)
    assert [layer.name for layer in mlp.layers] == ["dense", "dense_1"]
    printed = []
    mlp.summary(print_fn=printed.append)
    assert printed[4].startswith("dense (Dense)") and "multiple" in printed[4]
    assert "Total params: 2,762" in printed


def test_model_moves_with_to():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, layers.Dense(2)(x))
    model.to(torch.float64)
    assert model.layers[1].kernel.dtype == torch.float64
    model.to("cpu")
    assert model(np.ones((1, 3))).device.type == "cpu"


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
