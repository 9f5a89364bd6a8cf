"""Float8 scaling: the delayed-scaling recipe of NVIDIA's Transformer Engine that Keras's
float8 layers use. A tensor is scaled, clipped to the float8 range, cast to float8 and back
(`quantize_and_dequantize`); the scale follows the largest magnitude seen over a rolling
history (`compute_float8_amax_history`, `compute_float8_scale`)."""

from __future__ import annotations

import torch

from keraslite.backend import dtypes
from keraslite.backend.conversion import to_tensor

FLOAT8_DTYPES = {"float8_e4m3fn": torch.float8_e4m3fn, "float8_e5m2": torch.float8_e5m2}


def _as_tensor(value) -> torch.Tensor:
    return value if isinstance(value, torch.Tensor) else to_tensor(value)


def float8_max(quantized_dtype: str) -> float:
    """The largest finite value of a float8 dtype (448 for e4m3fn, 57344 for e5m2)."""
    return float(torch.finfo(_float8_dtype(quantized_dtype)).max)


def _float8_dtype(name) -> torch.dtype:
    if isinstance(name, torch.dtype):
        return name
    if name not in FLOAT8_DTYPES:
        raise ValueError(f"Expected a float8 dtype, one of {sorted(FLOAT8_DTYPES)}. Received: quantized_dtype={name!r}")
    return FLOAT8_DTYPES[name]


def compute_float8_scale(amax, scale, dtype_max, margin=0):
    """The next scale from the history's maximum `amax`: `amax / dtype_max * 2**margin`,
    or the current `scale` where `amax` is zero or not finite."""
    amax, scale = _as_tensor(amax), _as_tensor(scale)
    dtype_max = _as_tensor(dtype_max) if not isinstance(dtype_max, (int, float)) else dtype_max
    scale = torch.reciprocal(scale)
    factor = torch.divide(torch.divide(dtype_max, amax), 2**margin)
    factor = torch.where(amax > 0.0, factor, scale)
    factor = torch.where(torch.isfinite(amax), factor, scale)
    return torch.reciprocal(factor)


def compute_float8_amax_history(x, amax_history):
    """The history rolled one step left, with `max|x|` written at index 0."""
    x, amax_history = _as_tensor(x), _as_tensor(amax_history)
    update = torch.amax(torch.abs(x)).to(amax_history.dtype)
    rolled = torch.roll(amax_history, shifts=-1, dims=0)
    return torch.cat([update.reshape(1), rolled[1:]])


def quantize_and_dequantize(inputs, scale, quantized_dtype, compute_dtype):
    """`inputs / scale`, clipped to the float8 range, cast to `quantized_dtype` and back to
    `compute_dtype`, times `scale`: the value float8 storage would give back."""
    inputs = _as_tensor(inputs)
    compute = dtypes.to_torch_dtype(compute_dtype)
    scale = _as_tensor(scale).to(compute)
    limit = torch.tensor(float8_max(quantized_dtype), dtype=compute)
    x = torch.clip(inputs / scale, -limit, limit).to(_float8_dtype(quantized_dtype))
    return x.to(compute) * scale
