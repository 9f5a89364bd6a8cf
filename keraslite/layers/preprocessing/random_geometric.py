"""Random geometric augmentation: RandomFlip, RandomRotation, RandomZoom,
RandomTranslation, RandomCrop. Active only when `training=True` (inside `fit`, or when
called with `training=True`); in inference they are Keras's inference behaviour."""

from __future__ import annotations

import random

import torch

from keraslite.layers.preprocessing import image_ops
from keraslite.layers.preprocessing.base import (
    ImagePreprocessingLayer,
    SeededRandom,
    bounded_factor,
    check_fill_and_interpolation,
    symmetric_factor,
)
from keraslite.layers.preprocessing.image import smart_resize

HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL = "horizontal", "vertical", "horizontal_and_vertical"


class RandomFlip(ImagePreprocessingLayer):
    """Randomly flips images (each image with probability 1/2) during training.

    Args:
        mode: "horizontal", "vertical" or "horizontal_and_vertical" (default; as in
            Keras one draw per image decides both flips).
        seed: integer seed of the layer's random draws.
        data_format: "channels_last" (default) or "channels_first".

    Output: the layer's dtype (float32 by default), same shape as the input.

    Input shape: 3D `(height, width, channels)` or 4D `(batch, height, width, channels)`
    (channels-last; channels-first with `data_format`). Output shape: the same.
    """

    def __init__(
        self, mode: str = HORIZONTAL_AND_VERTICAL, seed: int | None = None, data_format: str | None = None, **kwargs
    ):
        super().__init__(data_format=data_format, **kwargs)
        if mode not in (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL):
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode argument {mode}")
        self.mode = mode
        self.seed = seed
        self._random = SeededRandom(seed)

    def get_random_transformation(self, images: torch.Tensor, training: bool = True, seed=None):
        """One draw per image: `{"flips": bool (batch, 1, 1, 1)}` (as Keras), or None in inference."""
        if not training:
            return None
        shape = (images.shape[0], 1, 1, 1) if images.ndim == 4 else (1, 1, 1)
        return {"flips": self._random.uniform(shape, 0.0, 1.0, images.device) <= 0.5}

    def transform_images(self, images: torch.Tensor, transformation, training: bool = True) -> torch.Tensor:
        """Flip the images whose `transformation["flips"]` is true (Keras's deterministic half)."""
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        flips = torch.as_tensor(transformation["flips"], device=images.device)
        h_axis, w_axis = self._spatial_axes()
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            images = torch.where(flips, images.flip(w_axis), images)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            images = torch.where(flips, images.flip(h_axis), images)
        return images

    def _transform(self, images, training):
        return self.transform_images(images, self.get_random_transformation(images, training), training)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"seed": self.seed, "mode": self.mode})
        return config


class _AffineAugmentation(ImagePreprocessingLayer):
    """Common part of the layers that warp images by a random affine transform."""

    def __init__(
        self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, data_format=None, **kwargs
    ):
        super().__init__(data_format=data_format, **kwargs)
        check_fill_and_interpolation(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value
        self.seed = seed
        self._random = SeededRandom(seed)

    def _transform(self, images, training):
        images = self._to_compute_dtype(images)
        if not training:
            return images
        h_axis, w_axis = self._spatial_axes()
        transform = self._random_transform(images.shape[0], images.shape[h_axis], images.shape[w_axis], images.device)
        return image_ops.affine_transform(
            images, transform, self.interpolation, self.fill_mode, self.fill_value, self.data_format
        )

    def _random_transform(self, batch, height, width, device) -> torch.Tensor:
        raise NotImplementedError

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "fill_mode": self.fill_mode,
                "interpolation": self.interpolation,
                "seed": self.seed,
                "fill_value": self.fill_value,
            }
        )
        return config


class RandomRotation(_AffineAugmentation):
    """Randomly rotates images during training.

    Args:
        factor: a float or a pair: the rotation range as a fraction of 2*pi
            (0.2 -> angles in [-72, 72] degrees; (-0.1, 0.3) -> [-36, 108]).
        fill_mode: "reflect" (default), "wrap", "constant" or "nearest".
        interpolation: "bilinear" (default) or "nearest".
        seed: integer seed.
        fill_value: the value outside the image when `fill_mode="constant"`.
        data_format: "channels_last" (default) or "channels_first".

    Input shape: 3D `(height, width, channels)` or 4D `(batch, height, width, channels)`
    (channels-last; channels-first with `data_format`). Output shape: the same.
    """

    def __init__(
        self,
        factor,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = bounded_factor(factor, (-1, 1))

    def _random_transform(self, batch, height, width, device):
        angles = self._random.uniform((batch,), self.factor[0] * 360.0, self.factor[1] * 360.0, device)
        return image_ops.rotation_matrix(angles, height, width)

    def get_config(self) -> dict:
        config = super().get_config()
        config["factor"] = self.factor
        return config


_ZOOM_ERROR = (
    "The `height_factor` and `width_factor` arguments should be a number (or a list of two numbers) "
    "in the range (-1.0, 1.0]. "
)
_TRANSLATION_ERROR = "The `factor` argument should be a number (or a list of two numbers) in the range [-1.0, 1.0]. "


class RandomZoom(_AffineAugmentation):
    """Randomly zooms images during training.

    Args:
        height_factor: a float or a pair in (-1, 1]: the vertical zoom range; a positive
            value zooms out (0.2 -> the image shrinks by up to 20%), a negative one in.
        width_factor: the same horizontally; None (default) keeps the aspect ratio.
        fill_mode, interpolation, seed, fill_value, data_format: as `RandomRotation`.

    Input shape: 3D `(height, width, channels)` or 4D `(batch, height, width, channels)`
    (channels-last; channels-first with `data_format`). Output shape: the same.
    """

    def __init__(
        self,
        height_factor,
        width_factor=None,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = symmetric_factor(
            height_factor, "height_factor", _ZOOM_ERROR, low_open=True
        )
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = symmetric_factor(
                width_factor, "width_factor", _ZOOM_ERROR, low_open=True
            )

    def _random_transform(self, batch, height, width, device):
        height_zoom = self._random.uniform((batch,), 1.0 + self.height_lower, 1.0 + self.height_upper, device)
        if self.width_factor is not None:
            width_zoom = self._random.uniform((batch,), 1.0 + self.width_lower, 1.0 + self.width_upper, device)
        else:
            width_zoom = height_zoom
        zeros = torch.zeros_like(height_zoom)
        x_offset = (width - 1.0) / 2.0 * (1.0 - width_zoom)
        y_offset = (height - 1.0) / 2.0 * (1.0 - height_zoom)
        return torch.stack([width_zoom, zeros, x_offset, zeros, height_zoom, y_offset, zeros, zeros], dim=1)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config


class RandomTranslation(_AffineAugmentation):
    """Randomly translates images during training.

    Args:
        height_factor: a float or a pair in [-1, 1]: the vertical shift range as a
            fraction of the height (0.2 -> up to 20% up or down).
        width_factor: the same horizontally.
        fill_mode, interpolation, seed, fill_value, data_format: as `RandomRotation`.

    Input shape: 3D `(height, width, channels)` or 4D `(batch, height, width, channels)`
    (channels-last; channels-first with `data_format`). Output shape: the same.
    """

    def __init__(
        self,
        height_factor,
        width_factor,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = symmetric_factor(height_factor, "height_factor", _TRANSLATION_ERROR)
        self.width_factor = width_factor
        self.width_lower, self.width_upper = symmetric_factor(width_factor, "width_factor", _TRANSLATION_ERROR)

    def _random_transform(self, batch, height, width, device):
        dy = self._random.uniform((batch,), self.height_lower, self.height_upper, device) * height
        dx = self._random.uniform((batch,), self.width_lower, self.width_upper, device) * width
        ones, zeros = torch.ones_like(dx), torch.zeros_like(dx)
        return torch.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], dim=1)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config


class RandomCrop(ImagePreprocessingLayer):
    """Randomly crops a `(height, width)` window during training.

    In training, one random window is cut from the whole batch (as Keras does); images
    not larger than the target in both dimensions are cropped to its aspect ratio and
    resized instead. In inference the centre is cropped to the target aspect ratio and
    resized to `(height, width)` (Keras's documented behaviour, which keeps the output
    shape `compute_output_shape` announces).

    Args:
        height, width: the output size.
        seed: integer seed (Keras draws one when None; so does this layer).
        data_format: "channels_last" (default) or "channels_first".
    """

    def __init__(
        self,
        height: int,
        width: int,
        seed: int | None = None,
        data_format: str | None = None,
        name: str | None = None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, name=name, **kwargs)
        self.height = height
        self.width = width
        # Keras stores a drawn seed so the config reproduces the layer.
        self.seed = seed if seed is not None else random.randint(1, int(1e9))
        self._random = SeededRandom(seed)

    def _transform(self, images, training):
        images = self._to_compute_dtype(images)
        h_axis, w_axis = self._spatial_axes()
        height, width = images.shape[h_axis], images.shape[w_axis]
        if not training:
            if (height, width) == (self.height, self.width):
                return images
            return smart_resize(images, self.height, self.width, self.data_format).to(images.dtype)
        if height > self.height and width > self.width:
            # Two scalar draws per batch; one host sync to slice (as Keras's torch backend).
            top = int(self._random.uniform((), 0.0, float(height - self.height + 1), "cpu").item())
            left = int(self._random.uniform((), 0.0, float(width - self.width + 1), "cpu").item())
        else:
            top, left, _, _ = image_ops.aspect_crop_box(height, width, self.height, self.width)
        images = images.narrow(h_axis, top, min(self.height, height - top)).narrow(
            w_axis, left, min(self.width, width - left)
        )
        if (images.shape[h_axis], images.shape[w_axis]) != (self.height, self.width):
            images = image_ops.resize(images, (self.height, self.width), data_format=self.data_format).to(
                self._compute_torch_dtype
            )
        return images

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h_axis = len(shape) - (3 if self.data_format == "channels_last" else 2)
        shape[h_axis], shape[h_axis + 1] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "seed": self.seed})
        return config
