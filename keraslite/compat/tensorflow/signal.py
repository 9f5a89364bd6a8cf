"""`tf.signal`: Fourier transforms over the last axis (complex tensors), and `stft`."""

from __future__ import annotations

import torch

from keraslite.compat.tensorflow.array_ops import tf_api
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.ops.dispatch import to_tensor

__getattr__ = module_getattr("tf.signal")


@tf_api
def fft(input):  # noqa: A002
    return torch.fft.fft(to_tensor(input))


@tf_api
def ifft(input):  # noqa: A002
    return torch.fft.ifft(to_tensor(input))


@tf_api
def rfft(input_tensor, fft_length=None):
    n = None if fft_length is None else int(fft_length[0] if hasattr(fft_length, "__len__") else fft_length)
    return torch.fft.rfft(to_tensor(input_tensor), n=n)


@tf_api
def irfft(input_tensor, fft_length=None):
    n = None if fft_length is None else int(fft_length[0] if hasattr(fft_length, "__len__") else fft_length)
    return torch.fft.irfft(to_tensor(input_tensor), n=n)


@tf_api
def fft2d(input):  # noqa: A002
    return torch.fft.fft2(to_tensor(input))


@tf_api
def stft(signals, frame_length, frame_step, fft_length=None, window_fn=None, pad_end=False):
    """Frames of `frame_length` every `frame_step`, Hann-windowed by default (TensorFlow's
    periodic Hann), each transformed with an `fft_length` real FFT: (..., frames, bins)."""
    signals = to_tensor(signals).float()
    fft_length = int(fft_length or 2 ** (int(frame_length) - 1).bit_length())
    if pad_end:
        remainder = (signals.shape[-1] - int(frame_length)) % int(frame_step)
        extra = (
            (int(frame_step) - remainder) % int(frame_step)
            if signals.shape[-1] >= int(frame_length)
            else (int(frame_length) - signals.shape[-1])
        )
        signals = torch.nn.functional.pad(signals, (0, extra))
    frames = signals.unfold(-1, int(frame_length), int(frame_step))
    if window_fn is None or window_fn is hann_window:
        window = torch.hann_window(int(frame_length), periodic=True, dtype=frames.dtype)
    else:
        window = to_tensor(window_fn(int(frame_length), dtype="float32"))
    return torch.fft.rfft(frames * window, n=fft_length)


@tf_api
def hann_window(window_length, periodic=True, dtype="float32"):
    return torch.hann_window(int(window_length), periodic=bool(periodic))
