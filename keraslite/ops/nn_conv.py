"""Convolution and pooling `keras.ops` in Keras layouts (channels-last by default,
kernels `(*spatial, in, out)`), with TensorFlow's "same" padding."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from keraslite.backend import state
from keraslite.ops.dispatch import keras_op, to_tensor


def _tuple(value, rank):
    return (value,) * rank if isinstance(value, int) else tuple(value)


def _same_padding(size, kernel, stride, dilation):
    """TensorFlow's 'same' padding: the extra pixel goes at the end."""
    effective = (kernel - 1) * dilation + 1
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def _to_channels_first(x, data_format):
    data_format = data_format or state.image_data_format()
    return (x.movedim(-1, 1), True) if data_format == "channels_last" else (x, False)


def _pad_same(x, kernel, strides, dilation, value=0.0):
    pads = []
    spatial = x.shape[2:]
    for size, k, s, d in reversed(list(zip(spatial, kernel, strides, dilation))):
        pads.extend(_same_padding(size, k, s, d))
    return F.pad(x, pads, value=value) if any(pads) else x


@keras_op
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution; `kernel` in Keras layout `(*spatial, in_channels/groups, out_channels)`."""
    inputs, kernel = to_tensor(inputs), to_tensor(kernel)
    rank = kernel.ndim - 2
    x, moved = _to_channels_first(inputs, data_format)
    strides, dilation = _tuple(strides, rank), _tuple(dilation_rate, rank)
    weight = kernel.permute(rank + 1, rank, *range(rank))
    groups = x.shape[1] // kernel.shape[-2]
    if padding == "same":
        x = _pad_same(x, kernel.shape[:rank], strides, dilation)
    convolution = (F.conv1d, F.conv2d, F.conv3d)[rank - 1]
    out = convolution(x, weight, None, strides, 0, dilation, groups)
    return out.movedim(1, -1) if moved else out


@keras_op
def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution; `kernel` is `(*spatial, in_channels, multiplier)`."""
    kernel = to_tensor(kernel)
    rank = kernel.ndim - 2
    merged = kernel.reshape(*kernel.shape[:rank], 1, kernel.shape[-2] * kernel.shape[-1])
    return conv.eager_function(inputs, merged, strides, padding, data_format, dilation_rate)


def _pool(inputs, pool_size, strides, padding, data_format, kind):
    inputs = to_tensor(inputs)
    rank = inputs.ndim - 2
    x, moved = _to_channels_first(inputs, data_format)
    pool_size = _tuple(pool_size, rank)
    strides = pool_size if strides is None else _tuple(strides, rank)
    if kind == "max":
        if padding == "same":
            x = _pad_same(x, pool_size, strides, (1,) * rank, value=float("-inf"))
        out = (F.max_pool1d, F.max_pool2d, F.max_pool3d)[rank - 1](x, pool_size, strides)
    else:
        if padding == "same":
            # Average over the valid pixels only, as Keras does.
            ones = torch.ones_like(x[:1, :1])
            x = _pad_same(x, pool_size, strides, (1,) * rank)
            ones = _pad_same(ones, pool_size, strides, (1,) * rank)
            pool = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[rank - 1]
            out = pool(x, pool_size, strides) / pool(ones, pool_size, strides)
        else:
            out = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[rank - 1](x, pool_size, strides)
    return out.movedim(1, -1) if moved else out


@keras_op
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling over the spatial axes."""
    return _pool(inputs, pool_size, strides, padding, data_format, "max")


@keras_op
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling over the spatial axes."""
    return _pool(inputs, pool_size, strides, padding, data_format, "average")


@keras_op
def dot_product_attention(
    query,
    key,
    value,
    bias=None,
    mask=None,
    scale=None,
    is_causal=False,
    flash_attention=None,
    attn_logits_soft_cap=None,
):
    """Scaled dot-product attention on `(batch, length, heads, head_dim)` tensors.

    `mask` (True = attend) and `bias` (added to the logits) exclude each other; a mask
    combines with `is_causal`. Fewer key/value heads than query heads are repeated
    (grouped-query attention). `flash_attention` is a hint (torch picks the kernel);
    `attn_logits_soft_cap` squashes the logits to `cap * tanh(logits / cap)`.
    """
    query, key, value = to_tensor(query), to_tensor(key), to_tensor(value)
    if query.ndim != 4 or key.ndim != 4 or value.ndim != 4:
        raise ValueError(
            "`dot_product_attention` only supports 4D inputs. Received: "
            f"query.shape={tuple(query.shape)}, key.shape={tuple(key.shape)}, value.shape={tuple(value.shape)}."
        )
    if bias is not None and mask is not None:
        raise ValueError("Only one of `bias` and `mask` can be provided. Received both.")
    dtype = torch.promote_types(torch.promote_types(query.dtype, key.dtype), value.dtype)
    q, k, v = (t.to(dtype).transpose(1, 2) for t in (query, key, value))
    if q.shape[1] > k.shape[1] > 1:
        groups = q.shape[1] // k.shape[1]
        k, v = k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)
    attn_mask = None
    if mask is not None:
        mask = to_tensor(mask).to(device=q.device, dtype=torch.bool)
        if is_causal:
            causal = torch.ones((q.shape[2], k.shape[2]), dtype=torch.bool, device=q.device).tril()
            mask = mask & causal
            is_causal = False
        # A large finite negative (not -inf), as Keras: a fully masked row averages the values.
        large_negative = -0.7 * (65500.0 if dtype == torch.float16 else 3.38953e38)
        attn_mask = torch.where(mask, 0.0, large_negative).to(dtype)
    elif bias is not None:
        attn_mask = to_tensor(bias).to(dtype=dtype, device=q.device)
    if attn_logits_soft_cap is None:
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, is_causal=is_causal, scale=scale)
        return out.transpose(1, 2)
    scale = q.shape[-1] ** -0.5 if scale is None else scale
    logits = torch.matmul(q, k.transpose(-1, -2)) * scale
    logits = attn_logits_soft_cap * torch.tanh(logits / attn_logits_soft_cap)
    if attn_mask is not None:
        logits = logits + attn_mask
    if is_causal:
        causal = torch.ones((q.shape[2], k.shape[2]), dtype=torch.bool, device=q.device).tril()
        logits = logits.masked_fill(~causal, float("-inf"))
    return torch.matmul(torch.softmax(logits, dim=-1), v).transpose(1, 2)


@keras_op
def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None, dilation_rate=1):
    """Transposed convolution; `kernel` in Keras layout `(*spatial, out_channels, in_channels)`.

    "same" gives `input_size * strides` per axis, "valid" `(n - 1) * strides + kernel`
    (plus `output_padding` when given), as TensorFlow.
    """
    inputs, kernel = to_tensor(inputs), to_tensor(kernel)
    rank = kernel.ndim - 2
    x, moved = _to_channels_first(inputs, data_format)
    strides, dilation = _tuple(strides, rank), _tuple(dilation_rate, rank)
    weight = kernel.permute(rank + 1, rank, *range(rank))
    transpose = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[rank - 1]
    out = transpose(x, weight, None, strides, 0, 0, 1, dilation)
    # Crop (negative padding) or extend the full output to the size TensorFlow gives.
    pads = []
    for axis in reversed(range(rank)):
        size, s = x.shape[2 + axis], strides[axis]
        full = out.shape[2 + axis]
        extra = 0 if output_padding is None else _tuple(output_padding, rank)[axis]
        if padding == "same":
            wanted = size * s + (extra if output_padding is not None else 0)
            total = full - wanted
            before = total // 2 if total > 0 else 0
            pads.extend([-before, -(total - before)])
        else:
            pads.extend([0, extra])
    if any(pads):
        out = F.pad(out, pads)
    return out.movedim(1, -1) if moved else out


@keras_op
def separable_conv(
    inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None, dilation_rate=1
):
    """A depthwise convolution followed by a 1x1 (pointwise) convolution."""
    depthwise = depthwise_conv.eager_function(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv.eager_function(depthwise, pointwise_kernel, 1, "valid", data_format, 1)


def _adaptive(inputs, output_size, data_format, kind):
    inputs = to_tensor(inputs)
    rank = inputs.ndim - 2
    x, moved = _to_channels_first(inputs, data_format)
    functions = {
        "average": (F.adaptive_avg_pool1d, F.adaptive_avg_pool2d, F.adaptive_avg_pool3d),
        "max": (F.adaptive_max_pool1d, F.adaptive_max_pool2d, F.adaptive_max_pool3d),
    }[kind]
    out = functions[rank - 1](x, _tuple(output_size, rank))
    return out.movedim(1, -1) if moved else out


@keras_op
def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed output size."""
    return _adaptive(inputs, output_size, data_format, "average")


@keras_op
def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed output size."""
    return _adaptive(inputs, output_size, data_format, "max")


@keras_op
def depth_to_space(x, block_size, data_format="channels_last"):
    """Channels moved into `block_size` x `block_size` spatial blocks (TensorFlow's order)."""
    x = to_tensor(x)
    if data_format == "channels_last":
        n, h, w, c = x.shape
        out = x.reshape(n, h, w, block_size, block_size, c // block_size**2).permute(0, 1, 3, 2, 4, 5)
        return out.reshape(n, h * block_size, w * block_size, c // block_size**2)
    return F.pixel_shuffle(x, block_size)


@keras_op
def space_to_depth(x, block_size, data_format="channels_last"):
    """`block_size` x `block_size` spatial blocks moved into channels (TensorFlow's order)."""
    x = to_tensor(x)
    if data_format == "channels_last":
        n, h, w, c = x.shape
        out = x.reshape(n, h // block_size, block_size, w // block_size, block_size, c).permute(0, 1, 3, 2, 4, 5)
        return out.reshape(n, h // block_size, w // block_size, c * block_size**2)
    return F.pixel_unshuffle(x, block_size)


@keras_op
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding `kernel_size` blocks of a channels-first image batch `(N, C, H, W)` as
    columns: `(N, C * kh * kw, number_of_blocks)` (im2col)."""
    x = to_tensor(x)
    if x.ndim != 4:
        raise ValueError(f"`unfold` needs a 4D (N, C, H, W) input. Received: x.shape={tuple(x.shape)}")
    return F.unfold(x, kernel_size, dilation=dilation, padding=padding, stride=stride)


@keras_op
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Inverse of `unfold` (col2im): sums the blocks `(N, C * kh * kw, L)` back into a
    `(N, C, *output_size)` image, overlapping entries added."""
    x = to_tensor(x)
    if x.ndim != 3:
        raise ValueError(f"`fold` needs a 3D (N, C * kh * kw, L) input. Received: x.shape={tuple(x.shape)}")
    return F.fold(x, output_size, kernel_size, dilation=dilation, padding=padding, stride=stride)
