"""UpSampling1D/2D/3D: repeat (or interpolate) steps, rows, columns and voxels."""

from __future__ import annotations

import torch.nn.functional as F

from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.layer_arguments import spatial_axes, standardize_data_format, standardize_tuple


class _UpSampling(Layer):
    rank = 2

    def __init__(self, size=2, data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = standardize_tuple(size, self.rank, "size") if self.rank > 1 else int(size)
        self.data_format = standardize_data_format(data_format) if self.rank > 1 else "channels_last"
        if interpolation not in ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area"):
            raise ValueError(
                f"`interpolation` must be one of 'nearest', 'bilinear', ... Received: interpolation={interpolation!r}"
            )
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
        mode = {"nearest": "nearest", "bilinear": "bilinear", "bicubic": "bicubic", "area": "area"}.get(
            self.interpolation
        )
        if mode is None:
            raise NotImplementedError(f"UpSampling2D interpolation={self.interpolation!r} is not supported.")
        y = F.interpolate(
            x, scale_factor=self._sizes(), mode=mode, align_corners=False if mode in ("bilinear", "bicubic") else None
        )
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
        for axis, factor in zip(spatial_axes(self.data_format, 3), self.size):
            x = x.repeat_interleave(factor, dim=axis)
        return x

    def get_config(self):
        config = super().get_config()
        config.pop("interpolation", None)
        return config
