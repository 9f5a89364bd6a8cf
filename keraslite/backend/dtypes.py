"""Keras dtype names <-> torch dtypes."""

from __future__ import annotations

import sys

import numpy as np
import torch

from keraslite.backend.state import floatx

_TORCH_BY_NAME = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
    "uint8": torch.uint8,
    "uint16": torch.uint16,
    "uint32": torch.uint32,
    "uint64": torch.uint64,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "bool": torch.bool,
    "complex64": torch.complex64,
    "complex128": torch.complex128,
}
_NAME_BY_TORCH = {v: k for k, v in _TORCH_BY_NAME.items()}
_ALIASES = {
    "str": "string",
    "float": "float32",
    "double": "float64",
    "half": "float16",
    "int": "int64",
    "long": "int64",
}


def standardize_dtype(dtype) -> str:
    """Any dtype spelling (str, numpy, torch, a `tf.float32`-like object) -> Keras name."""
    if dtype is None:
        return floatx()
    if isinstance(dtype, torch.dtype):
        return _NAME_BY_TORCH[dtype]
    if hasattr(dtype, "keras_dtype_name"):
        return dtype.keras_dtype_name
    if isinstance(dtype, str):
        name = _ALIASES.get(dtype, dtype)
        if name in _TORCH_BY_NAME or name == "string":
            # "string": symbolic text inputs; their values stay NumPy string arrays.
            return name
    else:
        try:
            name = np.dtype(dtype).name
        except TypeError:
            name = None
        if name in _TORCH_BY_NAME:
            return name
    raise ValueError(f"Invalid dtype: {dtype!r}. Expected one of {sorted(_TORCH_BY_NAME)}.")


def to_torch_dtype(dtype) -> torch.dtype:
    if isinstance(dtype, str):
        found = _TORCH_BY_NAME.get(dtype)
        if found is not None:  # a Keras name already (the per-batch case: a loss's or metric's dtype)
            return found
    name = standardize_dtype(dtype)
    if name == "string":
        raise TypeError("torch has no string tensors: text stays a NumPy array of str (dtype='string').")
    return _TORCH_BY_NAME[name]


def is_float_dtype(dtype) -> bool:
    return standardize_dtype(dtype) in ("float16", "bfloat16", "float32", "float64")


def is_int_dtype(dtype) -> bool:
    """Whether `dtype` is a signed or unsigned integer dtype."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


def is_keras_tensor(x) -> bool:
    """Whether `x` is a symbolic `KerasTensor` (what `keras.Input` and layers called on it
    return). The class lives in `graph/`, above this layer; if that module was never loaded,
    no KerasTensor exists, so the test needs no import."""
    module = sys.modules.get("keraslite.graph.keras_tensor")
    return module is not None and isinstance(x, module.KerasTensor)
