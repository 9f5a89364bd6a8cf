"""Python values on either side of a tensor's operators, and NumPy functions on tensors.

torch refuses `[[1., 2.]] @ w`, `np.ones(3) - t` and `np.mean(t, axis=0)`; Keras variables
(and TensorFlow's eager tensors) accept them: the list or array becomes a tensor on the
tensor's device (a float one in the tensor's float dtype), and a NumPy function computes on
the tensor's values. `ArrayOperandsMixin` gives a torch tensor subclass that behaviour; a
tensor operand goes straight to torch's own operator, so tensor arithmetic costs what it
did.
"""

from __future__ import annotations

import numpy as np
import torch

from keraslite.backend.conversion import to_numpy

_PYTHON_OPERANDS = (list, tuple, np.ndarray, np.generic)


def _as_operand(value, like: torch.Tensor):
    if not isinstance(value, _PYTHON_OPERANDS):
        return value
    array = np.asarray(value)
    if array.dtype == object:
        # A list holding tensors: stack what it holds.
        return torch.as_tensor(np.asarray([np.asarray(_to_numpy(v)) for v in value]), device=like.device)
    tensor = torch.as_tensor(array, device=like.device)
    if tensor.is_floating_point() and like.is_floating_point():
        tensor = tensor.to(like.dtype)
    elif array.dtype.kind in "iub" and like.is_floating_point():
        tensor = tensor.to(like.dtype)
    return tensor


def _to_numpy(value):
    if isinstance(value, torch.Tensor):
        return to_numpy(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_to_numpy(v) for v in value)
    if isinstance(value, dict):
        return {k: _to_numpy(v) for k, v in value.items()}
    return value


def _binary(name: str):
    torch_operator = getattr(torch.Tensor, name)

    def operator(self, other):
        result = torch_operator(self, _as_operand(other, self))
        wrap = self._operator_result
        return result if wrap is None else wrap(result)

    operator.__name__ = name
    return operator


class ArrayOperandsMixin:
    """Operators that take lists, tuples and NumPy arrays; NumPy functions on the values.

    `_operator_result`, when a subclass sets it, is applied to what the operators return
    (the TensorFlow shim keeps its eager tensor type that way).
    """

    _operator_result = None

    def __array_function__(self, func, types, args, kwargs):
        return func(*_to_numpy(args), **_to_numpy(kwargs))


for _name in (
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
    "__floordiv__",
    "__rfloordiv__",
    "__mod__",
    "__rmod__",
    "__pow__",
    "__rpow__",
    "__matmul__",
    "__rmatmul__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
):
    setattr(ArrayOperandsMixin, _name, _binary(_name))
