"""`graph.symbolic_ops`: functions and operators recorded on KerasTensors as `OpLayer`
nodes, lowered to `call_function` (or to `call_module` when they hold tensor constants)."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite.graph import symbolic_ops
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.graph.symbolic_ops import OpLayer


def _scale(x, factor=1.0):
    return x * factor


def test_apply_function_records_a_function_op():
    keras.backend.clear_session()
    x = keras.Input((3,))
    y = symbolic_ops.apply_function(_scale, x, factor=3.0)
    op = y._keras_history.layer
    assert isinstance(op, OpLayer) and op.name == "scale"
    assert op._keraslite_op_function is _scale and op._template is None
    assert op._inbound_nodes[0].call_kwargs == {"factor": 3.0}
    assert tuple(y.shape) == (None, 3)
    # Eager use runs the function; `training` is not passed on.
    torch.testing.assert_close(op(torch.ones(1, 3), factor=2.0, training=True), torch.full((1, 3), 2.0))


def test_named_operators_record_keras_op_names():
    keras.backend.clear_session()
    x = keras.Input((3,))
    y = symbolic_ops.apply("add", x, 1.0)
    assert y._keras_history.layer.name == "add"
    assert y._keras_history.layer._op_function.__name__ == "add"
    z = x[:, 0]
    assert z._keras_history.layer._op_function.__name__ == "get_item" and tuple(z.shape) == (None,)
    with pytest.raises(KeyError):
        symbolic_ops.apply("no_such_operator", x)


def test_tensor_constants_become_buffers_and_lower_to_call_module():
    x = keras.Input((2,))
    w = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    y = symbolic_ops.apply_function(torch.matmul, x, w)
    op = y._keras_history.layer
    assert op._template is not None and not hasattr(op, "_keraslite_op_function")
    assert torch.equal(op.constant_0, w)
    assert "constant_0" not in op.state_dict()  # non-persistent: not a weight
    model = keras.Model(x, y)
    kinds = {n.op for n in model.graph_module.graph.nodes}
    assert "call_module" in kinds
    data = np.array([[1.0, 1.0]], dtype="float32")
    np.testing.assert_allclose(model(data).detach().numpy(), data @ w.numpy())


def test_ops_without_constants_lower_to_call_function():
    x = keras.Input((2,))
    model = keras.Model(x, symbolic_ops.apply_function(_scale, x, factor=2.0))
    targets = [n.target for n in model.graph_module.graph.nodes if n.op == "call_function"]
    assert _scale in targets
    np.testing.assert_allclose(model(np.ones((1, 2), "float32")).detach().numpy(), [[2.0, 2.0]])


def test_shim_subclasses_of_str_and_tuple_become_plain_literals():
    class Shape(tuple):
        pass

    class Name(str):
        pass

    plain = symbolic_ops._plain_python([Shape((1, 2)), {"k": Name("float32")}])
    assert type(plain[0]) is tuple and type(plain[1]["k"]) is str
    point = __import__("collections").namedtuple("Point", "a b")(1, 2)
    assert symbolic_ops._plain_python(point) is point  # named tuples are kept


def test_function_op_has_no_weights():
    op = symbolic_ops.apply("negative", keras.Input((2,)))._keras_history.layer
    assert op.weights == [] and op.trainable_weights == [] and op.non_trainable_weights == []
    assert op.count_params() == 0 and op.get_weights() == [] and op.losses == []
    op.set_weights([])
    with pytest.raises(ValueError, match="no weights"):
        op.set_weights([np.zeros(1)])
    assert op.get_config()["function"] == "negative"
    assert op.built


def test_operator_outputs_are_keras_tensors():
    x = keras.Input((4,))
    for value in (x + 1, 2 * x, x - x, -x, abs(x), x**2, x > 0, x @ keras.Input((4, 2))):
        assert isinstance(value, KerasTensor)


def test_a_model_with_op_nodes_is_called_on_new_keras_tensors_and_frozen():
    inputs = keras.Input((3,))
    outputs = keras.ops.matmul(keras.layers.Dense(2)(inputs) * 2.0, torch.ones(2, 2))
    inner = keras.Model(inputs, outputs)
    new_inputs = keras.Input((3,))
    nested = inner(new_inputs)  # shape propagation walks the op nodes too
    assert tuple(nested.shape) == (None, 2)
    outer = keras.Model(new_inputs, nested)
    data = np.ones((2, 3), "float32")
    np.testing.assert_allclose(outer(data).detach().numpy(), inner(data).detach().numpy())
    inner.trainable = False
    assert [layer.trainable for layer in inner.operations] == [False] * len(inner.operations)
    assert [type(layer).__name__ for layer in inner.operations] == ["InputLayer", "Dense", "OpLayer", "OpLayer"]
