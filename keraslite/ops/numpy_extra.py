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


@keras_op
def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th percentile(s) (0-100) over `axis`."""
    from keraslite.ops.numpy_reduce import quantile

    return quantile.eager_function(x, np.asarray(q, dtype="float64") / 100.0, axis=axis, method=method, keepdims=keepdims)


@keras_op
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th quantile(s) over `axis`, ignoring NaNs."""
    x = default_float(to_tensor(x))
    q = torch.as_tensor(q, dtype=x.dtype, device=x.device)
    if axis is None:
        return torch.nanquantile(x.reshape(-1), q, interpolation=method)
    return torch.nanquantile(x, q, dim=axis, keepdim=keepdims, interpolation=method)


@keras_op
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th percentile(s) over `axis`, ignoring NaNs."""
    return nanquantile.eager_function(x, np.asarray(q, dtype="float64") / 100.0, axis=axis, method=method, keepdims=keepdims)


@keras_op
def nanmedian(x, axis=None, keepdims=False):
    """Median over `axis`, ignoring NaNs (mean of the middle two, as NumPy)."""
    return nanquantile.eager_function(x, 0.5, axis=axis, keepdims=keepdims)


@keras_op
def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum with NaNs counted as zero."""
    x = to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.cumsum(torch.nan_to_num(x, nan=0.0) if x.is_floating_point() else x, dim=axis)


@keras_op
def nancumprod(x, axis=None, dtype=None):
    """Cumulative product with NaNs counted as one."""
    x = to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if x.is_floating_point():
        x = torch.where(torch.isnan(x), torch.ones_like(x), x)
    return torch.cumprod(x, dim=axis)


@keras_op
def nanargmax(x, axis=None, keepdims=False):
    """Index of the maximum ignoring NaNs; int32."""
    x = default_float(to_tensor(x))
    x = torch.where(torch.isnan(x), torch.full_like(x, float("-inf")), x)
    if axis is None:
        return torch.argmax(x.reshape(-1)).to(torch.int32)
    return torch.argmax(x, dim=axis, keepdim=keepdims).to(torch.int32)


@keras_op
def nanargmin(x, axis=None, keepdims=False):
    """Index of the minimum ignoring NaNs; int32."""
    x = default_float(to_tensor(x))
    x = torch.where(torch.isnan(x), torch.full_like(x, float("inf")), x)
    if axis is None:
        return torch.argmin(x.reshape(-1)).to(torch.int32)
    return torch.argmin(x, dim=axis, keepdim=keepdims).to(torch.int32)


@keras_op
def argpartition(x, kth, axis=-1):
    """Indices that partition `x` around its `kth` element (a full stable sort is one)."""
    return torch.argsort(to_tensor(x), dim=axis, stable=True).to(torch.int32)


@keras_op
def angle(x):
    """The complex argument of each element (0 or pi for reals)."""
    return torch.angle(default_float(to_tensor(x)))


@keras_op
def isreal(x):
    """Whether each element has no imaginary part."""
    return torch.isreal(to_tensor(x))


@keras_op
def i0(x):
    """Modified Bessel function of the first kind, order 0."""
    return torch.special.i0(default_float(to_tensor(x)))


@keras_op
def ldexp(x1, x2):
    """x1 * 2**x2, elementwise."""
    return torch.ldexp(default_float(to_tensor(x1)), to_tensor(x2))


def _window(function, x, **kwargs):
    return function(int(x), periodic=False, dtype=torch.float32, **kwargs)


def hamming(x):
    """The Hamming window of `x` points."""
    return _window(torch.hamming_window, x)


def hanning(x):
    """The Hann window of `x` points."""
    return _window(torch.hann_window, x)


def bartlett(x):
    """The Bartlett (triangular) window of `x` points."""
    return _window(torch.bartlett_window, x)


def blackman(x):
    """The Blackman window of `x` points."""
    return _window(torch.blackman_window, x)


def kaiser(x, beta):
    """The Kaiser window of `x` points."""
    return _window(torch.kaiser_window, x, beta=float(beta))
