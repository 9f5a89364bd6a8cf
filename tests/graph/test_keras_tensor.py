import numpy as np
import pytest

import keraslite as keras
from keraslite import KerasTensor


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


def test_keras3_constructor_and_ragged_members(keras_oracle):
    expected = keras_oracle.run(
        "x = keras.KerasTensor((None, 3, 1), 'float32', False, True, True, 'x',\n"
        "                      ragged_rank=1, row_splits_dtype='int32')\n"
        "y = keras.KerasTensor((None, 3, 1))\n"
        "result.update(ragged=x.ragged, rank=x.ragged_rank, splits=x.row_splits_dtype, sparse=x.sparse, name=x.name,\n"
        "              plain=[y.ragged, str(y.ragged_rank), str(y.row_splits_dtype)],\n"
        "              reshaped=list(y.reshape((-1, 3)).shape), squeezed=list(y.squeeze(-1).shape),\n"
        "              all_squeezed=list(keras.KerasTensor((2, 1, 3)).squeeze().shape))\n"
    )
    x = KerasTensor((None, 3, 1), "float32", False, True, True, "x", ragged_rank=1, row_splits_dtype="int32")
    y = KerasTensor((None, 3, 1))
    assert (x.ragged, x.ragged_rank, x.row_splits_dtype, x.sparse, x.name) == (
        expected["ragged"],
        expected["rank"],
        expected["splits"],
        expected["sparse"],
        expected["name"],
    )
    assert [y.ragged, str(y.ragged_rank), str(y.row_splits_dtype)] == expected["plain"]
    assert list(y.reshape((-1, 3)).shape) == expected["reshaped"]
    assert list(y.squeeze(-1).shape) == expected["squeezed"]
    assert list(KerasTensor((2, 1, 3)).squeeze().shape) == expected["all_squeezed"]
    with pytest.raises(TypeError, match="Unexpected keyword arguments: bogus"):
        KerasTensor((1,), bogus=1)
    with pytest.raises(ValueError, match="sparse=True` and `ragged=True"):
        KerasTensor((1,), sparse=True, ragged=True)


def test_reshape_and_squeeze_are_recorded_as_ops_in_a_model():
    inputs = keras.Input((3, 1))
    model = keras.Model(inputs, inputs.squeeze(-1).reshape((-1, 1, 3)))
    out = model(np.arange(6, dtype="float32").reshape(2, 3, 1))
    assert tuple(out.shape) == (2, 1, 3) and out[1, 0, 2].item() == 5.0
