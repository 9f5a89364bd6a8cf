"""`keras.ops` math: erf, top_k, in_top_k, segment reductions, logdet ..."""

from __future__ import annotations

import torch
import torch.nn.functional as F

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
def cdist(x, y, p=2.0):
    """Pairwise p-norm distances between the rows of `x` and of `y`."""
    return torch.cdist(default_float(to_tensor(x)), default_float(to_tensor(y)), p=p)


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


def _window(window, sequence_length, dtype, device):
    if window is None:
        return None
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(f'If a string is passed to `window`, it must be "hann" or "hamming". Received: {window=}')
        make = torch.hann_window if window == "hann" else torch.hamming_window
        return make(sequence_length, periodic=True, dtype=dtype, device=device)
    window = to_tensor(window).to(dtype=dtype, device=device)
    if window.ndim != 1 or window.shape[0] != sequence_length:
        raise ValueError(
            f"The shape of `window` must be (sequence_length,) = ({sequence_length},). "
            f"Received: window.shape={tuple(window.shape)}"
        )
    return window


@keras_op
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform over the last axis of a real float signal.

    Frames of `sequence_length` samples every `sequence_stride`, each windowed
    ("hann", "hamming", an array, or None for none) and zero-padded to `fft_length`;
    `center` pads the signal by `fft_length // 2` on both sides (reflect), as torch.
    Returns `(real, imag)`, each `(..., num_frames, fft_length // 2 + 1)`.
    """
    x = to_tensor(x)
    if x.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"`stft` expects a float32 or float64 signal. Received: x.dtype={x.dtype}")
    if fft_length < sequence_length:
        raise ValueError(
            "`fft_length` must be at least `sequence_length`. Received: "
            f"sequence_length={sequence_length}, fft_length={fft_length}"
        )
    win = _window(window, sequence_length, x.dtype, x.device)
    if win is None:
        win = torch.ones(sequence_length, dtype=x.dtype, device=x.device)
    batch_shape, samples = x.shape[:-1], x.shape[-1]
    result = torch.stft(
        x.reshape(-1, samples),
        n_fft=fft_length,
        hop_length=sequence_stride,
        win_length=sequence_length,
        window=win,
        center=center,
        return_complex=True,
    )
    result = result.reshape(tuple(batch_shape) + tuple(result.shape[-2:])).transpose(-2, -1)
    return result.real, result.imag


def _overlap_add(frames, stride):
    """(..., num_frames, frame_length) -> (..., (num_frames - 1) * stride + frame_length)."""
    *batch, count, length = frames.shape
    flat = frames.reshape(-1, count, length).transpose(1, 2)  # (B, length, count): fold's columns
    total = (count - 1) * stride + length
    out = F.fold(flat, output_size=(1, total), kernel_size=(1, length), stride=(1, stride))
    return out.reshape(tuple(batch) + (total,))


@keras_op
def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True):
    """Inverse of `stft` for `x = (real, imag)`: overlap-add of the windowed inverse
    FFTs, divided by the summed squared window; `length` trims or sets the output size."""
    spectrum = _complex(x)
    dtype = spectrum.real.dtype
    win = _window(window, sequence_length, dtype, spectrum.device)
    if sequence_length == fft_length and center and win is not None:
        batch_shape = spectrum.shape[:-2]
        flat = spectrum.reshape((-1,) + tuple(spectrum.shape[-2:])).transpose(-2, -1)
        signal = torch.istft(
            flat,
            n_fft=fft_length,
            hop_length=sequence_stride,
            win_length=sequence_length,
            window=win,
            center=center,
            length=length,
            return_complex=False,
        )
        return signal.reshape(tuple(batch_shape) + (signal.shape[-1],))
    frames = torch.fft.irfft(spectrum, n=fft_length)
    expected_length = fft_length + sequence_stride * (frames.shape[-2] - 1)
    if win is not None:
        left = (fft_length - sequence_length) // 2
        win = F.pad(win, (left, fft_length - sequence_length - left))
        # Normalise by the squared window summed over the frames that overlap each
        # position of one stride period (TensorFlow's inverse_stft_window_fn).
        overlaps = -(-fft_length // sequence_stride)
        squares = F.pad(win.square(), (0, overlaps * sequence_stride - fft_length))
        period = squares.reshape(overlaps, sequence_stride).sum(0)
        win = win / period.repeat(overlaps)[:fft_length]
        frames = frames * win
    signal = _overlap_add(frames, sequence_stride)
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = -(fft_length // 2)
    else:
        end = expected_length
    return signal[..., start:end]


@keras_op
def view_as_complex(x):
    """A complex tensor from a real one whose last axis (size 2) holds (real, imag)."""
    x = default_float(to_tensor(x))
    if x.ndim == 0 or x.shape[-1] != 2:
        raise ValueError(f"`view_as_complex` needs a last axis of size 2. Received: x.shape={tuple(x.shape)}")
    return torch.view_as_complex(x.contiguous())


@keras_op
def view_as_real(x):
    """A real tensor with a trailing axis of size 2 holding (real, imag) of complex `x`."""
    x = to_tensor(x)
    if not x.is_complex():
        raise ValueError(f"`view_as_real` needs a complex tensor. Received: x.dtype={x.dtype}")
    return torch.view_as_real(x)
