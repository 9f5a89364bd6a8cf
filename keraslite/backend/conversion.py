"""`to_tensor`: any array-like value as a torch tensor, with Keras's dtype rules; `to_numpy`:
a tensor as a NumPy array.

Below `ops` and `random` (both convert their arguments with it); `keras.ops.convert_to_tensor`
and `keras.ops.convert_to_numpy` are their public faces. NumPy has no bfloat16 or float8:
as Keras does, those tensors become `ml_dtypes` arrays (and such arrays become tensors again).
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import torch

from keraslite.backend import dtypes, state

# torch dtypes NumPy lacks: the ml_dtypes name and a torch integer type of the same width
_ML_DTYPES = {
    torch.bfloat16: ("bfloat16", torch.int16),
    torch.float8_e4m3fn: ("float8_e4m3fn", torch.uint8),
    torch.float8_e5m2: ("float8_e5m2", torch.uint8),
}
_FROM_ML_DTYPES = {name: (torch_dtype, width) for torch_dtype, (name, width) in _ML_DTYPES.items()}


def to_numpy(tensor: torch.Tensor) -> np.ndarray:
    """`tensor` as a NumPy array on the host (a host sync), in its own dtype: bfloat16 and float8
    give `ml_dtypes` arrays, as in Keras. The array may share memory with a CPU tensor."""
    tensor = tensor.detach()
    special = _ML_DTYPES.get(tensor.dtype)
    if special is None:
        return tensor.cpu().numpy()
    name, same_width = special
    return tensor.cpu().view(same_width).numpy().view(getattr(ml_dtypes, name))


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
        tensor = torch.tensor(value, dtype=torch.int32 if -(2**31) <= value < 2**31 else torch.int64)
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
            raise TypeError(
                f"Cannot convert a value of type {type(value).__name__} to a tensor. Received: value={value!r}"
            )
        special = _FROM_ML_DTYPES.get(array.dtype.name)
        if special is not None:  # an ml_dtypes array (bfloat16, float8): the same bits in torch
            torch_special, same_width = special
            bits = np.ascontiguousarray(array).view(str(same_width).replace("torch.", ""))
            tensor = torch.from_numpy(bits.copy()).view(torch_special)
        else:
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
