"""NaN-ignoring reductions and scans (`nansum`, `nanmean`, `nanquantile`, `nanargmax`,
...): NumPy's `nan*` functions on torch tensors."""

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
    return torch.amax(
        torch.where(torch.isnan(x), torch.full_like(x, float("-inf")), x), dim=_dims(x, axis), keepdim=keepdims
    )


@keras_op
def nanmin(x, axis=None, keepdims=False):
    """Minimum over `axis` ignoring NaNs."""
    x = default_float(to_tensor(x))
    return torch.amin(
        torch.where(torch.isnan(x), torch.full_like(x, float("inf")), x), dim=_dims(x, axis), keepdim=keepdims
    )


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
    return nanquantile.eager_function(
        x, np.asarray(q, dtype="float64") / 100.0, axis=axis, method=method, keepdims=keepdims
    )


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
