"""RandomErasing: cut-out of a random box per image (training only)."""

from __future__ import annotations

import torch

from keraslite.layers.preprocessing.base import AugmentationLayer, SeededRandom, bounded_factor

_FILL_VALUE_ERROR = "The `fill_value` argument should be a number (or a list of three numbers) "


class RandomErasing(AugmentationLayer):
    """Erases a random box of each image during training (with a probability drawn
    from `factor`), filling it with `fill_value` or, when None, with Gaussian noise
    scaled by `value_range[1]`; the fill is clipped to `value_range`.

    Args:
        factor: a float or a pair in [0, 1]: the erase probability range; default 1.0.
        scale: a float or a pair in [0, 1]: the range of the box's squared side
            fractions (default (0.02, 0.33)).
        fill_value: None (noise), a number, or three numbers (one per channel).
        value_range: the (min, max) range of the images, default (0, 255).
        seed: integer seed.
        data_format: "channels_last" (default) or "channels_first".
    """

    def __init__(
        self,
        factor=1.0,
        scale=(0.02, 0.33),
        fill_value=None,
        value_range=(0, 255),
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = bounded_factor(factor, (0, 1))
        try:
            self.scale = bounded_factor(scale, (0, 1))
        except ValueError:
            raise ValueError(
                "The `scale` argument should be a number (or a list of two numbers) in the range [0, 1]. "
                f"Received: factor={scale}"
            ) from None
        if fill_value is not None and not (
            isinstance(fill_value, (int, float)) or (isinstance(fill_value, (tuple, list)) and len(fill_value) == 3)
        ):
            raise ValueError(_FILL_VALUE_ERROR + f"Received: fill_value={fill_value}")
        self.fill_value = fill_value
        self.value_range = value_range
        self.seed = seed
        self._random = SeededRandom(seed)

    def _bounds(self, batch, length, ratio):
        crop = ratio * length
        start = self._random.uniform((batch,), 0.0, 1.0, ratio.device, ratio.dtype) * (length - crop)
        return start, start + crop

    def get_random_transformation(self, images, training=True, seed=None):
        h_axis, w_axis = self._spatial_axes()
        batch, height, width = images.shape[0], images.shape[h_axis], images.shape[w_axis]
        device, dtype = images.device, self._compute_torch_dtype
        sides = torch.sqrt(self._random.uniform((batch, 2), self.scale[0], self.scale[1], device, dtype))
        x0, x1 = self._bounds(batch, width, sides[:, 0])
        y0, y1 = self._bounds(batch, height, sides[:, 1])
        grid_y = torch.arange(height, device=device, dtype=dtype).view(1, height, 1)
        grid_x = torch.arange(width, device=device, dtype=dtype).view(1, 1, width)
        masks = (grid_x >= x0.view(-1, 1, 1)) & (grid_x < x1.view(-1, 1, 1))
        masks = masks & (grid_y >= y0.view(-1, 1, 1)) & (grid_y < y1.view(-1, 1, 1))
        masks = masks.unsqueeze(-1 if self.data_format == "channels_last" else 1)
        probability = self._random.uniform((batch,), self.factor[0], self.factor[1], device)
        threshold = self._random.uniform((batch,), 0.0, 1.0, device)
        if self.fill_value is None:
            fill = self._random.normal(tuple(images.shape), device, dtype) * self.value_range[1]
        else:
            fill = torch.as_tensor(self.fill_value, dtype=dtype, device=device).expand(images.shape)
        fill = fill.clamp(self.value_range[0], self.value_range[1])
        return {"apply_erasing": threshold < probability, "batch_masks": masks, "fill_value": fill}

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        fill = transformation["fill_value"].to(device=images.device, dtype=images.dtype)
        erased = torch.where(transformation["batch_masks"].to(images.device).bool(), fill, images)
        apply = transformation["apply_erasing"].to(images.device).view(-1, 1, 1, 1)
        return torch.where(apply, erased, images)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "factor": self.factor,
                "scale": self.scale,
                "fill_value": self.fill_value,
                "value_range": self.value_range,
                "seed": self.seed,
            }
        )
        return config
