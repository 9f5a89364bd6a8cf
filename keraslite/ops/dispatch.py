"""How every `keras.ops` function treats its arguments.

`@keras_op` makes one function work both ways: on tensors (torch tensors, NumPy arrays,
Python numbers) it runs the torch implementation directly; given a `KerasTensor`
anywhere in its arguments (also inside a list, as for `stack`) it records an op node in
the functional graph, which the fx lowering turns into a `call_function` of the same
torch implementation. The eager path costs one scan of the arguments.
"""

from __future__ import annotations

import functools

import torch

from keraslite.backend import dtypes, state
from keraslite.backend.conversion import to_tensor
from keraslite.graph import symbolic_ops
from keraslite.graph.keras_tensor import KerasTensor


def any_symbolic(args, kwargs) -> bool:
    """Whether a KerasTensor is among the arguments (also inside lists and tuples)."""
    for value in args:
        if isinstance(value, KerasTensor):
            return True
        if isinstance(value, (list, tuple)) and any(isinstance(v, KerasTensor) for v in value):
            return True
    for value in kwargs.values():
        if isinstance(value, KerasTensor):
            return True
        if isinstance(value, (list, tuple)) and any(isinstance(v, KerasTensor) for v in value):
            return True
    return False


def keras_op(function):
    """Decorate a torch implementation so that it also records nodes on KerasTensors."""

    @functools.wraps(function)
    def op(*args, **kwargs):
        if any_symbolic(args, kwargs):
            return symbolic_ops.apply_function(function, *args, **kwargs)
        return function(*args, **kwargs)

    op.eager_function = function
    return op


def operand(value, like=None):
    """A binary op's operand: tensors stay, Python numbers stay (torch promotes them the
    way Keras's weak types do), anything else is converted (onto the device of `like`,
    the other operand, when that is a tensor)."""
    if isinstance(value, (torch.Tensor, int, float, bool)):
        return value
    tensor = to_tensor(value)
    if isinstance(like, torch.Tensor) and tensor.device != like.device:
        tensor = tensor.to(like.device)
    return tensor


def axis_arg(axis):
    """Keras axis (None, int, list/tuple) -> what torch reductions take."""
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return tuple(int(a) for a in axis)
    return int(axis)


def default_float(tensor: torch.Tensor) -> torch.Tensor:
    """Integer/bool inputs of float-valued ops (mean, sqrt, ...) compute in floatx."""
    if tensor.is_floating_point() or tensor.is_complex():
        return tensor
    return tensor.to(dtypes.to_torch_dtype(state.floatx()))
