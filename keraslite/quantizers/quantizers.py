"""Integer quantizers: `Quantizer`, `AbsMaxQuantizer`, `abs_max_quantize` (symmetric, one
scale per slice), `abs_max_quantize_grouped_with_zero_point` (asymmetric, one scale and
zero point per group of rows), int4 packing (`pack_int4` / `unpack_int4`: two signed
nibbles per byte), and the group-wise (de)quantization helpers the quantized layers use.

Every function computes what Keras 3.15's computes, operation for operation, so that a
layer quantized here holds the same integers and scales as one quantized by Keras. The
`to_numpy=True` paths run in NumPy (on the host), as Keras's do, and give the same bits.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from keraslite.backend import dtypes
from keraslite.backend.conversion import to_tensor

_EPSILON = 1e-7  # Keras binds `backend.epsilon()` when its module loads


class Quantizer:
    """Base class of quantizers: a callable from a float tensor to its quantized form.

    Args:
        output_dtype: the dtype of the quantized values (`"int8"` by default).
    """

    def __init__(self, output_dtype="int8"):
        self.output_dtype = output_dtype

    def __call__(self, x):
        """The quantized form of `x` (the base class returns `x` unchanged)."""
        return x

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_config(self):
        raise NotImplementedError(f"{self} does not implement get_config()")


def _as_tensor(value) -> torch.Tensor:
    return value if isinstance(value, torch.Tensor) else to_tensor(value)


def _to_numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach()
        if value.dtype == torch.bfloat16:
            value = value.float()
        return value.cpu().numpy()
    return np.asarray(value)


def _dtype_name(value) -> str:
    return dtypes.standardize_dtype(value.dtype)


def _dims(axis, ndim: int) -> tuple[int, ...]:
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(a % ndim for a in axes)


def abs_max_quantize(inputs, axis, value_range=(-127, 127), dtype="int8", epsilon=_EPSILON, to_numpy=False):
    """Symmetric quantization: `scale = value_range[1] / (max|inputs| along axis + epsilon)`,
    `round(inputs * scale)` clipped to `value_range`, in `dtype`.

    Args:
        inputs: the tensor to quantize.
        axis: the axis (or axes) the absolute maximum is taken over (kept, size 1, in the scale).
        value_range: `(min, max)` of the quantized values.
        dtype: dtype of the quantized output.
        epsilon: keeps the scale finite for all-zero slices.
        to_numpy: compute in NumPy on the host (saves device memory while quantizing weights).

    Returns:
        `(quantized, scale)`; `scale` has the input's dtype.
    """
    if to_numpy:
        original = _dtype_name(inputs) if hasattr(inputs, "dtype") else "float32"
        array = _to_numpy(inputs)
        dims = _dims(axis, array.ndim)
        scale = np.divide(value_range[1], np.add(np.max(np.abs(array), axis=dims, keepdims=True), epsilon))
        outputs = np.clip(np.round(np.multiply(array, scale)), value_range[0], value_range[1])
        outputs = outputs.astype(dtype)
        return torch.from_numpy(outputs), torch.from_numpy(np.asarray(scale)).to(dtypes.to_torch_dtype(original))
    inputs = _as_tensor(inputs)
    dims = _dims(axis, inputs.ndim)
    # torch.divide, not `number / tensor` (which multiplies by the reciprocal): Keras's bits.
    scale = torch.divide(value_range[1], torch.amax(torch.abs(inputs), dim=dims, keepdim=True) + epsilon)
    scale = scale.to(inputs.dtype)
    outputs = torch.clip(torch.round(inputs * scale), value_range[0], value_range[1])
    return outputs.to(dtypes.to_torch_dtype(dtype)), scale


def abs_max_quantize_grouped_with_zero_point(
    inputs, block_size, value_range=(-8, 7), dtype="int8", epsilon=_EPSILON, to_numpy=False
):
    """Asymmetric quantization of a 2D `(input_dim, output_dim)` tensor in groups of
    `block_size` rows: each group and column has its own scale and zero point.

    Returns:
        `(quantized, scale, zero_point)`: `quantized` has the input's shape, `scale` and
        `zero_point` are `(ceil(input_dim / block_size), output_dim)`; the zero point is int8.
    """
    if to_numpy:
        return _grouped_numpy(inputs, block_size, value_range, dtype, epsilon)
    return _grouped_tensor(inputs, block_size, value_range, dtype, epsilon)


def _grouped_numpy(inputs, block_size, value_range, dtype, epsilon):
    original = _dtype_name(inputs) if hasattr(inputs, "dtype") else "float32"
    array = _to_numpy(inputs)
    input_dim, output_dim = array.shape
    n_groups = math.ceil(input_dim / block_size)
    qmin, qmax = value_range
    padded_dim = n_groups * block_size
    if padded_dim > input_dim:
        array = np.concatenate([array, np.zeros((padded_dim - input_dim, output_dim), dtype=array.dtype)], axis=0)
    grouped = array.reshape(n_groups, block_size, output_dim)
    min_value = np.min(grouped, axis=1, keepdims=True)
    max_value = np.max(grouped, axis=1, keepdims=True)
    scale = np.divide(np.subtract(max_value, min_value) + epsilon, qmax - qmin)
    zero_point = np.clip(np.round(np.divide(-min_value, scale)) + qmin, qmin, qmax)
    outputs = np.clip(np.round(np.divide(grouped, scale)) + zero_point, qmin, qmax).astype(dtype)
    outputs = outputs.reshape(padded_dim, output_dim)[:input_dim, :]
    scale = np.squeeze(scale, axis=1)
    zero_point = np.squeeze(zero_point, axis=1).astype("int8")
    return (
        torch.from_numpy(np.ascontiguousarray(outputs)),
        torch.from_numpy(scale).to(dtypes.to_torch_dtype(original)),
        torch.from_numpy(zero_point),
    )


def _grouped_tensor(inputs, block_size, value_range, dtype, epsilon):
    inputs = _as_tensor(inputs)
    input_dim, output_dim = inputs.shape
    qmin, qmax = value_range
    bits = int(math.log2(qmax - qmin + 1))
    n_groups = math.ceil(input_dim / block_size)
    padded_dim = n_groups * block_size
    scale_t, zero_t, _ = compute_quantization_parameters(
        inputs.T,
        bits=bits,
        symmetric=False,
        per_channel=True,
        group_size=block_size,
        compute_dtype=_dtype_name(inputs),
        epsilon=epsilon,
        signed=True,
    )
    scale, zero_point = scale_t.T, zero_t.T
    if padded_dim > input_dim:
        inputs = torch.cat([inputs, inputs.new_zeros((padded_dim - input_dim, output_dim))], dim=0)
    grouped = inputs.reshape(n_groups, block_size, output_dim)
    outputs = torch.round(grouped / scale.unsqueeze(1)) + zero_point.unsqueeze(1)
    outputs = torch.clip(outputs, qmin, qmax).to(dtypes.to_torch_dtype(dtype))
    return outputs.reshape(padded_dim, output_dim)[:input_dim, :], scale, zero_point


def compute_quantization_parameters(
    x,
    *,
    bits,
    symmetric=False,
    per_channel=False,
    group_size=-1,
    compute_dtype="float32",
    epsilon=0.0,
    signed=False,
):
    """Scale and zero point of an `(out_features, in_features)` weight: per tensor, per
    row (`per_channel`), or per row and group of `group_size` columns.

    Returns:
        `(scale, zero, maxq)`: scale and zero `(out_features, n_groups)` (zero int8 when
        `signed`, else uint8) and `maxq = 2**bits - 1` as a scalar tensor.
    """
    if x is None:
        raise ValueError(f"Input tensor {x} cannot be None.")
    if x.ndim < 2:
        raise ValueError(f"Input weight tensor {x} must have a rank of at least 2, but got rank {x.ndim}.")
    if x.numel() == 0:
        raise ValueError("Input tensor 'x' cannot be empty.")
    out_features, in_features = x.shape[0], x.shape[1]
    n_groups = (in_features + group_size - 1) // group_size if per_channel and group_size > 0 else 1
    if n_groups > 1:
        remainder = in_features % group_size
        if remainder:
            x = torch.nn.functional.pad(x, (0, group_size - remainder))
        grouped = x.reshape(out_features, n_groups, group_size)
        min_values, max_values = torch.amin(grouped, dim=2), torch.amax(grouped, dim=2)
    else:
        flat = x.reshape(out_features, -1) if per_channel else x.reshape(1, -1)
        min_values, max_values = torch.amin(flat, dim=1), torch.amax(flat, dim=1)
    if symmetric:
        max_abs = torch.maximum(torch.abs(min_values), max_values)
        min_values = torch.where(min_values < 0, -max_abs, min_values)
        max_values = max_abs
    same = min_values == max_values
    min_values = torch.where(same, min_values - 1, min_values)
    max_values = torch.where(same, max_values + 1, max_values)
    maxq = torch.tensor(2**bits - 1, dtype=dtypes.to_torch_dtype(compute_dtype), device=x.device)
    value_range = max_values - min_values
    if epsilon > 0:
        value_range = value_range + epsilon
    scale = value_range / maxq
    scale = torch.where(scale <= 0, torch.tensor(1e-8, dtype=scale.dtype, device=scale.device), scale)
    if signed:
        qmin, qmax_signed = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
        if symmetric:
            zero = torch.full_like(scale, float((maxq + 1) / 2 + qmin))
        else:
            zero = torch.round(-min_values / scale) + qmin
        zero = torch.clip(zero, qmin, qmax_signed)
    elif symmetric:
        zero = torch.full_like(scale, float((maxq + 1) / 2))
    else:
        zero = torch.round(-min_values / scale)
    if n_groups == 1:
        if per_channel:
            scale, zero = scale.reshape(-1, 1), zero.reshape(-1, 1)
        else:
            scale = scale.reshape(1, 1).tile(out_features, 1)
            zero = zero.reshape(1, 1).tile(out_features, 1)
    return scale, zero.to(torch.int8 if signed else torch.uint8), maxq


def dequantize_with_sz_map(weights_matrix, scale, zero, g_idx, group_axis=-1):
    """`(weights - zero[g]) * scale[g]`, where `g_idx` gives each position's group along
    `group_axis` of `scale` and `zero`."""
    groups = g_idx.to(torch.int32)
    scales = torch.index_select(scale, group_axis % scale.ndim, groups)
    zeros = torch.index_select(zero, group_axis % zero.ndim, groups).to(scales.dtype)
    return (weights_matrix - zeros) * scales


class AbsMaxQuantizer(Quantizer):
    """`abs_max_quantize` as a quantizer object (the one Keras's int8/int4 layers use).

    Args:
        axis: deprecated; give `axis` when calling instead (default then -1).
        value_range: `(min, max)` of the quantized values.
        epsilon: keeps the scale finite for all-zero slices.
        output_dtype: dtype of the quantized values.
    """

    def __init__(self, axis=None, value_range=(-127, 127), epsilon=_EPSILON, output_dtype="int8"):
        Quantizer.__init__(self, output_dtype=output_dtype)
        if axis is not None:
            self.axis = (axis,) if isinstance(axis, int) else tuple(axis)
        else:
            self.axis = None
        self.value_range = value_range
        self.epsilon = epsilon
        if output_dtype == "int8" and (value_range[0] < -128 or value_range[1] > 127):
            raise ValueError(
                "Quantizer with output_dtype='int8' requires value_range to be within the interval [-128, 127]. "
                f"Received: value_range={value_range}"
            )

    def __call__(self, x, axis=None, to_numpy=False):
        """`(quantized, scale)` of `x` along `axis` (else the constructor's, else -1)."""
        if axis is None:
            axis = self.axis if self.axis is not None else -1
        return abs_max_quantize(x, axis, self.value_range, self.output_dtype, self.epsilon, to_numpy)

    def get_config(self):
        config = {"value_range": self.value_range, "epsilon": self.epsilon, "output_dtype": self.output_dtype}
        if self.axis is not None:
            config["axis"] = self.axis
        return config


def pack_int4(arr, axis=0, dtype="int8"):
    """Pack int4 values (an int8 or uint8 tensor in [-8, 7]) two per byte along `axis`: the
    first of each pair in the low nibble, the second in the high nibble (an odd length is
    padded with a zero).

    Returns:
        `(packed, packed_shape, orig_len)`: the packed tensor, its shape, and the length of
        `axis` before padding (what `unpack_int4` needs).
    """
    if dtype not in ("int8", "uint8"):
        raise ValueError(f"Expected dtype to be 'int8' or 'uint8', but got '{dtype}'.")
    if dtypes.standardize_dtype(arr.dtype) != dtype:
        raise TypeError(f"Expected {dtype} tensor for packing, got {dtypes.standardize_dtype(arr.dtype)}.")
    array = np.moveaxis(_to_numpy(arr), axis, 0)
    length = array.shape[0]
    if length % 2 == 1:
        array = np.concatenate([array, np.zeros((1,) + array.shape[1:], dtype=array.dtype)], axis=0)
    np_dtype = np.dtype(dtype)
    mask = np.array(0x0F, dtype=np_dtype)
    low = np.bitwise_and(array[::2].astype(np_dtype), mask)
    high = np.bitwise_and(array[1::2].astype(np_dtype), mask)
    packed = np.bitwise_or(low, np.left_shift(high, np.array(4, dtype=np_dtype))).astype(np_dtype)
    packed = np.ascontiguousarray(np.moveaxis(packed, 0, axis))
    return torch.from_numpy(packed), tuple(packed.shape), length


def unpack_int4(packed, orig_len, axis=0, dtype="int8"):
    """Undo `pack_int4`: the int4 values (in [-8, 7] for int8, [0, 15] for uint8) along
    `axis`, trimmed to `orig_len`."""
    if dtype not in ("int8", "uint8"):
        raise ValueError(f"Expected dtype to be 'int8' or 'uint8', but got '{dtype}'.")
    packed = _as_tensor(packed)
    if packed.dtype not in (torch.int8, torch.uint8):
        raise TypeError(f"Expected int8 or uint8 tensor for unpacking, got {packed.dtype}")
    moved = torch.movedim(packed, axis, 0)
    low = torch.bitwise_and(moved, 0x0F)
    high = torch.bitwise_and(torch.bitwise_right_shift(moved, 4), 0x0F)
    if dtype == "int8":
        # (x ^ 8) - 8 maps the nibbles 0..15 to -8..7 (8 -> -8, 15 -> -1)
        low = torch.bitwise_xor(low, 8) - 8
        high = torch.bitwise_xor(high, 8) - 8
    target = dtypes.to_torch_dtype(dtype)
    unpacked = torch.stack([low.to(target), high.to(target)], dim=1).reshape((-1,) + tuple(moved.shape[1:]))
    return torch.movedim(unpacked[:orig_len], 0, axis)
