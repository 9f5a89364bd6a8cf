"""Regularization layers: SpatialDropout1D/2D/3D, GaussianDropout, GaussianNoise,
AlphaDropout, ActivityRegularization.

All noise layers are the identity in inference mode (`training` false), as in Keras.
Random numbers come from torch's global generator (seed with `keras.utils.set_random_seed`
or `torch.manual_seed`); `seed` is kept for the config.
"""

from __future__ import annotations

import math

import torch

from keraslite import regularizers
from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.layer_arguments import standardize_data_format

# SELU's constants (AlphaDropout drops to SELU's negative saturation value).
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _check_rate(rate, argument="rate"):
    if not 0 <= rate <= 1:
        raise ValueError(
            f"Invalid value received for argument `{argument}`. Expected a float value between 0 and 1. Received: "
            f"{argument}={rate}"
        )


class _NoiseLayer(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape


class _SpatialDropout(_NoiseLayer):
    """Dropout of whole feature maps: one keep/drop draw per (sample, channel)."""

    rank = 1

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        _check_rate(rate)
        self.rate = rate
        self.seed = seed
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rank == 1 or self.data_format == "channels_last":
            noise_shape = (inputs.shape[0],) + (1,) * self.rank + (inputs.shape[-1],)
        else:
            noise_shape = tuple(inputs.shape[:2]) + (1,) * self.rank
        keep = torch.rand(noise_shape, device=inputs.device) >= self.rate
        return inputs * keep.to(inputs.dtype) * (1.0 / (1.0 - self.rate))

    def get_config(self):
        # Keras's spatial dropouts serialize only these keys (no `trainable`).
        config = {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}
        if self.rank > 1:
            config["data_format"] = self.data_format
        return config


class SpatialDropout1D(_SpatialDropout):
    """Drops whole 1D feature maps (channels) of `(batch, steps, channels)` inputs.

    Args:
        rate: fraction of the channels to drop, in [0, 1].
        seed: random seed (kept for the config).
    """

    rank = 1

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, data_format=None, seed=seed, name=name, dtype=dtype, **kwargs)


class SpatialDropout2D(_SpatialDropout):
    """Drops whole 2D feature maps of 4D inputs (`data_format` picks the channel axis).

    Args:
        rate: fraction of the channels to drop; data_format; seed.
    """

    rank = 2


class SpatialDropout3D(_SpatialDropout):
    """Drops whole 3D feature maps of 5D inputs (`data_format` picks the channel axis).

    Args:
        rate: fraction of the channels to drop; data_format; seed.
    """

    rank = 3


class GaussianDropout(_NoiseLayer):
    """Multiplies by noise drawn from N(1, rate / (1 - rate)) in training.

    Args:
        rate: drop probability as with `Dropout`, in [0, 1].
        seed: random seed.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate(rate)
        self.rate = rate
        self.seed = seed

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            return inputs * (torch.randn_like(inputs) * stddev + 1.0)
        return inputs

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


class GaussianNoise(_NoiseLayer):
    """Adds zero-centred Gaussian noise of standard deviation `stddev` in training.

    Args:
        stddev: standard deviation of the noise, in [0, 1].
        seed: random seed.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate(stddev, "stddev")
        self.stddev = stddev
        self.seed = seed

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            return inputs + torch.randn_like(inputs) * self.stddev
        return inputs

    def get_config(self):
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config


class AlphaDropout(_NoiseLayer):
    """Dropout that keeps the mean and variance of SELU activations: dropped units
    take SELU's negative saturation value, then an affine correction is applied.

    Args:
        rate: drop probability in [0, 1].
        noise_shape: shape of the keep mask, broadcast over the input (None dims take the input's size).
        seed: random seed.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate(rate)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs, training=False):
        if not (training and self.rate > 0):
            return inputs
        if self.noise_shape is None:
            shape = inputs.shape
        else:
            shape = tuple(inputs.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        kept = (torch.rand(shape, device=inputs.device) >= self.rate).to(inputs.dtype)
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config


class ActivityRegularization(_NoiseLayer):
    """Identity that adds `l1 * sum(|x|) + l2 * sum(x^2)` (divided by the batch size,
    as Keras 3 does) to the layer's losses.

    Args:
        l1: L1 factor (default 0). l2: L2 factor (default 0).
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2

    def call(self, inputs):
        return inputs

    def get_config(self):
        config = super().get_config()
        config.update({"l1": self.l1, "l2": self.l2})
        return config
