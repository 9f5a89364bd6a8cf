"""Products: matmul, dot, tensordot, einsum, outer, inner, vdot, cross, kron."""

from __future__ import annotations

import torch

from keraslite.ops.dispatch import keras_op, operand, to_tensor


@keras_op
def matmul(x1, x2):
    """Matrix product (batched over leading axes, NumPy rules)."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    if x1.dtype != x2.dtype:
        common = torch.promote_types(x1.dtype, x2.dtype)
        x1, x2 = x1.to(common), x2.to(common)
    return torch.matmul(x1, x2)


@keras_op
def dot(x1, x2):
    """NumPy `dot`: matmul for 2-D, product for scalars, sum-product over the last axis
    of `x1` and second-to-last of `x2` otherwise."""
    x1, x2 = operand(x1), operand(x2)
    if not isinstance(x1, torch.Tensor) or not isinstance(x2, torch.Tensor) or x1.ndim == 0 or x2.ndim == 0:
        return torch.mul(to_tensor(x1) if not isinstance(x1, torch.Tensor) else x1, x2)
    if x2.ndim <= 2:
        return matmul.eager_function(x1, x2)
    return torch.tensordot(x1, x2, dims=([-1], [-2]))


@keras_op
def tensordot(x1, x2, axes=2):
    """Sum of products over the given axes."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    if not isinstance(axes, int):
        axes = [list(a) if isinstance(a, (list, tuple)) else [a] for a in axes]
    return torch.tensordot(x1, x2, dims=axes)


@keras_op
def einsum(subscripts, *operands, **kwargs):
    """Einstein summation, e.g. `einsum("ij,jk->ik", a, b)`. Keyword arguments (backend
    hints such as `optimize`) are accepted and ignored, as Keras's torch backend does."""
    return torch.einsum(subscripts, *[to_tensor(o) for o in operands])


@keras_op
def outer(x1, x2):
    """Outer product of the flattened inputs."""
    return torch.outer(to_tensor(x1).reshape(-1), to_tensor(x2).reshape(-1))


@keras_op
def inner(x1, x2):
    """Sum-product over the last axes of `x1` and `x2`."""
    return torch.inner(to_tensor(x1), to_tensor(x2))


@keras_op
def vdot(x1, x2):
    """Dot product of the flattened inputs."""
    return torch.vdot(to_tensor(x1).reshape(-1), to_tensor(x2).reshape(-1))


@keras_op
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors along the last axis."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    return torch.linalg.cross(*torch.broadcast_tensors(x1, x2), dim=-1 if axis is None else axis)


@keras_op
def kron(x1, x2):
    """Kronecker product."""
    return torch.kron(to_tensor(x1), to_tensor(x2))


@keras_op
def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D sequences, `c[k] = sum_n x1[n + k] * x2[n]`, in
    NumPy's modes "valid", "same" and "full". Integer inputs compute in floats."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"`correlate` mode must be 'valid', 'same' or 'full'. Received: mode={mode!r}")
    dtype = torch.promote_types(x1.dtype, x2.dtype)
    if dtype == torch.int64:
        dtype = torch.float64
    elif dtype not in (torch.float16, torch.bfloat16, torch.float64):
        dtype = torch.float32
    x1, x2 = x1.to(dtype), x2.to(x1.device, dtype)
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError(
            f"`correlate` takes 1-D sequences. Received: x1.shape={tuple(x1.shape)}, x2.shape={tuple(x2.shape)}"
        )
    n1, n2 = x1.shape[0], x2.shape[0]
    full = torch.nn.functional.conv1d(x1[None, None], x2[None, None], padding=n2 - 1)[0, 0]
    if mode == "full":
        return full
    if mode == "same":
        length = max(n1, n2)
    else:
        length = max(n1, n2) - min(n1, n2) + 1
    start = (full.shape[0] - length) // 2
    return full[start : start + length]
