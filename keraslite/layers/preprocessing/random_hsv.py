"""Random hue / saturation augmentation and the colour jitter that chains brightness,
contrast, saturation and hue: RandomSaturation, RandomHue, RandomColorJitter."""

from __future__ import annotations

import torch

from keraslite.layers.preprocessing.base import (
    AugmentationLayer,
    SeededRandom,
    bounded_factor,
    checked_value_range,
    rescale_values,
)
from keraslite.layers.preprocessing.random_color import RandomBrightness, RandomContrast
from keraslite.ops import image as ops_image

_EPSILON = 1e-7  # keras.config.epsilon()


def _channel_axis(data_format: str) -> int:
    return -1 if data_format == "channels_last" else -3


class RandomSaturation(AugmentationLayer):
    """Randomly scales the saturation of each image during training.

    A value `f` drawn from `factor` becomes the saturation multiplier `f / (1 - f)`:
    0.5 keeps the image, 0 makes it grayscale, values towards 1 saturate fully.

    Args:
        factor: a float or a pair in [-1, 1]; a float f means (-f, f) (Keras's rule).
        value_range: the (min, max) range of the images; the scaled saturation is
            clipped to it, as Keras does.
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
        factor = self._random.uniform((images.shape[0],), self.factor[0], self.factor[1], images.device)
        return {"factor": factor / (1 - factor + _EPSILON)}

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        factor = transformation["factor"].to(device=images.device, dtype=images.dtype).reshape(-1, 1, 1)
        axis = _channel_axis(self.data_format)
        hue, saturation, value = ops_image.rgb_to_hsv(images, data_format=self.data_format).unbind(axis)
        saturation = (saturation * factor).clamp(self.value_range[0], self.value_range[1])
        hsv = torch.stack([hue, saturation, value], dim=axis)
        return ops_image.hsv_to_rgb(hsv, data_format=self.data_format)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config


class RandomHue(AugmentationLayer):
    """Randomly rotates the hue of each image during training by up to half a turn
    times a value drawn from `factor`, in a random direction.

    Args:
        factor: a float or a pair in [0, 1]; a float f means (0, f).
        value_range: the (min, max) range of the images, default (0, 255).
        data_format: "channels_last" (default) or "channels_first".
        seed: integer seed.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = bounded_factor(factor, (0, 1))
        self.value_range = value_range
        self.seed = seed
        self._random = SeededRandom(seed)

    def get_random_transformation(self, images, training=True, seed=None):
        batch, device = images.shape[0], images.device
        direction = torch.where(self._random.uniform((batch,), 0.0, 1.0, device) > 0.5, -1.0, 1.0)
        amount = self._random.uniform((batch,), self.factor[0], self.factor[1], device)
        return {"factor": direction * amount * 0.5}

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        images = rescale_values(images, self.value_range, (0, 1))
        shift = transformation["factor"].to(device=images.device, dtype=images.dtype).reshape(-1, 1, 1)
        axis = _channel_axis(self.data_format)
        hue, saturation, value = ops_image.rgb_to_hsv(images, data_format=self.data_format).unbind(axis)
        hue = hue + shift
        hue = torch.where(hue > 1.0, hue - 1.0, hue)
        hue = torch.where(hue < 0.0, hue + 1.0, hue)
        rgb = ops_image.hsv_to_rgb(torch.stack([hue, saturation, value], dim=axis), data_format=self.data_format)
        return rescale_values(rgb.clamp(0, 1), (0, 1), self.value_range)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config


class RandomColorJitter(AugmentationLayer):
    """Random brightness, contrast, saturation and hue changes, applied in that order
    during training; each factor left None skips that step.

    Args:
        value_range: the (min, max) range of the images, default (0, 255).
        brightness_factor: as `RandomBrightness`'s `factor`.
        contrast_factor: as `RandomContrast`'s `factor`.
        saturation_factor: as `RandomSaturation`'s `factor`.
        hue_factor: as `RandomHue`'s `factor`.
        seed: integer seed.
        data_format: "channels_last" (default) or "channels_first".
    """

    def __init__(
        self,
        value_range=(0, 255),
        brightness_factor=None,
        contrast_factor=None,
        saturation_factor=None,
        hue_factor=None,
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        self.seed = seed
        common = {"value_range": value_range, "seed": seed, "data_format": self.data_format}
        self.random_brightness = None if brightness_factor is None else RandomBrightness(brightness_factor, **common)
        self.random_contrast = None if contrast_factor is None else RandomContrast(contrast_factor, **common)
        self.random_saturation = None if saturation_factor is None else RandomSaturation(saturation_factor, **common)
        self.random_hue = None if hue_factor is None else RandomHue(hue_factor, **common)

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training:
            return images
        for step in (self.random_brightness, self.random_contrast):
            if step is not None:
                images = step._transform(images, True).to(images.dtype)
        for step in (self.random_saturation, self.random_hue):
            if step is not None:
                images = step.transform_images(images, step.get_random_transformation(images))
        return images

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "value_range": self.value_range,
                "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor,
                "saturation_factor": self.saturation_factor,
                "hue_factor": self.hue_factor,
                "seed": self.seed,
            }
        )
        return config
