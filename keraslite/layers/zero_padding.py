"""ZeroPadding1D/2D/3D: pad the spatial axes with zeros."""

from __future__ import annotations

import torch.nn.functional as F

from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.layer_arguments import normalize_pairs, spatial_axes, standardize_data_format


class _ZeroPadding(Layer):
    rank = 1

    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = normalize_pairs(padding, self.rank, "padding")
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def call(self, inputs):
        # F.pad lists (before, after) from the last axis backwards.
        axes = spatial_axes(self.data_format, self.rank)
        flat = []
        for axis in range(inputs.ndim - 1, 0, -1):
            pair = self.padding[axes.index(axis)] if axis in axes else (0, 0)
            flat += list(pair)
        return F.pad(inputs, flat)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(spatial_axes(self.data_format, self.rank), self.padding):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding[0] if self.rank == 1 else self.padding, "data_format": self.data_format})
        return config


class ZeroPadding1D(_ZeroPadding):
    """Pads the time axis with zeros.

    Args:
        padding: int or (before, after); default 1.
        data_format: "channels_last" (default: `(batch, steps, features)`) or "channels_first".
    """

    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        if isinstance(padding, (tuple, list)) and len(padding) == 2 and all(isinstance(v, int) for v in padding):
            padding = (tuple(padding),)
        super().__init__(padding, data_format=data_format, **kwargs)


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


class ZeroPadding3D(_ZeroPadding):
    """Pads the three spatial dimensions with zeros.

    Args:
        padding: int, 3 ints or 3 (before, after) pairs; default 1 everywhere.
        data_format: "channels_last" (default) or "channels_first".
    """

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format=data_format, **kwargs)
