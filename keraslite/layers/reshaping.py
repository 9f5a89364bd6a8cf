"""Reshaping layers: Flatten, Reshape, UpSampling1D/2D, ZeroPadding2D."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from keraslite.backend import state
from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer


def standardize_data_format(data_format):
    if data_format is None:
        return state.image_data_format()
    data_format = data_format.lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "The `data_format` argument must be one of 'channels_first', 'channels_last'. "
            f"Received: data_format={data_format!r}"
        )
    return data_format


def standardize_tuple(value, n: int, name: str) -> tuple:
    """An int or an n-sequence of ints -> an n-tuple of ints (Keras's argument rule)."""
    if isinstance(value, int):
        return (value,) * n
    try:
        values = tuple(value)
    except TypeError:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {name}={value!r}") from None
    if len(values) != n or not all(isinstance(v, int) for v in values):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {name}={value!r}")
    return values


class Flatten(Layer):
    """Flattens everything but the batch dimension (in channels-last order, as Keras)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)
        self.built = True

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = inputs.movedim(1, -1)
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(math.prod(rest))
        return (input_shape[0], size)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (one dim may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(target_shape)
        if sum(1 for d in target_shape if d == -1) > 1:
            raise ValueError(f"There must be at most one unknown dimension (-1) in `target_shape`. Received: target_shape={target_shape}")
        self.target_shape = target_shape
        self.built = True

    def _resolved(self, input_shape):
        known = [d for d in input_shape[1:]]
        target = list(self.target_shape)
        if any(d is None for d in known):
            return tuple(None if d == -1 else d for d in target)
        total = int(math.prod(known))
        fixed = int(math.prod(d for d in target if d != -1))
        if -1 in target:
            if fixed == 0 or total % fixed:
                raise ValueError(
                    f'Layer "{self.name}" (Reshape): the total size of the input ({total} values per sample, '
                    f"shape {tuple(input_shape)}) cannot be reshaped to target_shape={self.target_shape}."
                )
            target[target.index(-1)] = total // fixed
        elif fixed != total:
            raise ValueError(
                f'Layer "{self.name}" (Reshape): the total size of the input ({total} values per sample, '
                f"shape {tuple(input_shape)}) must equal the total size of target_shape={self.target_shape} ({fixed})."
            )
        return tuple(target)

    def build(self, input_shape):
        self._resolved(input_shape)
        self.built = True

    def call(self, inputs):
        return inputs.reshape((inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolved(input_shape)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class _UpSampling(Layer):
    rank = 2

    def __init__(self, size=2, data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = standardize_tuple(size, self.rank, "size") if self.rank > 1 else int(size)
        self.data_format = standardize_data_format(data_format) if self.rank > 1 else "channels_last"
        if interpolation not in ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area"):
            raise ValueError(f"`interpolation` must be one of 'nearest', 'bilinear', ... Received: interpolation={interpolation!r}")
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def _sizes(self):
        return self.size if isinstance(self.size, tuple) else (self.size,)

    def call(self, inputs):
        if self.rank == 1:
            return inputs.repeat_interleave(self.size, dim=1)
        # A channels-last batch goes to torch as an NCHW view (channels_last memory).
        x = inputs.movedim(-1, 1) if self.data_format == "channels_last" else inputs
        mode = {"nearest": "nearest", "bilinear": "bilinear", "bicubic": "bicubic", "area": "area"}.get(self.interpolation)
        if mode is None:
            raise NotImplementedError(f"UpSampling2D interpolation={self.interpolation!r} is not supported.")
        y = F.interpolate(x, scale_factor=self._sizes(), mode=mode, align_corners=False if mode in ("bilinear", "bicubic") else None)
        return y.movedim(1, -1) if self.data_format == "channels_last" else y

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        start = 1 if self.data_format == "channels_last" else 2
        for offset, factor in enumerate(self._sizes()):
            if shape[start + offset] is not None:
                shape[start + offset] *= factor
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        if self.rank > 1:
            config.update({"data_format": self.data_format, "interpolation": self.interpolation})
        return config


class UpSampling1D(_UpSampling):
    """Repeats each temporal step `size` times."""

    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(size=size, **kwargs)


class UpSampling2D(_UpSampling):
    """Upsamples rows and columns by `size` (nearest or bilinear)."""

    rank = 2


class ZeroPadding2D(Layer):
    """Pads rows and columns with zeros: `padding` int, (rows, cols) or ((top, bottom), (left, right))."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        if isinstance(padding, int):
            padding = ((padding, padding), (padding, padding))
        elif all(isinstance(p, int) for p in padding):
            padding = ((padding[0], padding[0]), (padding[1], padding[1]))
        self.padding = tuple(tuple(p) for p in padding)
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs):
        (top, bottom), (left, right) = self.padding
        if self.data_format == "channels_last":
            return F.pad(inputs, (0, 0, left, right, top, bottom))
        return F.pad(inputs, (left, right, top, bottom))

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        rows, cols = (1, 2) if self.data_format == "channels_last" else (2, 3)
        for axis, (before, after) in zip((rows, cols), self.padding):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config
