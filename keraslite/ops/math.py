"""`keras.ops` math: erf, top_k, in_top_k, segment reductions, logdet ..."""

from __future__ import annotations

import torch

from keraslite.ops.dispatch import default_float, keras_op, to_tensor


@keras_op
def erf(x):
    """Gauss error function, elementwise."""
    return torch.erf(default_float(to_tensor(x)))


@keras_op
def erfc(x):
    """Complementary error function, elementwise."""
    return torch.erfc(default_float(to_tensor(x)))


@keras_op
def erfinv(x):
    """Inverse error function, elementwise."""
    return torch.erfinv(default_float(to_tensor(x)))


@keras_op
def top_k(x, k, sorted=True):  # noqa: A002
    """(values, int32 indices) of the `k` largest entries along the last axis."""
    values, indices = torch.topk(to_tensor(x), k, dim=-1, sorted=sorted)
    return values, indices.to(torch.int32)


@keras_op
def in_top_k(targets, predictions, k):
    """Whether each target class is among the `k` highest predictions."""
    predictions, targets = to_tensor(predictions), to_tensor(targets).long()
    target_scores = torch.gather(predictions, 1, targets.unsqueeze(-1))
    return (predictions > target_scores).sum(dim=-1) < k


def _segment(x, segment_ids, num_segments, reduce):
    x, segment_ids = to_tensor(x), to_tensor(segment_ids).long()
    if num_segments is None:
        num_segments = int(segment_ids.max()) + 1  # host sync; pass num_segments to avoid it
    shape = (num_segments,) + tuple(x.shape[1:])
    index = segment_ids.reshape((-1,) + (1,) * (x.ndim - 1)).expand_as(x)
    if reduce == "sum":
        return torch.zeros(shape, dtype=x.dtype, device=x.device).scatter_add(0, index, x)
    initial = {"amax": float("-inf"), "amin": float("inf"), "prod": 1.0}[reduce]
    out = torch.full(shape, initial, dtype=x.dtype, device=x.device)
    return out.scatter_reduce(0, index, x, reduce=reduce, include_self=True)


@keras_op
def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Sums of `data` rows grouped by `segment_ids`."""
    return _segment(data, segment_ids, num_segments, "sum")


@keras_op
def segment_max(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Maxima of `data` rows grouped by `segment_ids`."""
    return _segment(data, segment_ids, num_segments, "amax")


@keras_op
def logdet(x):
    """log(det(x)) of a positive-definite matrix."""
    return torch.logdet(to_tensor(x))


@keras_op
def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of length `sequence_length` every `sequence_stride` along the last axis."""
    return to_tensor(x).unfold(-1, sequence_length, sequence_stride)


@keras_op
def segment_min(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Minima of `data` rows grouped by `segment_ids`."""
    return _segment(data, segment_ids, num_segments, "amin")


@keras_op
def segment_prod(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Products of `data` rows grouped by `segment_ids`."""
    return _segment(data, segment_ids, num_segments, "prod")


@keras_op
def cdist(x1, x2, p=2.0):
    """Pairwise p-norm distances between the rows of `x1` and of `x2`."""
    return torch.cdist(default_float(to_tensor(x1)), default_float(to_tensor(x2)), p=p)


def _complex(x):
    real, imag = x
    real = default_float(to_tensor(real))
    return torch.complex(real, to_tensor(imag).to(real.dtype))


@keras_op
def fft(x):
    """FFT over the last axis of `x = (real, imag)`; returns `(real, imag)`."""
    result = torch.fft.fft(_complex(x))
    return result.real, result.imag


@keras_op
def fft2(x):
    """2-D FFT over the last two axes of `x = (real, imag)`; returns `(real, imag)`."""
    result = torch.fft.fft2(_complex(x))
    return result.real, result.imag


@keras_op
def ifft2(x):
    """Inverse 2-D FFT of `x = (real, imag)`; returns `(real, imag)`."""
    result = torch.fft.ifft2(_complex(x))
    return result.real, result.imag


@keras_op
def rfft(x, fft_length=None):
    """FFT of a real signal over its last axis; returns `(real, imag)`."""
    result = torch.fft.rfft(default_float(to_tensor(x)), n=fft_length)
    return result.real, result.imag


@keras_op
def irfft(x, fft_length=None):
    """Inverse of `rfft` for `x = (real, imag)`: a real signal."""
    return torch.fft.irfft(_complex(x), n=fft_length)
