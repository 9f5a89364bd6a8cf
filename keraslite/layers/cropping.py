"""Cropping1D/2D/3D: cut (before, after) slices off the spatial axes (views)."""

from __future__ import annotations

from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.layer_arguments import normalize_pairs, spatial_axes, standardize_data_format


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
        for axis, (before, after) in zip(spatial_axes(self.data_format, self.rank), self.cropping):
            if before + after >= inputs.shape[axis]:
                self.compute_output_shape(tuple(inputs.shape))  # raises the error
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (before, after) in zip(spatial_axes(self.data_format, self.rank), self.cropping):
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
