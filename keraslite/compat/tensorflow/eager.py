"""Tensors as the shim hands them out: torch tensors whose `.shape` is a `TensorShape`.

`EagerTensor` is a torch tensor subclass that only changes how it reads and prints
(`x.shape` prints `(1, 10, 32)`, `repr(x)` is `tf.Tensor(..., shape=..., dtype=...)`,
`x.numpy()` always works). Its `__torch_function__` is disabled, so torch operations on
it return plain tensors: the subclass never spreads into a model, and wrapping a result
costs about as much as one small torch op. Under `torch.compile` results stay plain.
"""

from __future__ import annotations

import numpy as np
import torch

from keraslite.backend import dtypes
from keraslite.compat.tensorflow.tensor_shape import TensorShape
from keraslite.graph.keras_tensor import KerasTensor


class EagerTensor(torch.Tensor):
    """A torch tensor that reads like a TensorFlow eager tensor."""

    __torch_function__ = torch._C._disabled_torch_function_impl

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self.size())

    def get_shape(self) -> TensorShape:
        return self.shape

    def numpy(self) -> np.ndarray:
        tensor = torch.Tensor.detach(self)
        return torch.Tensor.numpy(torch.Tensor.cpu(tensor.as_subclass(torch.Tensor)))

    def __repr__(self, *, tensor_contents=None) -> str:
        values = np.array2string(self.numpy(), separator=" ", threshold=1000)
        return (
            f"tf.Tensor(\n{values}, shape={self.shape}, dtype={dtypes.standardize_dtype(self.dtype)})"
            if self.ndim > 1
            else f"tf.Tensor({values}, shape={self.shape}, dtype={dtypes.standardize_dtype(self.dtype)})"
        )


class _TensorMeta(type):
    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, (torch.Tensor, KerasTensor))

    def __subclasscheck__(cls, subclass) -> bool:
        return issubclass(subclass, (torch.Tensor, KerasTensor))


class Tensor(metaclass=_TensorMeta):
    """`tf.Tensor`, for `isinstance` checks: any torch tensor or KerasTensor is one."""

    def __new__(cls, *args, **kwargs):
        raise TypeError("tf.Tensor cannot be created directly; use tf.constant(value) or tf.convert_to_tensor(value).")


def wrap(value):
    """Results of shim functions: plain torch tensors become `EagerTensor`s."""
    if type(value) is torch.Tensor:
        if torch.compiler.is_compiling():
            return value
        return value.as_subclass(EagerTensor)
    if type(value) in (list, tuple):
        return type(value)(wrap(v) for v in value)
    return value
