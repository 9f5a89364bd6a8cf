"""Random colour augmentation: RandomContrast, RandomBrightness, RandomGrayscale,
RandomColorDegeneration (identity in inference). Hue/saturation layers: `random_hsv.py`."""

from __future__ import annotations

import torch

from keraslite.layers.preprocessing.base import (
    AugmentationLayer,
    ImagePreprocessingLayer,
    SeededRandom,
    bounded_factor,
    checked_value_range,
)
from keraslite.ops import image as ops_image


class RandomContrast(ImagePreprocessingLayer):
    """Randomly adjusts the contrast of each image during training:
    `(x - mean) * c + mean` with `mean` the per-channel mean of the image, clipped to
    `value_range`.

    Args:
        factor: a float or a pair in [0, 1]. As in Keras 3, a float f gives the factor
            pair (0, f) and `c` is drawn from `[1 - lower, 1 + upper]`.
        value_range: the (min, max) range of the images, default (0, 255).
        seed: integer seed.

    Output: inputs unchanged in inference; the layer's dtype in training.

    Input shape: 3D `(height, width, channels)` or 4D `(batch, height, width, channels)`
    (channels-last; channels-first with `data_format`). Output shape: the same.
    """

    def __init__(self, factor, value_range=(0, 255), seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.factor = bounded_factor(factor, (0, 1))
        self.value_range = value_range
        self.seed = seed
        self._random = SeededRandom(seed)

    def get_random_transformation(self, images: torch.Tensor, training: bool = True, seed=None):
        """`{"contrast_factor": (batch, 1, 1, 1)}` drawn from `[1 - lower, 1 + upper]` (as Keras)."""
        if not training:
            return None
        shape = (images.shape[0], 1, 1, 1) if images.ndim == 4 else (1, 1, 1)
        dtype = images.dtype if images.is_floating_point() else torch.float32
        return {
            "contrast_factor": self._random.uniform(
                shape, 1.0 - self.factor[0], 1.0 + self.factor[1], images.device, dtype
            )
        }

    def transform_images(self, images: torch.Tensor, transformation, training: bool = True) -> torch.Tensor:
        """`(x - mean) * contrast_factor + mean`, clipped to `value_range` (Keras's deterministic half)."""
        if not training or transformation is None:
            return images
        images = self._to_compute_dtype(images)
        contrast = torch.as_tensor(transformation["contrast_factor"], device=images.device, dtype=images.dtype)
        h_axis, w_axis = self._spatial_axes()
        mean = images.mean(dim=(h_axis, w_axis), keepdim=True)
        outputs = (images - mean) * contrast + mean
        return outputs.clamp(self.value_range[0], self.value_range[1])

    def _transform(self, images, training):
        return self.transform_images(images, self.get_random_transformation(images, training), training)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config


class RandomBrightness(ImagePreprocessingLayer):
    """Randomly shifts the brightness of each image during training by a delta drawn
    from `factor * (value_range[1] - value_range[0])`, clipping to `value_range`.

    Args:
        factor: a float or a pair in [-1, 1]; a float f means (-f, f).
        value_range: the (min, max) range of the images, default (0, 255).
        seed: integer seed.

    Output: the input's dtype (as Keras). Integer images are shifted in float32, then
    rounded and clipped (Keras casts the delta to the integer dtype first, so negative
    deltas wrap for unsigned images; that is not copied).

    Input shape: 3D `(height, width, channels)` or 4D `(batch, height, width, channels)`
    (channels-last; channels-first with `data_format`). Output shape: the same.
    """

    _VALUE_RANGE_VALIDATION_ERROR = "The `value_range` argument should be a list of two numbers. "
    _keeps_input_dtype = True

    def __init__(self, factor, value_range=(0, 255), seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.factor = bounded_factor(factor, (-1, 1))
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(self._VALUE_RANGE_VALIDATION_ERROR + f"Received: value_range={value_range}")
        self.value_range = sorted(value_range)
        self.seed = seed
        self._random = SeededRandom(seed)

    def _transform(self, images, training):
        if not training:
            return images
        work = images if images.is_floating_point() else images.to(torch.float32)
        delta = self._random.uniform(
            (images.shape[0], 1, 1, 1), self.factor[0], self.factor[1], images.device, work.dtype
        )
        delta = delta * (self.value_range[1] - self.value_range[0])
        outputs = (work + delta).clamp(self.value_range[0], self.value_range[1])
        if not images.is_floating_point():
            outputs = outputs.round()
        return outputs.to(images.dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config


class RandomGrayscale(AugmentationLayer):
    """Turns each image to grayscale with probability `factor` during training (the
    output keeps the input's channel count: the luminance repeated).

    Args:
        factor: the probability in [0, 1] (default 0.5).
        data_format: "channels_last" (default) or "channels_first".
        seed: integer seed.
    """

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if factor < 0 or factor > 1:
            raise ValueError(f"`factor` should be between 0 and 1. Received: factor={factor}")
        self.factor = factor
        self.seed = seed
        self._random = SeededRandom(seed)

    def get_random_transformation(self, images, training=True, seed=None):
        return self._random.uniform((images.shape[0], 1, 1, 1), 0.0, 1.0, images.device) < self.factor

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training:
            return images
        if transformation is None:
            transformation = self.get_random_transformation(images)
        gray = ops_image.rgb_to_grayscale(images, data_format=self.data_format)
        return torch.where(transformation.to(images.device), gray, images)

    def get_config(self) -> dict:
        # As Keras: the seed is not part of the config.
        config = super().get_config()
        config["factor"] = self.factor
        return config


class RandomColorDegeneration(AugmentationLayer):
    """Blends each image with its grayscale version during training:
    `image + f * (gray - image)`, `f` drawn per image from `factor`, clipped to
    `value_range`.

    Args:
        factor: a float or a pair in [-1, 1]; a float f means (-f, f).
        value_range: the (min, max) range of the images, default (0, 255).
        data_format: "channels_last" (default) or "channels_first".
        seed: integer seed.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = bounded_factor(factor, (-1, 1))
        self.value_range = checked_value_range(value_range)
        self.seed = seed
        self._random = SeededRandom(seed)

    def get_random_transformation(self, images, training=True, seed=None):
        shape = (images.shape[0], 1, 1, 1)
        return {"factor": self._random.uniform(shape, self.factor[0], self.factor[1], images.device)}

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        factor = transformation["factor"].to(device=images.device, dtype=images.dtype)
        gray = ops_image.rgb_to_grayscale(images, data_format=self.data_format)
        blended = images + factor * (gray - images)
        return blended.clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config
