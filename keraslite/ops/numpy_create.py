"""`keras.ops` that create tensors: zeros, ones, full, arange, linspace, eye, ..."""

from __future__ import annotations

import numpy as np
import torch

from keraslite.backend import dtypes, state
from keraslite.ops.dispatch import keras_op, to_tensor


def _dtype_or_floatx(dtype) -> torch.dtype:
    return dtypes.to_torch_dtype(dtype if dtype is not None else state.floatx())


def _shape(shape) -> tuple:
    if isinstance(shape, (int, torch.SymInt)):
        return (shape,)
    # A symbolic size (`ops.shape(x)[0]` under torch.export) stays symbolic: `int()` would
    # fix the exported program to the traced size.
    return tuple(d if isinstance(d, torch.SymInt) else int(d) for d in shape)


def zeros(shape, dtype=None):
    """A tensor of `shape` filled with zeros (dtype `floatx()` by default)."""
    return torch.zeros(_shape(shape), dtype=_dtype_or_floatx(dtype), device=state.get_device())


def ones(shape, dtype=None):
    """A tensor of `shape` filled with ones."""
    return torch.ones(_shape(shape), dtype=_dtype_or_floatx(dtype), device=state.get_device())


def full(shape, fill_value, dtype=None):
    """A tensor of `shape` filled with `fill_value`."""
    if dtype is None and isinstance(fill_value, torch.Tensor):
        dtype = fill_value.dtype
    return torch.full(_shape(shape), fill_value, dtype=_dtype_or_floatx(dtype), device=state.get_device())


def empty(shape, dtype=None):
    """An uninitialized tensor of `shape`."""
    return torch.empty(_shape(shape), dtype=_dtype_or_floatx(dtype), device=state.get_device())


@keras_op
def zeros_like(x, dtype=None):
    """Zeros with the shape (and by default the dtype) of `x`."""
    x = to_tensor(x)
    return torch.zeros_like(x, dtype=None if dtype is None else dtypes.to_torch_dtype(dtype))


@keras_op
def ones_like(x, dtype=None):
    """Ones with the shape (and by default the dtype) of `x`."""
    x = to_tensor(x)
    return torch.ones_like(x, dtype=None if dtype is None else dtypes.to_torch_dtype(dtype))


@keras_op
def full_like(x, fill_value, dtype=None):
    """`fill_value` with the shape of `x`."""
    x = to_tensor(x)
    return torch.full_like(x, fill_value, dtype=None if dtype is None else dtypes.to_torch_dtype(dtype))


@keras_op
def empty_like(x, dtype=None):
    """An uninitialized tensor with the shape (and by default the dtype) of `x`."""
    x = to_tensor(x)
    return torch.empty_like(x, dtype=None if dtype is None else dtypes.to_torch_dtype(dtype))


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in `[start, stop)`: int32 for integer arguments, else floatx."""
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    if dtype is None:
        dtype = "int32" if all(isinstance(v, int) for v in (start, stop, step)) else state.floatx()
    return torch.arange(start, stop, step, dtype=dtypes.to_torch_dtype(dtype), device=state.get_device())


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from `start` to `stop`."""
    if endpoint:
        values = torch.linspace(float(start), float(stop), num, dtype=torch.float64)
        step = (stop - start) / max(num - 1, 1)
    else:
        step = (stop - start) / num
        values = torch.linspace(float(start), float(stop) - step, num, dtype=torch.float64)
    values = values.to(device=state.get_device(), dtype=_dtype_or_floatx(dtype))
    return (values, step) if retstep else values


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """`num` values spaced evenly on a log scale: base ** linspace(start, stop)."""
    exponents = linspace(start, stop, num, endpoint=endpoint, dtype="float64")
    return torch.pow(torch.tensor(float(base), dtype=torch.float64), exponents).to(_dtype_or_floatx(dtype))


def eye(N, M=None, k=0, dtype=None):  # noqa: N803  (NumPy's argument names)
    """A 2-D tensor with ones on the `k`-th diagonal."""
    M = N if M is None else M
    result = torch.zeros((N, M), dtype=_dtype_or_floatx(dtype), device=state.get_device())
    result.diagonal(k).fill_(1)
    return result


def identity(n, dtype=None):
    """The `n`x`n` identity matrix."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):  # noqa: N803
    """Ones at and below the `k`-th diagonal."""
    M = N if M is None else M
    return torch.tril(torch.ones((N, M), dtype=_dtype_or_floatx(dtype), device=state.get_device()), k)


# Log-spaced values, Vandermonde matrices and window functions.
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` values spaced evenly on a log scale from `start` to `stop`."""
    return logspace(float(np.log10(start)), float(np.log10(stop)), num, endpoint=endpoint, dtype=dtype)


@keras_op
def vander(x, N=None, increasing=False):  # noqa: N803  (NumPy's argument name)
    """The Vandermonde matrix of `x`."""
    return torch.vander(to_tensor(x), N=N, increasing=increasing)


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
