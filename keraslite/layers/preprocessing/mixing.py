"""Augmentations that mix images of a batch (and their labels): MixUp, CutMix.

Called on a dict `{"images": ..., "labels": ...}` they mix the labels with the same
weights; on a tensor they mix the images only. Identity outside training.
"""

from __future__ import annotations

import torch

from keraslite.layers.preprocessing.base import AugmentationLayer, SeededRandom, bounded_factor


class MixUp(AugmentationLayer):
    """MixUp (Zhang et al., 2017): each image becomes `w * image + (1 - w) * other`, with
    `other` a random image of the same batch and `w ~ Beta(alpha, alpha)` per image.

    Args:
        alpha: the Beta distribution's concentration (default 0.2).
        data_format: "channels_last" (default) or "channels_first".
        seed: integer seed.

    Input: images `(batch, height, width, channels)` (or one image), or a dict with
    "images" and "labels" (one-hot or soft labels, `(batch, classes)`).
    """

    _moves_pixels = True

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.alpha = alpha
        self.seed = seed
        self._random = SeededRandom(seed)

    def get_random_transformation(self, images, training=True, seed=None):
        batch = images.shape[0]
        return {
            "mix_weight": self._random.beta((batch,), self.alpha, self.alpha, images.device),
            "permutation_order": self._random.permutation(batch, images.device),
        }

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        weight = transformation["mix_weight"].to(images.dtype).reshape(-1, 1, 1, 1)
        others = images.index_select(0, transformation["permutation_order"].to(images.device).long())
        return weight * images + (1.0 - weight) * others

    def transform_labels(self, labels, transformation, training=True):
        if not training or transformation is None:
            return labels
        labels = labels if labels.is_floating_point() else labels.to(self._compute_torch_dtype)
        weight = transformation["mix_weight"].to(labels.dtype).reshape(-1, *([1] * (labels.ndim - 1)))
        others = labels.index_select(0, transformation["permutation_order"].to(labels.device).long())
        return weight * labels + (1.0 - weight) * others

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"alpha": self.alpha, "seed": self.seed})
        return config


class CutMix(AugmentationLayer):
    """CutMix (Yun et al., 2019): a random box of each image is replaced by the same box
    of another image of the batch; labels mix in proportion to the areas.

    Args:
        factor: a float or a pair in [0, 1]: the Beta concentration is drawn from this
            range (a float f means (0, f)); default 1.0.
        seed: integer seed.
        data_format: "channels_last" (default) or "channels_first".

    Single (unbatched) images are returned unchanged, as in Keras.
    """

    _moves_pixels = True

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = bounded_factor(factor, (0, 1))
        self.seed = seed
        self._random = SeededRandom(seed)

    def get_random_transformation(self, images, training=True, seed=None):
        if images.ndim != 4:
            return None
        h_axis, w_axis = self._spatial_axes()
        batch, height, width = images.shape[0], images.shape[h_axis], images.shape[w_axis]
        device, dtype = images.device, self._compute_torch_dtype
        alpha = float(self._random.uniform((), self.factor[0], self.factor[1], device)) + 1e-6
        mix_weight = self._random.beta((batch,), alpha, alpha, device, dtype)
        ratio = torch.sqrt(1.0 - mix_weight)
        x0, x1 = self._crop_bounds(batch, width, ratio)
        y0, y1 = self._crop_bounds(batch, height, ratio)
        grid_y = torch.arange(height, device=device, dtype=dtype).view(1, height, 1)
        grid_x = torch.arange(width, device=device, dtype=dtype).view(1, 1, width)
        masks = (grid_x >= x0.view(-1, 1, 1)) & (grid_x < x1.view(-1, 1, 1))
        masks = masks & (grid_y >= y0.view(-1, 1, 1)) & (grid_y < y1.view(-1, 1, 1))
        masks = masks.unsqueeze(-1 if self.data_format == "channels_last" else 1)
        return {
            "permutation_order": self._random.permutation(batch, device),
            "batch_masks": masks,
            "mix_weight": 1.0 - (x1 - x0) * (y1 - y0) / (width * height),
        }

    def _crop_bounds(self, batch, length, ratio):
        crop = ratio * length
        start = self._random.uniform((batch,), 0.0, 1.0, ratio.device, ratio.dtype) * (length - crop)
        return start, start + crop

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        others = images.index_select(0, transformation["permutation_order"].to(images.device).long())
        return torch.where(transformation["batch_masks"].to(images.device).bool(), others, images)

    def transform_labels(self, labels, transformation, training=True):
        if not training or transformation is None:
            return labels
        labels = labels if labels.is_floating_point() else labels.to(self._compute_torch_dtype)
        weight = transformation["mix_weight"].to(labels.dtype).reshape(-1, *([1] * (labels.ndim - 1)))
        others = labels.index_select(0, transformation["permutation_order"].to(labels.device).long())
        return weight * labels + (1.0 - weight) * others

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "seed": self.seed})
        return config
