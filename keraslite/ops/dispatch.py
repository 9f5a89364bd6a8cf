"""How every `keras.ops` function treats its arguments.

`@keras_op` makes one function work both ways: on tensors (torch tensors, NumPy arrays,
Python numbers) it runs the torch implementation directly; given a `KerasTensor`
anywhere in its arguments (also inside a list, as for `stack`) it records an op node in
the functional graph, which the fx lowering turns into a `call_function` of the same
torch implementation. The eager path costs one scan of the arguments.
"""
from __future__ import annotations

import functools

import numpy as np
import torch

from keraslite.backend import dtypes, state
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


def to_tensor(value, dtype=None) -> torch.Tensor:
    """A torch tensor from a tensor, NumPy array or (nested list of) Python numbers.

    Python floats become `floatx()`, Python ints int32 and bools bool, as in Keras;
    NumPy arrays keep their dtype. New tensors go to the default device.
    """
    if isinstance(value, torch.Tensor):
        if dtype is not None:
            torch_dtype = dtypes.to_torch_dtype(dtype)
            if value.dtype != torch_dtype:
                return value.to(torch_dtype)
        return value
    torch_dtype = None if dtype is None else dtypes.to_torch_dtype(dtype)
    if isinstance(value, (bool, np.bool_)):
        tensor = torch.tensor(bool(value))
    elif isinstance(value, int):
        tensor = torch.tensor(value, dtype=torch.int32 if -2**31 <= value < 2**31 else torch.int64)
    elif isinstance(value, float):
        tensor = torch.tensor(value, dtype=dtypes.to_torch_dtype(state.floatx()))
    else:
        if isinstance(value, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in _flat(value)):
            return torch.stack([to_tensor(v, dtype) for v in value])
        array = np.asarray(value)
        if array.dtype == np.float64 and not isinstance(value, (np.ndarray, np.generic)):
            array = array.astype(state.floatx())  # Python floats: floatx, as Keras converts them
        elif array.dtype == np.int64 and not isinstance(value, (np.ndarray, np.generic)):
            array = array.astype(np.int32)
        elif array.dtype == object:
            raise TypeError(f"Cannot convert a value of type {type(value).__name__} to a tensor. Received: value={value!r}")
        # as_tensor keeps 0-d arrays 0-d (np.ascontiguousarray would make them 1-d).
        tensor = torch.as_tensor(array if array.flags.writeable else array.copy())
    tensor = tensor.to(state.get_device())
    if torch_dtype is not None and tensor.dtype != torch_dtype:
        tensor = tensor.to(torch_dtype)
    return tensor


def _flat(values):
    for value in values:
        if isinstance(value, (list, tuple)):
            yield from _flat(value)
        else:
            yield value


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
