"""`ops.dispatch`: one op function for tensors and KerasTensors, and the argument
rules every op shares (`to_tensor` itself: tests/backend/test_conversion.py)."""

import numpy as np
import torch

import keraslite as keras
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.graph.symbolic_ops import OpLayer
from keraslite.ops import dispatch


@dispatch.keras_op
def twice(x, bias=0.0):
    """Doubles `x`."""
    return dispatch.to_tensor(x) * 2 + bias


def test_keras_op_keeps_the_function_identity():
    assert twice.eager_function(torch.ones(1)).item() == 2.0
    assert twice.__name__ == "twice" and twice.__doc__ == "Doubles `x`."


def test_keras_op_runs_eagerly_on_tensors_and_arrays():
    torch.testing.assert_close(twice(torch.ones(2), bias=1.0), torch.full((2,), 3.0))
    assert isinstance(twice(np.ones(2, "float32")), torch.Tensor)


def test_keras_op_records_a_node_on_keras_tensors():
    x = keras.Input((3,))
    y = twice(x, bias=1.0)
    assert isinstance(y, KerasTensor) and tuple(y.shape) == (None, 3)
    op = y._keras_history.layer
    assert isinstance(op, OpLayer) and op._op_function is twice.eager_function


def test_any_symbolic_looks_inside_lists():
    x = keras.Input((3,))
    assert dispatch.any_symbolic((x,), {})
    assert dispatch.any_symbolic(([torch.ones(1), x],), {})
    assert dispatch.any_symbolic((), {"y": x})
    assert dispatch.any_symbolic((), {"ys": (x,)})
    assert not dispatch.any_symbolic((torch.ones(1), [1, 2]), {"k": 3})


def test_operand_axis_arg_and_default_float():
    t = torch.ones(2)
    assert dispatch.operand(t) is t and dispatch.operand(2) == 2
    assert isinstance(dispatch.operand([1.0, 2.0], like=t), torch.Tensor)
    assert (
        dispatch.axis_arg(None) is None and dispatch.axis_arg([0, 1]) == (0, 1) and dispatch.axis_arg(np.int64(1)) == 1
    )
    assert dispatch.default_float(torch.ones(2, dtype=torch.int32)).dtype == torch.float32
    assert dispatch.default_float(torch.ones(2, dtype=torch.float64)).dtype == torch.float64
