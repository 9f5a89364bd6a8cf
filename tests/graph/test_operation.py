"""`graph.operation.Operation`: the base of layers and op nodes (names, node
bookkeeping, symbolic calls, graph access)."""

import pytest
import torch

import keraslite as keras
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.graph.node import Node
from keraslite.graph.operation import Operation
from keraslite.graph.symbolic_ops import OpLayer
from keraslite.layers.base_layer import Layer


class Double(Operation):
    def call(self, x):
        return x * 2


class HalfWidth(Operation):
    """Defines its output itself: no fake-tensor run."""

    def call(self, x):
        return x[:, : x.shape[1] // 2]

    def compute_output_spec(self, x):
        return KerasTensor((x.shape[0], x.shape[1] // 2), x.dtype)


def test_layer_and_op_nodes_are_operations():
    assert issubclass(Layer, Operation) and issubclass(OpLayer, Operation)
    assert not issubclass(OpLayer, Layer)
    assert issubclass(Operation, torch.nn.Module)


def test_auto_names_share_the_layer_counter():
    keras.backend.clear_session()
    assert Double().name == "double"
    assert Double().name == "double_1"
    assert Double(name="twice").name == "twice"
    with pytest.raises(TypeError, match="name must be a string"):
        Double(name=3)


def test_eager_call_computes():
    torch.testing.assert_close(Double()(torch.ones(2, 3)), torch.full((2, 3), 2.0))


def test_symbolic_call_records_a_node_and_infers_the_output():
    x = keras.Input((4,))
    op = Double()
    y = op(x)
    assert isinstance(y, KerasTensor) and tuple(y.shape) == (None, 4) and y.dtype == "float32"
    assert len(op._inbound_nodes) == 1
    node = op._inbound_nodes[0]
    assert isinstance(node, Node) and node.outputs is y and node.call_args == (x,)
    assert y._keras_history.layer is op and y._keras_history.node_index == 0
    producer = x._keras_history.layer
    assert producer._outbound_nodes[-1] is node
    # Graph access, as on a layer.
    assert op.input is x and op.output is y
    assert op.input_shape == (None, 4) and op.output_shape == (None, 4)
    assert op.get_input_at(0) is x and op.get_output_at(0) is y


def test_compute_output_spec_override_is_used():
    y = HalfWidth()(keras.Input((6,)))
    assert tuple(y.shape) == (None, 3)


def test_graph_access_errors_name_the_operation():
    op = Double(name="lonely")
    with pytest.raises(AttributeError, match="lonely has never been called"):
        op.output
    x = keras.Input((2,))
    op(x)
    op(keras.Input((2,)))
    with pytest.raises(AttributeError, match="multiple inbound nodes"):
        op.input


def test_undefined_call_raises():
    with pytest.raises(NotImplementedError, match="Operation"):
        Operation()(torch.zeros(1))


def test_operations_lower_into_a_functional_model():
    x = keras.Input((3,))
    y = Double()(keras.layers.Dense(3)(x))
    model = keras.Model(x, y)
    data = torch.ones(2, 3)
    torch.testing.assert_close(model(data), model.layers[1](data) * 2)
