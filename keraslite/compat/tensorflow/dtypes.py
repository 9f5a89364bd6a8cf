"""`tf.dtypes`: `tf.float32` and friends.

A `DType` *is* the Keras dtype name (a `str`: `tf.float32 == "float32"`, and every
keraslite function that takes a dtype takes it), printed as TensorFlow prints it
(`tf.float32`), and equal to the matching torch and NumPy dtypes.
"""

from __future__ import annotations

import numpy as np
import torch

from keraslite.backend import dtypes as _keras_dtypes


class DType(str):
    """A TensorFlow-style dtype that is also its Keras name."""

    __slots__ = ()

    def __new__(cls, name: str):
        return super().__new__(cls, name)

    @property
    def name(self) -> str:
        return str.__str__(self)

    @property
    def keras_dtype_name(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            return str.__eq__(self, other)
        if isinstance(other, np.dtype) and other.kind in "SUO":
            # The shim's string tensors are NumPy bytes (or object) arrays: `x.dtype ==
            # tf.string` (NumPy hands the comparison to this method).
            return str.__eq__(self, "string")
        try:
            return _keras_dtypes.standardize_dtype(other) == self.name
        except (ValueError, TypeError, KeyError):
            return False

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__

    @property
    def base_dtype(self) -> "DType":
        return self

    @property
    def as_numpy_dtype(self):
        return np.dtype(self.name).type if self.name != "bfloat16" else np.float32

    @property
    def is_floating(self) -> bool:
        return self.name in ("float16", "bfloat16", "float32", "float64")

    @property
    def is_integer(self) -> bool:
        return self.name.startswith(("int", "uint"))

    @property
    def is_unsigned(self) -> bool:
        return self.name.startswith("uint") or self.name == "bool"

    @property
    def is_bool(self) -> bool:
        return self.name == "bool"

    @property
    def is_complex(self) -> bool:
        return self.name.startswith("complex")

    @property
    def size(self) -> int:
        return torch.empty((), dtype=self.torch_dtype).element_size()

    @property
    def min(self):
        return (torch.finfo if self.is_floating else torch.iinfo)(self.torch_dtype).min

    @property
    def max(self):
        return (torch.finfo if self.is_floating else torch.iinfo)(self.torch_dtype).max

    @property
    def torch_dtype(self) -> torch.dtype:
        return _keras_dtypes.to_torch_dtype(self.name)


float16 = half = DType("float16")
bfloat16 = DType("bfloat16")
float32 = DType("float32")
float64 = double = DType("float64")
int8 = DType("int8")
int16 = DType("int16")
int32 = DType("int32")
int64 = DType("int64")
uint8 = DType("uint8")
uint16 = DType("uint16")
uint32 = DType("uint32")
uint64 = DType("uint64")
bool = DType("bool")  # noqa: A001  (TensorFlow's name)
complex64 = DType("complex64")
complex128 = DType("complex128")


def as_dtype(type_value) -> DType:
    """`type_value` (a name, NumPy or torch dtype, or DType) as a `DType`."""
    if isinstance(type_value, DType):
        return type_value
    if (isinstance(type_value, np.dtype) and type_value.kind in "SUO") or type_value in (str, bytes):
        return DType("string")
    return DType(_keras_dtypes.standardize_dtype(type_value))


def torch_dtype_of(dtype, default=None):
    """The torch dtype of a TF-style dtype argument (None -> `default`)."""
    if dtype is None:
        return default
    return _keras_dtypes.to_torch_dtype(dtype)


string = DType("string")  # text: NumPy bytes arrays in the shim (torch has no string tensors)
