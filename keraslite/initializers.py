"""`keras.initializers`: Keras's initializers, their defaults and fan computations.

An initializer is called as `initializer(shape, dtype)` with the weight's *Keras* shape
and returns a float32/64 torch tensor on the CPU. Unseeded initializers draw from
torch's global generator (so `keras.utils.set_random_seed` makes them repeatable); a
seeded one returns the same values on every call, as in Keras.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from keraslite.backend import dtypes
from keraslite.serialization import serialization_lib as serialization
from keraslite.serialization.identifiers import get_object


def compute_fans(shape, input_axes=None, output_axes=None) -> tuple[float, float]:
    """(fan_in, fan_out) of a Keras-layout weight shape; explicit axes override the rule
    that the last two axes are (inputs, outputs) and the rest a receptive field."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return float(np.prod([shape[a] for a in input_axes])), float(np.prod([shape[a] for a in output_axes]))
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive_field = float(np.prod(shape[:-2]))
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class Initializer:
    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


class _RandomInitializer(Initializer):
    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, int):
            raise ValueError(f"`seed` argument should be an integer or None. Received: seed={seed!r}")
        self.seed = seed

    def _generator(self):
        if self.seed is None:
            return None
        return torch.Generator().manual_seed(self.seed)

    def get_config(self):
        return {"seed": self.seed}


def _empty(shape, dtype):
    torch_dtype = dtypes.to_torch_dtype(dtype)
    if not torch_dtype.is_floating_point:
        raise ValueError(f"Random initializers need a floating dtype. Received: dtype={dtype!r}")
    return torch.empty(tuple(shape), dtype=torch_dtype)


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return torch.zeros(tuple(shape), dtype=dtypes.to_torch_dtype(dtype))


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return torch.ones(tuple(shape), dtype=dtypes.to_torch_dtype(dtype))


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        value = torch.as_tensor(np.asarray(self.value), dtype=dtypes.to_torch_dtype(dtype))
        return torch.broadcast_to(value, tuple(shape)).clone()

    def get_config(self):
        value = self.value
        return {"value": value.tolist() if isinstance(value, np.ndarray) else value}


class RandomNormal(_RandomInitializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return _empty(shape, dtype).normal_(self.mean, self.stddev, generator=self._generator())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_RandomInitializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return _empty(shape, dtype).uniform_(self.minval, self.maxval, generator=self._generator())

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


_CDF_MINUS_2 = 0.5 * (1.0 + math.erf(-2.0 / math.sqrt(2.0)))


def standard_truncated_normal_(tensor: torch.Tensor, generator=None) -> torch.Tensor:
    """Fill `tensor` with standard normal values truncated to [-2, 2] (Keras's truncated
    normal: the normal distribution conditioned on that interval), in place.

    Drawn by inverting the CDF on a uniform draw in one pass: torch's `trunc_normal_`
    redraws the whole tensor until no value is out of range, about 15x slower on large
    kernels (EfficientNet's build time is mostly this)."""
    sample = tensor if tensor.dtype in (torch.float32, torch.float64) else torch.empty_like(tensor, dtype=torch.float32)
    sample.uniform_(_CDF_MINUS_2, 1.0 - _CDF_MINUS_2, generator=generator)
    sample.mul_(2.0).sub_(1.0).erfinv_().mul_(math.sqrt(2.0)).clamp_(-2.0, 2.0)
    if sample is not tensor:
        tensor.copy_(sample)
    return tensor


def _truncated_normal(shape, dtype, mean, stddev, generator):
    """Normal values within two standard deviations of the mean (as Keras)."""
    tensor = _empty(shape, dtype)
    with torch.no_grad():
        standard_truncated_normal_(tensor, generator)
    return tensor.mul_(stddev).add_(mean)


class TruncatedNormal(_RandomInitializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return _truncated_normal(shape, dtype, self.mean, self.stddev, self._generator())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(_RandomInitializer):
    def __init__(
        self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None, input_axes=None, output_axes=None
    ):
        super().__init__(seed)
        self.input_axes, self.output_axes = input_axes, output_axes
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(
                f"Invalid `mode` argument: expected one of 'fan_in', 'fan_out', 'fan_avg'. Received: mode={mode!r}"
            )
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(
                "Invalid `distribution` argument: expected one of 'uniform', 'truncated_normal', "
                f"'untruncated_normal'. Received: distribution={distribution!r}"
            )
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        generator = self._generator()
        if self.distribution == "truncated_normal":
            # 0.879... is the stddev of a unit normal truncated to [-2, 2].
            return _truncated_normal(shape, dtype, 0.0, math.sqrt(scale) / 0.87962566103423978, generator)
        if self.distribution == "untruncated_normal":
            return _empty(shape, dtype).normal_(0.0, math.sqrt(scale), generator=generator)
        limit = math.sqrt(3.0 * scale)
        return _empty(shape, dtype).uniform_(-limit, limit, generator=generator)

    def get_config(self):
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


def _fixed_variance_scaling(name, scale, mode, distribution):
    class Fixed(VarianceScaling):
        def __init__(self, seed=None, input_axes=None, output_axes=None):
            super().__init__(
                scale=scale,
                mode=mode,
                distribution=distribution,
                seed=seed,
                input_axes=input_axes,
                output_axes=output_axes,
            )

        def get_config(self):
            return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    Fixed.__name__ = Fixed.__qualname__ = name
    return Fixed


GlorotUniform = _fixed_variance_scaling("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _fixed_variance_scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
LecunUniform = _fixed_variance_scaling("LecunUniform", 1.0, "fan_in", "uniform")
LecunNormal = _fixed_variance_scaling("LecunNormal", 1.0, "fan_in", "truncated_normal")
HeUniform = _fixed_variance_scaling("HeUniform", 2.0, "fan_in", "uniform")
HeNormal = _fixed_variance_scaling("HeNormal", 2.0, "fan_in", "truncated_normal")


class Orthogonal(_RandomInitializer):
    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. Received: shape={shape}")
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        flat = torch.empty((max(rows, cols), min(rows, cols)), dtype=torch.float64).normal_(generator=self._generator())
        q, r = torch.linalg.qr(flat)
        q = q * torch.sign(torch.diagonal(r))
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).to(dtypes.to_torch_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(
                f"Identity matrix initializer can only be used for 2D matrices. Received: shape={tuple(shape)}"
            )
        return self.gain * torch.eye(*shape, dtype=dtypes.to_torch_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


IdentityInitializer = Identity

# The windows `STFT` knows by name (scipy.signal.get_window's names for them), as torch builds them.
_WINDOWS = {
    "hann": torch.hann_window,
    "hanning": torch.hann_window,
    "hamming": torch.hamming_window,
    "blackman": torch.blackman_window,
    "bartlett": torch.bartlett_window,
    "boxcar": lambda length, periodic=True, dtype=None: torch.ones(length, dtype=dtype),
}


class STFT(Initializer):
    """Kernels of a convolution that computes a short-time Fourier transform: the real
    (`side="real"`) or imaginary (`side="imag"`) part of the DFT basis, of shape
    `(frame_length, 1, fft_length // 2 + 1)`, multiplied by a window and divided by its L2
    (`scaling="density"`) or L1 (`scaling="spectrum"`) norm. `window` is a name
    (`"hann"`, `"hamming"`, `"blackman"`, `"bartlett"`, `"boxcar"`), an array of
    `frame_length` values, or `None`; `periodic=True` uses the periodic form of a named window.
    """

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"STFT: `side` must be 'real' or 'imag'. Received: side={side!r}")
        if isinstance(window, str) and window not in _WINDOWS:
            raise ValueError(f"STFT: unknown window {window!r}; known windows: {sorted(_WINDOWS)}, an array or None.")
        if scaling not in (None, "density", "spectrum"):
            raise ValueError(f"STFT: `scaling` must be None, 'density' or 'spectrum'. Received: scaling={scaling!r}")
        self.side, self.window, self.scaling, self.periodic = side, window, scaling, periodic

    def __call__(self, shape, dtype=None):
        torch_dtype = dtypes.to_torch_dtype(dtype)
        frame_length, _, fft_bins = shape
        fft_length = (fft_bins - 1) * 2
        time = torch.arange(frame_length, dtype=torch.float64).reshape(frame_length, 1, 1)
        frequency = torch.arange(fft_bins, dtype=torch.float64).reshape(1, 1, fft_bins) / fft_length
        angle = -2.0 * math.pi * time * frequency
        kernel = torch.cos(angle) if self.side == "real" else torch.sin(angle)
        if self.window is not None:
            if isinstance(self.window, str):
                window = _WINDOWS[self.window](frame_length, periodic=self.periodic, dtype=torch.float64)
            else:
                window = torch.as_tensor(np.asarray(self.window), dtype=torch.float64)
            if window.ndim != 1 or window.shape[0] != frame_length:
                raise ValueError(
                    f"STFT: the window must have shape ({frame_length},) (the frame length). "
                    f"Received: window shape={tuple(window.shape)}"
                )
            window = window.reshape(frame_length, 1, 1)
            norm = 1.0
            if self.scaling == "density":
                norm = torch.sqrt(torch.sum(window * window))
            elif self.scaling == "spectrum":
                norm = torch.sum(torch.abs(window))
            kernel = kernel * window / norm
        return kernel.to(torch_dtype)

    def get_config(self):
        window = self.window.tolist() if isinstance(self.window, np.ndarray) else self.window
        return {"side": self.side, "window": window, "periodic": self.periodic, "scaling": self.scaling}


STFTInitializer = STFT
OrthogonalInitializer = Orthogonal

# Keras also publishes every initializer class under its snake_case name (an alias of the class).
constant, zeros, ones, identity, stft = Constant, Zeros, Ones, Identity, STFT
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal = VarianceScaling, Orthogonal
glorot_normal, glorot_uniform, he_normal, he_uniform = GlorotNormal, GlorotUniform, HeNormal, HeUniform
lecun_normal, lecun_uniform = LecunNormal, LecunUniform

_BY_NAME = {
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "random_normal": RandomNormal,
    "normal": RandomNormal,
    "random_uniform": RandomUniform,
    "uniform": RandomUniform,
    "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "lecun_uniform": LecunUniform,
    "lecun_normal": LecunNormal,
    "he_uniform": HeUniform,
    "he_normal": HeNormal,
    "orthogonal": Orthogonal,
    "identity": Identity,
    "stft": STFT,
    "one": Ones,
    "zero": Zeros,
}
_BY_CLASS_NAME = {cls.__name__: cls for cls in set(_BY_NAME.values())}
_BY_CLASS_NAME.update({"IdentityInitializer": Identity, "STFTInitializer": STFT, "OrthogonalInitializer": Orthogonal})


def get(identifier):
    """A initializer from a Keras name, a class name, a config dict, an instance or a callable."""
    return get_object(identifier, "initializer", Initializer, _BY_NAME, _BY_CLASS_NAME)


def serialize(initializer):
    return serialization.serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    return serialization.deserialize_keras_object(config, custom_objects=custom_objects)
