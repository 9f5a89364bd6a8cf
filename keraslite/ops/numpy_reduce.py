"""Reductions and scans (`sum`, `mean`, `max`, `argmax`, `cumsum`, `sort`, ...)."""

from __future__ import annotations

import builtins

import numpy as np
import torch

from keraslite.ops.dispatch import axis_arg, default_float, keras_op, to_tensor


def _reduce_dims(x, axis):
    axis = axis_arg(axis)
    if axis is None:
        return tuple(range(x.ndim))
    return axis if isinstance(axis, tuple) else (axis,)


@keras_op
def sum(x, axis=None, keepdims=False):  # noqa: A001
    """Sum over `axis` (all axes by default)."""
    x = to_tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    result = torch.sum(x, dim=_reduce_dims(x, axis), keepdim=keepdims)
    return (
        result.to(x.dtype)
        if not x.is_floating_point() and x.dtype != torch.int64 and x.dtype != torch.uint8
        else result
    )


@keras_op
def mean(x, axis=None, keepdims=False):
    """Mean over `axis`; integer inputs give floatx."""
    x = default_float(to_tensor(x))
    return torch.mean(x, dim=_reduce_dims(x, axis), keepdim=keepdims)


@keras_op
def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over `axis`."""
    x = to_tensor(x)
    dims = _reduce_dims(x, axis)
    result = x
    for dim in sorted((d % builtins.max(x.ndim, 1) for d in dims), reverse=True):
        result = torch.prod(result, dim=dim, keepdim=keepdims)
    return result


def _extremum(torch_function, x, axis, keepdims, initial):
    x = to_tensor(x)
    result = torch_function(x, dim=_reduce_dims(x, axis), keepdim=keepdims)
    if initial is not None:
        result = (
            torch.maximum(result, torch.as_tensor(initial, dtype=result.dtype))
            if torch_function is torch.amax
            else torch.minimum(result, torch.as_tensor(initial, dtype=result.dtype))
        )
    return result


@keras_op
def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """Maximum over `axis`."""
    return _extremum(torch.amax, x, axis, keepdims, initial)


@keras_op
def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """Minimum over `axis`."""
    return _extremum(torch.amin, x, axis, keepdims, initial)


amax = max
amin = min


@keras_op
def var(x, axis=None, keepdims=False):
    """Variance (population, ddof 0) over `axis`."""
    x = default_float(to_tensor(x))
    return torch.var(x, dim=_reduce_dims(x, axis), keepdim=keepdims, correction=0)


@keras_op
def std(x, axis=None, keepdims=False):
    """Standard deviation (population) over `axis`."""
    x = default_float(to_tensor(x))
    return torch.std(x, dim=_reduce_dims(x, axis), keepdim=keepdims, correction=0)


@keras_op
def all(x, axis=None, keepdims=False):  # noqa: A001
    """Whether all elements over `axis` are true."""
    x = to_tensor(x).bool()
    dims = _reduce_dims(x, axis)
    return torch.all(x, dim=dims, keepdim=keepdims) if dims else x


@keras_op
def any(x, axis=None, keepdims=False):  # noqa: A001
    """Whether any element over `axis` is true."""
    x = to_tensor(x).bool()
    dims = _reduce_dims(x, axis)
    return torch.any(x, dim=dims, keepdim=keepdims) if dims else x


@keras_op
def count_nonzero(x, axis=None):
    """Number of non-zero elements over `axis` (int32)."""
    x = to_tensor(x)
    return torch.count_nonzero(x, dim=_reduce_dims(x, axis)).to(torch.int32)


def _arg(torch_function, x, axis, keepdims):
    x = to_tensor(x)
    if x.dtype == torch.bool:  # torch has no bool argmax/argmin; Keras accepts bool (False < True)
        x = x.to(torch.uint8)
    if axis is None:
        result = torch_function(x.reshape(-1))
        if keepdims:
            result = result.reshape((1,) * x.ndim)
    else:
        result = torch_function(x, dim=axis, keepdim=keepdims)
    return result.to(torch.int32)


@keras_op
def argmax(x, axis=None, keepdims=False):
    """Index of the maximum along `axis` (of the flattened tensor if None); int32."""
    return _arg(torch.argmax, x, axis, keepdims)


@keras_op
def argmin(x, axis=None, keepdims=False):
    """Index of the minimum along `axis`; int32."""
    return _arg(torch.argmin, x, axis, keepdims)


@keras_op
def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along `axis` (of the flattened tensor if None)."""
    x = to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    result = torch.cumsum(x, dim=axis)
    return result.to(x.dtype) if x.dtype in (torch.int32, torch.int16, torch.int8) else result


@keras_op
def cumprod(x, axis=None, dtype=None):
    """Cumulative product along `axis`."""
    x = to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    result = torch.cumprod(x, dim=axis)
    return result.to(x.dtype) if x.dtype in (torch.int32, torch.int16, torch.int8) else result


@keras_op
def sort(x, axis=-1):
    """`x` sorted along `axis`."""
    return torch.sort(to_tensor(x), dim=axis).values


@keras_op
def argsort(x, axis=-1):
    """The indices that sort `x` along `axis` (stable); int32."""
    x = to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


@keras_op
def median(x, axis=None, keepdims=False):
    """Median over `axis` (mean of the two middle values for even counts, as NumPy)."""
    return quantile.eager_function(x, 0.5, axis=axis, keepdims=keepdims)


@keras_op
def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th quantile(s) over `axis`."""
    x = default_float(to_tensor(x))
    q = torch.as_tensor(q, dtype=x.dtype, device=x.device)
    if axis is None:
        result = torch.quantile(x.reshape(-1), q, interpolation=method)
        return result.reshape(q.shape + (1,) * x.ndim) if keepdims else result
    if isinstance(axis, (list, tuple)):
        axes = [a % x.ndim for a in axis]
        rest = [d for d in range(x.ndim) if d not in axes]
        moved = x.permute(rest + axes).reshape([x.shape[d] for d in rest] + [-1])
        result = torch.quantile(moved, q, dim=-1)
        if keepdims:
            for a in sorted(axes):
                result = result.unsqueeze(a + (1 if q.ndim else 0))
        return result
    return torch.quantile(x, q, dim=axis, keepdim=keepdims, interpolation=method)


@keras_op
def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over `axis`, computed stably."""
    x = default_float(to_tensor(x))
    return torch.logsumexp(x, dim=_reduce_dims(x, axis), keepdim=keepdims)


@keras_op
def average(x, axis=None, weights=None):
    """Weighted mean over `axis`."""
    x = default_float(to_tensor(x))
    if weights is None:
        return torch.mean(x, dim=_reduce_dims(x, axis))
    weights = to_tensor(weights).to(x.dtype)
    if axis is not None and weights.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        weights = weights.reshape(shape)
    dims = _reduce_dims(x, axis)
    return torch.sum(x * weights, dim=dims) / torch.sum(weights.expand_as(x), dim=dims)


@keras_op
def ptp(x, axis=None, keepdims=False):
    """max - min over `axis`."""
    x = to_tensor(x)
    dims = _reduce_dims(x, axis)
    return torch.amax(x, dim=dims, keepdim=keepdims) - torch.amin(x, dim=dims, keepdim=keepdims)


@keras_op
def trace(x, offset=0, axis1=0, axis2=1):
    """Sum along a diagonal."""
    return torch.diagonal(to_tensor(x), offset=offset, dim1=axis1, dim2=axis2).sum(-1)


# Percentiles, partial sorts, correlation and integration along an axis.
@keras_op
def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The `q`-th percentile(s) (0-100) over `axis`."""
    return quantile.eager_function(
        x, np.asarray(q, dtype="float64") / 100.0, axis=axis, method=method, keepdims=keepdims
    )


@keras_op
def argpartition(x, kth, axis=-1):
    """Indices that partition `x` around its `kth` element (a full stable sort is one)."""
    return torch.argsort(to_tensor(x), dim=axis, stable=True).to(torch.int32)


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
def histogram(x, bins=10, range=None):  # noqa: A002  (NumPy's name)
    """(counts, bin_edges) of the values of `x` in `bins` equal-width bins over `range`
    (default: the data's min and max; the last bin includes its right edge; values
    outside `range` are not counted). Computed on the device, without a host sync."""
    x = default_float(to_tensor(x)).reshape(-1)
    if not isinstance(bins, int) or bins <= 0:
        raise ValueError(f"`histogram` takes a positive integer number of bins. Received: bins={bins!r}")
    if range is None:
        low, high = (x.min(), x.max()) if x.numel() else (x.new_tensor(0.0), x.new_tensor(1.0))
    else:
        if float(range[0]) > float(range[1]):
            raise ValueError(f"`histogram`: range must be (min, max) with min <= max. Received: range={range!r}")
        low, high = x.new_tensor(float(range[0])), x.new_tensor(float(range[1]))
    # An empty range widens to +-0.5, as NumPy does.
    flat = low == high
    low, high = torch.where(flat, low - 0.5, low), torch.where(flat, high + 0.5, high)
    position = torch.floor((x - low) * bins / (high - low))
    inside = (x >= low) & (x <= high)
    index = torch.clamp(position, 0, bins - 1).long()
    counts = torch.zeros(bins, dtype=x.dtype, device=x.device).scatter_add(0, index, inside.to(x.dtype))
    edges = low + (high - low) * torch.arange(bins + 1, dtype=x.dtype, device=x.device) / bins
    return counts, edges
