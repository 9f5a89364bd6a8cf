"""Random colour augmentation: RandomContrast, RandomBrightness (identity in inference)."""

from __future__ import annotations

import torch

from keraslite.layers.preprocessing.base import ImagePreprocessingLayer, SeededRandom, bounded_factor


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

    def _transform(self, images, training):
        if not training:
            return images
        images = self._to_compute_dtype(images)
        h_axis, w_axis = self._spatial_axes()
        contrast = self._random.uniform(
            (images.shape[0], 1, 1, 1), 1.0 - self.factor[0], 1.0 + self.factor[1], images.device, images.dtype
        )
        mean = images.mean(dim=(h_axis, w_axis), keepdim=True)
        outputs = (images - mean) * contrast + mean
        return outputs.clamp(self.value_range[0], self.value_range[1])

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
