"""More reshaping layers: RepeatVector, Permute, Cropping1D/2D/3D, UpSampling3D,
ZeroPadding1D/3D. All are views or single torch ops (no weights)."""
from __future__ import annotations

import torch.nn.functional as F

from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.reshaping import _UpSampling, standardize_data_format


def normalize_pairs(value, rank: int, name: str) -> tuple:
    """Keras's padding/cropping argument -> `rank` (before, after) pairs: an int, `rank`
    ints (symmetric per axis), or `rank` pairs."""
    if isinstance(value, int):
        return ((value, value),) * rank
    try:
        items = tuple(value)
    except TypeError:
        items = None
    if items is not None and len(items) == rank:
        pairs = []
        for item in items:
            if isinstance(item, int):
                pairs.append((item, item))
            elif isinstance(item, (tuple, list)) and len(item) == 2 and all(isinstance(v, int) for v in item):
                pairs.append(tuple(item))
            else:
                pairs = None
                break
        if pairs is not None and all(v >= 0 for pair in pairs for v in pair):
            return tuple(pairs)
    raise ValueError(f"`{name}` should be either an int, a tuple of {rank} ints or a tuple of {rank} tuples of 2 ints. Received: {name}={value!r}")


def _spatial_axes(data_format: str, rank: int) -> tuple:
    return tuple(range(1, rank + 1)) if data_format == "channels_last" else tuple(range(2, rank + 2))


class RepeatVector(Layer):
    """Repeats a `(batch, features)` input `n` times: output `(batch, n, features)`.

    Args:
        n: number of repetitions.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        self.n = n
        self.input_spec = InputSpec(ndim=2)
        self.built = True

    def call(self, inputs):
        return inputs.unsqueeze(1).expand(-1, self.n, -1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


class Permute(Layer):
    """Permutes the non-batch dimensions: `dims` is a permutation of 1..rank-1
    (e.g. `(2, 1)` swaps the two axes of a `(batch, a, b)` input). The result is a view."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be consecutive and start from 1. Received dims={dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)
        self.built = True

    def call(self, inputs):
        return inputs.permute(0, *self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config


class _Cropping(Layer):
    rank = 1

    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = normalize_pairs(cropping, self.rank, "cropping")
        self.data_format = standardize_data_format(data_format) if self.rank > 1 else "channels_last"
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def call(self, inputs):
        index = [slice(None)] * inputs.ndim
        for axis, (before, after) in zip(_spatial_axes(self.data_format, self.rank), self.cropping):
            if before + after >= inputs.shape[axis]:
                self.compute_output_shape(tuple(inputs.shape))  # raises the error
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(_spatial_axes(self.data_format, self.rank), self.cropping):
            if shape[axis] is None:
                continue
            if before + after >= shape[axis]:
                raise ValueError(
                    f"Values in `cropping` argument should be smaller than the corresponding spatial dimension "
                    f"of the input. Received: input_shape={tuple(input_shape)}, cropping={self.cropping}"
                )
            shape[axis] -= before + after
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config["cropping"] = self.cropping[0] if self.rank == 1 else self.cropping
        if self.rank > 1:
            config["data_format"] = self.data_format
        return config


class Cropping1D(_Cropping):
    """Crops `(before, after)` steps off the time axis of `(batch, steps, features)`.

    Args:
        cropping: int or (before, after); default (1, 1).
    """

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        if isinstance(cropping, (tuple, list)) and len(cropping) == 2 and all(isinstance(v, int) for v in cropping):
            cropping = (tuple(cropping),)
        super().__init__(cropping, **kwargs)


class Cropping2D(_Cropping):
    """Crops rows and columns of an image batch.

    Args:
        cropping: int, (rows, cols) or ((top, bottom), (left, right)); default no crop.
        data_format: "channels_last" (default) or "channels_first".
    """

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format=data_format, **kwargs)


class Cropping3D(_Cropping):
    """Crops the three spatial dimensions of a volume batch.

    Args:
        cropping: int, 3 ints or 3 (before, after) pairs; default 1 everywhere.
        data_format: "channels_last" (default) or "channels_first".
    """

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format=data_format, **kwargs)


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
        axes = _spatial_axes(self.data_format, self.rank)
        flat = []
        for axis in range(inputs.ndim - 1, 0, -1):
            pair = self.padding[axes.index(axis)] if axis in axes else (0, 0)
            flat += list(pair)
        return F.pad(inputs, flat)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(_spatial_axes(self.data_format, self.rank), self.padding):
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


class ZeroPadding3D(_ZeroPadding):
    """Pads the three spatial dimensions with zeros.

    Args:
        padding: int, 3 ints or 3 (before, after) pairs; default 1 everywhere.
        data_format: "channels_last" (default) or "channels_first".
    """

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format=data_format, **kwargs)


class UpSampling3D(_UpSampling):
    """Repeats each voxel `size` times along the three spatial dimensions (nearest).

    Args:
        size: int or 3 ints; default (2, 2, 2).
        data_format: "channels_last" (default) or "channels_first".
    """

    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(size=size, data_format=data_format, **kwargs)

    def call(self, inputs):
        x = inputs
        for axis, factor in zip(_spatial_axes(self.data_format, 3), self.size):
            x = x.repeat_interleave(factor, dim=axis)
        return x

    def get_config(self):
        config = super().get_config()
        config.pop("interpolation", None)
        return config
