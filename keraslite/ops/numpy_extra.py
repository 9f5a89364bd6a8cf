"""Less common NumPy-named `keras.ops`: NaN-ignoring reductions, splits, shifts, ..."""
from __future__ import annotations

import numpy as np
import torch

from keraslite.ops.dispatch import axis_arg, default_float, keras_op, to_tensor


def _dims(x, axis):
    axis = axis_arg(axis)
    if axis is None:
        return tuple(range(x.ndim))
    return axis if isinstance(axis, tuple) else (axis,)


@keras_op
def nansum(x, axis=None, keepdims=False):
    """Sum over `axis`, NaNs counted as zero."""
    x = to_tensor(x)
    return torch.nansum(x, dim=_dims(x, axis), keepdim=keepdims)


@keras_op
def nanmean(x, axis=None, keepdims=False):
    """Mean over `axis` of the non-NaN values."""
    x = default_float(to_tensor(x))
    return torch.nanmean(x, dim=_dims(x, axis), keepdim=keepdims)


@keras_op
def nanmax(x, axis=None, keepdims=False):
    """Maximum over `axis` ignoring NaNs."""
    x = default_float(to_tensor(x))
    return torch.amax(torch.where(torch.isnan(x), torch.full_like(x, float("-inf")), x), dim=_dims(x, axis), keepdim=keepdims)


@keras_op
def nanmin(x, axis=None, keepdims=False):
    """Minimum over `axis` ignoring NaNs."""
    x = default_float(to_tensor(x))
    return torch.amin(torch.where(torch.isnan(x), torch.full_like(x, float("inf")), x), dim=_dims(x, axis), keepdim=keepdims)


@keras_op
def nanvar(x, axis=None, keepdims=False):
    """Variance over `axis` of the non-NaN values."""
    x = default_float(to_tensor(x))
    dims = _dims(x, axis)
    mean = torch.nanmean(x, dim=dims, keepdim=True)
    return torch.nanmean((x - mean) ** 2, dim=dims, keepdim=keepdims)


@keras_op
def nanstd(x, axis=None, keepdims=False):
    """Standard deviation over `axis` of the non-NaN values."""
    return torch.sqrt(nanvar.eager_function(x, axis=axis, keepdims=keepdims))


@keras_op
def nanprod(x, axis=None, keepdims=False):
    """Product over `axis`, NaNs counted as one."""
    x = to_tensor(x)
    x = torch.where(torch.isnan(x), torch.ones_like(x), x) if x.is_floating_point() else x
    for dim in sorted((d % x.ndim for d in _dims(x, axis)), reverse=True):
        x = torch.prod(x, dim=dim, keepdim=keepdims)
    return x


@keras_op
def logaddexp2(x1, x2):
    """log2(2**x1 + 2**x2), elementwise."""
    x1, x2 = default_float(to_tensor(x1)), default_float(to_tensor(x2))
    return torch.logaddexp2(x1, x2)


@keras_op
def isneginf(x):
    """Whether each element is negative infinity."""
    return torch.isneginf(to_tensor(x))


@keras_op
def isposinf(x):
    """Whether each element is positive infinity."""
    return torch.isposinf(to_tensor(x))


@keras_op
def left_shift(x, y):
    """x << y, elementwise."""
    return torch.bitwise_left_shift(to_tensor(x), to_tensor(y) if not isinstance(y, int) else y)


@keras_op
def right_shift(x, y):
    """x >> y, elementwise."""
    return torch.bitwise_right_shift(to_tensor(x), to_tensor(y) if not isinstance(y, int) else y)


bitwise_left_shift = left_shift
bitwise_right_shift = right_shift


def hsplit(x, indices_or_sections):
    """Split along axis 1 (axis 0 for 1-D)."""
    from keraslite.ops.numpy_shape import split

    return split(x, indices_or_sections, axis=1 if len(tuple(x.shape)) > 1 else 0)


def vsplit(x, indices_or_sections):
    """Split along axis 0."""
    from keraslite.ops.numpy_shape import split

    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    """Split along axis 2."""
    from keraslite.ops.numpy_shape import split

    return split(x, indices_or_sections, axis=2)


@keras_op
def diagflat(x, k=0):
    """A 2-D tensor with the flattened `x` on its `k`-th diagonal."""
    return torch.diagflat(to_tensor(x), offset=k)


@keras_op
def unravel_index(indices, shape):
    """Flat indices as a tuple of coordinate tensors for `shape`."""
    indices = to_tensor(indices)
    return tuple(torch.unravel_index(indices, tuple(shape)))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` values spaced evenly on a log scale from `start` to `stop`."""
    from keraslite.ops.numpy_create import logspace

    return logspace(float(np.log10(start)), float(np.log10(stop)), num, endpoint=endpoint, dtype=dtype)


@keras_op
def vander(x, N=None, increasing=False):  # noqa: N803  (NumPy's argument name)
    """The Vandermonde matrix of `x`."""
    return torch.vander(to_tensor(x), N=N, increasing=increasing)


@keras_op
def corrcoef(x):
    """Pearson correlation coefficients of the rows of `x`."""
    return torch.corrcoef(default_float(to_tensor(x)))


@keras_op
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of `y` by the trapezoid rule."""
    y = default_float(to_tensor(y))
    if x is None:
        return torch.trapezoid(y, dx=dx, dim=axis)
    return torch.trapezoid(y, to_tensor(x).to(y.dtype), dim=axis)
