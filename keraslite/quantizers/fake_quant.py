"""`fake_quant_with_min_max_vars`: TensorFlow's fake quantization (quantize to `num_bits`
levels in a nudged `[min, max]`, dequantize), with the straight-through gradient that lets
`min` and `max` be trained. Works on KerasTensors too (it records a graph node)."""

from __future__ import annotations

import torch

from keraslite.backend.conversion import to_tensor
from keraslite.graph import symbolic_ops
from keraslite.graph.keras_tensor import KerasTensor


def _nudge(min_range, max_range, num_bits: int, narrow_range: bool):
    """TensorFlow's nudged range: the zero point is moved onto an integer level, so that
    0.0 is represented exactly. Returns `(nudged_min, nudged_max, scale, inv_scale)`."""
    compute = torch.promote_types(min_range.dtype, torch.float32)
    min_range, max_range = min_range.to(compute), max_range.to(compute)
    quant_max = (1 << num_bits) - 1
    quant_min = 1 if narrow_range else 0
    span = max_range - min_range
    scale = span / (quant_max - quant_min)
    inv_scale = torch.divide(quant_max - quant_min, span)  # not `number / tensor` (a reciprocal product)
    zero_point = torch.clip(quant_min - min_range / scale, quant_min, quant_max)
    nudged_zero_point = torch.round(zero_point)
    return (quant_min - nudged_zero_point) * scale, (quant_max - nudged_zero_point) * scale, scale, inv_scale


class _FakeQuant(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, min_val, max_val, num_bits, narrow_range, axis):
        nudged_min, nudged_max, scale, inv_scale = _nudge(min_val, max_val, num_bits, narrow_range)
        quant_zero = torch.floor(-nudged_min * inv_scale + 0.5)
        clamped = torch.clip(x.to(nudged_min.dtype), nudged_min, nudged_max)
        result = torch.floor((clamped - nudged_min) * inv_scale - quant_zero + 0.5) * scale
        ctx.save_for_backward(x, nudged_min, nudged_max)
        ctx.shapes = (min_val.shape, max_val.shape)
        ctx.axis = axis
        return result.to(x.dtype)

    @staticmethod
    def backward(ctx, upstream):
        x, nudged_min, nudged_max = ctx.saved_tensors
        zero = torch.zeros((), dtype=upstream.dtype, device=upstream.device)
        inside = (x >= nudged_min) & (x <= nudged_max)
        dx = torch.where(inside, upstream, zero)
        axes = [i for i in range(dx.ndim) if i != ctx.axis]
        below = torch.where(x <= nudged_min, upstream, zero)
        above = torch.where(x >= nudged_max, upstream, zero)
        if ctx.axis is not None:
            grad_min, grad_max = torch.sum(below, dim=axes), torch.sum(above, dim=axes)
        else:
            grad_min, grad_max = torch.sum(below), torch.sum(above)
        min_shape, max_shape = ctx.shapes
        return dx, grad_min.reshape(min_shape), grad_max.reshape(max_shape), None, None, None


def fake_quant_with_min_max_vars(inputs, min_vals, max_vals, num_bits=8, narrow_range=False, axis=None):
    """Fake quantization per tensor (`axis=None`) or per channel along `axis`.

    `inputs` are clamped to `[min_vals, max_vals]` (nudged so that zero is exact), quantized
    to `[0, 2**num_bits - 1]` (`[1, ...]` with `narrow_range`) and dequantized. The
    gradient passes through inside the range; outside, it flows to `min_vals` / `max_vals`.

    Args:
        inputs: float tensor.
        min_vals, max_vals: scalars, or per-channel tensors broadcast against `inputs`.
        num_bits: quantization bit width.
        narrow_range: use `[1, 2**num_bits - 1]`.
        axis: channel axis for per-channel quantization, None for per tensor.

    Returns:
        A tensor of `inputs`' shape and dtype.
    """
    if isinstance(inputs, KerasTensor):
        return symbolic_ops.apply_function(
            fake_quant_with_min_max_vars, inputs, min_vals, max_vals, num_bits, narrow_range, axis
        )
    inputs = inputs if isinstance(inputs, torch.Tensor) else to_tensor(inputs)
    min_vals = min_vals if isinstance(min_vals, torch.Tensor) else to_tensor(min_vals)
    max_vals = max_vals if isinstance(max_vals, torch.Tensor) else to_tensor(max_vals)
    if axis is not None:
        axis = axis % inputs.ndim
    return _FakeQuant.apply(inputs, min_vals, max_vals, int(num_bits), narrow_range, axis)
