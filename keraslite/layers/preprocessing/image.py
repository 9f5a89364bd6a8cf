"""Deterministic image layers: Rescaling, Resizing, CenterCrop."""

from __future__ import annotations

import numpy as np
import torch

from keraslite.backend import state
from keraslite.layers.base_layer import Layer
from keraslite.layers.preprocessing import image_ops
from keraslite.layers.preprocessing.base import ImagePreprocessingLayer


class Rescaling(Layer):
    """Multiplies inputs by `scale` and adds `offset`: `inputs * scale + offset`.

    Args:
        scale: a float, or a per-channel sequence of floats.
        offset: a float, or a per-channel sequence of floats.

    The output is of the layer's dtype (float32 by default) whatever the input dtype.
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self._constants = {}

    def _constant(self, value, device):
        key = (id(value), device)
        tensor = self._constants.get(key)
        if tensor is None:
            tensor = torch.as_tensor(np.asarray(value), dtype=self._compute_torch_dtype, device=device)
            if tensor.ndim > 0 and state.image_data_format() == "channels_first":
                tensor = tensor.reshape(tuple(tensor.shape) + (1,) * (3 - tensor.ndim))
            self._constants[key] = tensor
        return tensor

    def call(self, inputs):
        scale = self._constant(self.scale, inputs.device)
        offset = self._constant(self.offset, inputs.device)
        return inputs.to(self._compute_torch_dtype) * scale + offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"scale": _plain(self.scale), "offset": _plain(self.offset)})
        return config


def _plain(value):
    if isinstance(value, (np.ndarray, torch.Tensor)):
        return np.asarray(value.detach().cpu() if isinstance(value, torch.Tensor) else value).tolist()
    return value


class Resizing(ImagePreprocessingLayer):
    """Resizes images to `(height, width)`.

    Args:
        height, width: the output size.
        interpolation: "bilinear" (default), "nearest", "bicubic" or "area".
        crop_to_aspect_ratio: first crop the largest centred box of the target aspect ratio.
        pad_to_aspect_ratio: first pad (with `fill_value`) to the target aspect ratio.
        fill_mode: only "constant".
        fill_value: the padding value for `pad_to_aspect_ratio`.
        antialias: antialiasing when downsampling (bilinear/bicubic).
        data_format: "channels_last" (default) or "channels_first".

    Input shape: 3D (unbatched) or 4D images. Output: same rank with the new height and
    width, of the input's dtype (integer images are rounded and saturated).
    """

    _keeps_input_dtype = True

    def __init__(
        self,
        height: int,
        width: int,
        interpolation: str = "bilinear",
        crop_to_aspect_ratio: bool = False,
        pad_to_aspect_ratio: bool = False,
        fill_mode: str = "constant",
        fill_value: float = 0.0,
        antialias: bool = False,
        data_format: str | None = None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        if interpolation not in image_ops.RESIZE_MODES:
            raise ValueError(
                "Invalid value for argument `interpolation`. Expected of one "
                f"{set(image_ops.RESIZE_MODES)}. Received: interpolation={interpolation}"
            )
        if fill_mode != "constant":
            raise ValueError(
                "Invalid value for argument `fill_mode`. Only `'constant'` is supported. Received: "
                f"fill_mode={fill_mode}"
            )
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def _transform(self, images, training):
        resized = image_ops.resize(
            images,
            (self.height, self.width),
            interpolation=self.interpolation,
            antialias=self.antialias,
            crop_to_aspect_ratio=self.crop_to_aspect_ratio,
            pad_to_aspect_ratio=self.pad_to_aspect_ratio,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )
        return image_ops.saturate_cast(resized, images.dtype)

    def compute_output_shape(self, input_shape):
        return _with_spatial(input_shape, self.height, self.width, self.data_format)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "height": self.height,
                "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
                "fill_mode": self.fill_mode,
                "fill_value": self.fill_value,
                "antialias": self.antialias,
            }
        )
        return config


class CenterCrop(ImagePreprocessingLayer):
    """Crops the central `(height, width)` of each image; an image smaller than the
    target is instead cropped to the target aspect ratio and resized (bilinear), as
    Keras's `smart_resize`.

    Args:
        height, width: the output size.
        data_format: "channels_last" (default) or "channels_first".

    Output: the layer's dtype (float32 by default).
    """

    def __init__(self, height: int, width: int, data_format: str | None = None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = height
        self.width = width

    def _transform(self, images, training):
        images = self._to_compute_dtype(images)
        h_axis, w_axis = self._spatial_axes()
        height, width = images.shape[h_axis], images.shape[w_axis]
        if height >= self.height and width >= self.width:
            top, left = (height - self.height) // 2, (width - self.width) // 2
            return images.narrow(h_axis, top, self.height).narrow(w_axis, left, self.width)
        return smart_resize(images, self.height, self.width, self.data_format).to(images.dtype)

    def compute_output_shape(self, input_shape):
        return _with_spatial(input_shape, self.height, self.width, self.data_format)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width})
        return config


def smart_resize(
    images: torch.Tensor, height: int, width: int, data_format: str, interpolation: str = "bilinear"
) -> torch.Tensor:
    """Crop the largest centred box of the target aspect ratio, then resize to it."""
    return image_ops.resize(
        images, (height, width), interpolation=interpolation, crop_to_aspect_ratio=True, data_format=data_format
    )


def _with_spatial(input_shape, height, width, data_format):
    shape = list(input_shape)
    if len(shape) not in (3, 4):
        raise ValueError(
            "`input_shape` must be a non-nested tuple or list of rank-1 with size 3 (unbatched) "
            f"or 4 (batched). Received: input_shape={tuple(input_shape)}"
        )
    h_axis = len(shape) - (3 if data_format == "channels_last" else 2)
    shape[h_axis], shape[h_axis + 1] = height, width
    return tuple(shape)
