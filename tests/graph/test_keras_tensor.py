import pytest

import keraslite as keras


def test_input_shape_and_dtype():
    x = keras.Input(shape=(784,))
    assert x.shape == (None, 784) and x.dtype == "float32" and x.ndim == 2
    y = keras.Input(batch_shape=(16, 10, 5), dtype="int32", name="seq")
    assert y.shape == (16, 10, 5) and y.dtype == "int32" and y.name == "seq"


def test_keras_tensor_is_immutable():
    x = keras.Input(shape=(3,))
    with pytest.raises(AttributeError, match="never changes"):
        x.foo = 1


def test_keras_tensor_cannot_be_a_bool_or_iterated():
    x = keras.Input(shape=(3,))
    with pytest.raises(TypeError, match="Python bool"):
        bool(x)
    with pytest.raises(TypeError, match="not iterable"):
        iter(x)


def test_history_points_to_the_node():
    x = keras.Input(shape=(3,))
    layer = keras.layers.Dense(2)
    y = layer(x)
    history = y._keras_history
    assert history.layer is layer and history.node_index == 0 and history.tensor_index == 0
    assert layer._inbound_nodes[0].outputs is y


def test_operators_record_nodes_in_the_graph():
    import numpy as np

    x = keras.Input(shape=(3,))
    y = keras.layers.Dense(3)(x)
    z = (y + x) * 2.0 - 1.0
    model = keras.Model(x, z)
    data = np.ones((2, 3), "float32")
    dense = model.layers[1]
    expected = ((data @ dense.kernel.detach().numpy() + dense.bias.detach().numpy()) + data) * 2.0 - 1.0
    np.testing.assert_allclose(model(data).detach().numpy(), expected, rtol=1e-6)
    assert "call_function" in str(model.graph_module.graph) or "torch" in model.graph_module.code
