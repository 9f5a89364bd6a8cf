"""Audio front ends: STFTSpectrogram (a trainable STFT as two convolutions) and
MelSpectrogram (a fixed mel-scale spectrogram)."""

from __future__ import annotations

import math
import warnings

import torch
import torch.nn.functional as F

from keraslite.backend import state
from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.layer_arguments import standardize_data_format
from keraslite.ops.math import stft as stft_op

_WINDOWS = {
    "hann": torch.hann_window,
    "hanning": torch.hann_window,
    "hamming": torch.hamming_window,
    "blackman": torch.blackman_window,
    "bartlett": torch.bartlett_window,
    "boxcar": lambda n, periodic, dtype: torch.ones(n, dtype=dtype),
}


def named_window(name: str, length: int, periodic: bool, dtype=torch.float32) -> torch.Tensor:
    """SciPy's `get_window(name, length, fftbins=periodic)` for the common windows."""
    make = _WINDOWS.get(name)
    if make is None:
        raise ValueError(f"Unsupported window {name!r}; keraslite knows {sorted(_WINDOWS)} (or pass an array).")
    return make(length, periodic=periodic, dtype=dtype)


def stft_kernel(side: str, frame_length: int, bins: int, window, scaling, periodic: bool) -> torch.Tensor:
    """Keras's STFT initializer: `(frame_length, 1, bins)` cosines (side "real") or sines
    ("imag") of the DFT, times the window, divided by its scaling."""
    dtype = torch.float64
    time = torch.arange(frame_length, dtype=dtype).reshape(frame_length, 1, 1)
    frequency = torch.arange(bins, dtype=dtype).reshape(1, 1, bins) / ((bins - 1) * 2)
    angle = -2 * time * frequency * math.pi
    kernel = torch.cos(angle) if side == "real" else torch.sin(angle)
    if window is not None:
        win = named_window(window, frame_length, periodic, dtype) if isinstance(window, str) else None
        if win is None:
            win = torch.as_tensor(window, dtype=dtype)
        if win.ndim != 1 or win.shape[0] != frame_length:
            raise ValueError(
                f"The shape of `window` must be (frame_length,) = ({frame_length},). Received: {tuple(win.shape)}"
            )
        scale = 1.0
        if scaling == "density":
            scale = torch.sqrt(torch.sum(win * win))
        elif scaling == "spectrum":
            scale = torch.sum(torch.abs(win))
        kernel = kernel * win.reshape(frame_length, 1, 1) / scale
    return kernel


class STFTSpectrogram(Layer):
    """Spectrogram of `(batch, time, channels)` signals by a short-time Fourier
    transform written as two 1D convolutions (real and imaginary kernels, trainable,
    initialized to the windowed DFT as Keras's `STFT` initializer does).

    Args:
        mode: "log" (log magnitude, default), "magnitude", "psd", "real", "imag",
            "angle" or "stft" (real and imaginary parts stacked along frequency).
        frame_length: samples per frame; frame_step: hop (default frame_length // 2);
        fft_length: DFT size (default: the next power of two >= frame_length).
        window: a window name ("hann", "hamming", "blackman", "bartlett", "boxcar"), an
            array of length frame_length, or None; periodic: periodic (True) or
            symmetric window; scaling: "density", "spectrum" or None.
        padding: "valid" or "same"; expand_dims: keep channels as their own axis;
        data_format: "channels_last" or "channels_first".
    """

    def __init__(
        self,
        mode="log",
        frame_length=256,
        frame_step=None,
        fft_length=None,
        window="hann",
        periodic=False,
        scaling="density",
        padding="valid",
        expand_dims=False,
        data_format=None,
        **kwargs,
    ):
        if frame_step is not None and (frame_step > frame_length or frame_step < 1):
            raise ValueError(
                "`frame_step` should be a positive integer not greater than `frame_length`. "
                f"Received frame_step={frame_step}, frame_length={frame_length}"
            )
        if fft_length is not None and fft_length < frame_length:
            raise ValueError(
                "`fft_length` should be not less than `frame_length`. "
                f"Received fft_length={fft_length}, frame_length={frame_length}"
            )
        if fft_length is not None and (fft_length & -fft_length) != fft_length:
            warnings.warn(f"`fft_length` is recommended to be a power of two. Received fft_length={fft_length}")
        modes = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")
        if mode not in modes:
            raise ValueError(f"Output mode is invalid, it must be one of {', '.join(modes)}. Received: mode={mode}")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError(
                f"Scaling is invalid, it must be `None`, 'density' or 'spectrum'. Received scaling={scaling}"
            )
        if padding not in ("valid", "same"):
            raise ValueError(f"Padding is invalid, it should be 'valid', 'same'. Received: padding={padding}")
        if isinstance(window, str):
            named_window(window, 1, periodic)  # an unknown name fails here, not at build
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        bins = self._fft_length // 2 + 1
        shape = (self.frame_length, 1, bins)

        def initializer(side):
            def make(shape, dtype=None):
                return stft_kernel(side, self.frame_length, bins, self.window, self.scaling, self.periodic)

            return make

        if self.mode != "imag":
            self.real_kernel = self.add_weight(name="real_kernel", shape=shape, initializer=initializer("real"))
        if self.mode != "real":
            self.imag_kernel = self.add_weight(name="imag_kernel", shape=shape, initializer=initializer("imag"))
        self.built = True

    def _convolve(self, inputs, kernel):
        """(B, T, C) or (B, C, T) -> (B, C, bins, frames)."""
        signal = inputs.movedim(-1, 1) if self.data_format == "channels_last" else inputs
        batch, channels, length = signal.shape
        signal = signal.reshape(batch * channels, 1, length)
        if self.padding == "same":
            frames = -(-length // self._frame_step)
            total = max((frames - 1) * self._frame_step + self.frame_length - length, 0)
            signal = F.pad(signal, (total // 2, total - total // 2))
        weight = kernel.to(signal.dtype).permute(2, 1, 0)  # (bins, 1, frame_length)
        out = F.conv1d(signal, weight, stride=self._frame_step)
        return out.reshape(batch, channels, out.shape[1], out.shape[2])

    def _arrange(self, outputs):
        batch, channels, bins, frames = outputs.shape
        if self.data_format == "channels_last":
            if self.expand_dims:
                return outputs.permute(0, 3, 2, 1)
            return outputs.reshape(batch, channels * bins, frames).transpose(1, 2)
        if self.expand_dims:
            return outputs.transpose(2, 3)
        return outputs.reshape(batch, channels * bins, frames)

    def call(self, inputs):
        if inputs.dtype not in (torch.float16, torch.float32, torch.float64):
            raise TypeError(
                f"Invalid input type. Expected `float16`, `float32` or `float64`. Received: input type={inputs.dtype}"
            )
        real = self._convolve(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._convolve(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode == "real":
            return self._arrange(real)
        if self.mode == "imag":
            return self._arrange(imag)
        if self.mode == "angle":
            return self._arrange(torch.atan2(imag, real))
        if self.mode == "stft":
            return self._arrange(torch.cat([real, imag], dim=2))
        power = real.square() + imag.square()
        if self.mode == "psd":
            # One-sided PSD: the bins between DC and Nyquist count twice.
            return self._arrange(power + F.pad(power[:, :, 1:-1, :], (0, 0, 1, 1)))
        epsilon = state.epsilon()
        magnitude = self._arrange(torch.sqrt(torch.clamp(power, min=epsilon)))
        if self.mode == "magnitude":
            return magnitude
        return torch.log(torch.clamp(magnitude, min=epsilon))

    def compute_output_shape(self, input_shape):
        batch = input_shape[0]
        if self.data_format == "channels_last":
            length, channels = input_shape[1], input_shape[2]
        else:
            channels, length = input_shape[1], input_shape[2]
        bins = self._fft_length // 2 + 1
        if self.mode == "stft":
            bins *= 2
        if length is None:
            frames = None
        elif self.padding == "same":
            frames = -(-length // self._frame_step)
        else:
            frames = (length - self.frame_length) // self._frame_step + 1
        features = None if channels is None else channels * bins
        if self.expand_dims:
            if self.data_format == "channels_last":
                return (batch, frames, bins, channels)
            return (batch, channels, frames, bins)
        if self.data_format == "channels_last":
            return (batch, frames, features)
        return (batch, features, frames)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "mode": self.mode,
                "frame_length": self.frame_length,
                "frame_step": self.frame_step,
                "fft_length": self.fft_length,
                "window": self.window,
                "periodic": self.periodic,
                "scaling": self.scaling,
                "padding": self.padding,
                "data_format": self.data_format,
                "expand_dims": self.expand_dims,
            }
        )
        return config


_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def _hertz_to_mel(frequencies):
    return _MEL_HIGH_FREQUENCY_Q * torch.log(1.0 + frequencies / _MEL_BREAK_FREQUENCY_HERTZ)


def linear_to_mel_weight_matrix(num_mel_bins, num_spectrogram_bins, sampling_rate, lower_edge_hertz, upper_edge_hertz):
    """`(num_spectrogram_bins, num_mel_bins)` triangular filters, linear in mel (HTK's
    mel(f) = 1127 ln(1 + f / 700)), each peaking at 1; the DC bin gets no weight."""
    dtype = torch.float32
    linear = torch.linspace(0.0, sampling_rate / 2.0, num_spectrogram_bins, dtype=dtype)[1:]
    bins_mel = _hertz_to_mel(linear).unsqueeze(1)
    edges = torch.linspace(
        float(_hertz_to_mel(torch.tensor(float(lower_edge_hertz), dtype=dtype))),
        float(_hertz_to_mel(torch.tensor(float(upper_edge_hertz), dtype=dtype))),
        num_mel_bins + 2,
        dtype=dtype,
    )
    lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    lower_slopes = (bins_mel - lower) / (center - lower)
    upper_slopes = (upper - bins_mel) / (upper - center)
    weights = torch.clamp(torch.minimum(lower_slopes, upper_slopes), min=0.0)
    return F.pad(weights, (0, 0, 1, 0))


class MelSpectrogram(Layer):
    """Mel-scaled power spectrogram of `(batch, time)` (or `(time,)`) audio:
    `(batch, num_mel_bins, frames)`, in decibels by default.

    A centered STFT (`ops.stft`), the magnitude raised to `mag_exp`, triangular mel
    filters between `min_freq` and `max_freq` (default sampling_rate / 2), then
    `10 log10(max(x, min_power) / ref_power)` clipped to `top_db` below the batch's
    maximum when `power_to_db`.
    """

    def __init__(
        self,
        fft_length=2048,
        sequence_stride=512,
        sequence_length=None,
        window="hann",
        sampling_rate=16000,
        num_mel_bins=128,
        min_freq=20.0,
        max_freq=None,
        power_to_db=True,
        top_db=80.0,
        mag_exp=2.0,
        min_power=1e-10,
        ref_power=1.0,
        **kwargs,
    ):
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.fft_length < self.sequence_length:
            raise ValueError(
                "`fft_length` must be greater than or equal to `sequence_length`. Received: "
                f"sequence_length={self.sequence_length}, fft_length={self.fft_length}."
            )
        super().__init__(**kwargs)
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        self.built = True

    def call(self, inputs):
        signal = inputs if inputs.dtype in (torch.float32, torch.float64) else inputs.to(torch.float32)
        real, imag = stft_op(
            signal,
            self.sequence_length,
            self.sequence_stride,
            self.fft_length,
            window=self.window,
            center=True,
        )
        spectrum = torch.sqrt(real.square() + imag.square()) ** self.mag_exp
        matrix = linear_to_mel_weight_matrix(
            self.num_mel_bins, spectrum.shape[-1], self.sampling_rate, self.min_freq, self.max_freq
        ).to(device=spectrum.device, dtype=spectrum.dtype)
        mel = torch.tensordot(spectrum, matrix, dims=1)
        if self.power_to_db:
            mel = 10.0 * torch.log10(torch.clamp(mel, min=self.min_power))
            mel = mel - 10.0 * math.log10(max(abs(self.ref_power), self.min_power))
            mel = torch.maximum(mel, mel.max() - self.top_db)
        return mel.transpose(-1, -2).to(self._compute_torch_dtype)

    def compute_output_shape(self, input_shape):
        length = input_shape[-1]
        frames = None if length is None else 1 + length // self.sequence_stride
        return tuple(input_shape[:-1]) + (self.num_mel_bins, frames)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "fft_length": self.fft_length,
                "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length,
                "window": self.window,
                "sampling_rate": self.sampling_rate,
                "num_mel_bins": self.num_mel_bins,
                "min_freq": self.min_freq,
                "max_freq": self.max_freq,
                "power_to_db": self.power_to_db,
                "top_db": self.top_db,
                "mag_exp": self.mag_exp,
                "min_power": self.min_power,
                "ref_power": self.ref_power,
            }
        )
        return config
