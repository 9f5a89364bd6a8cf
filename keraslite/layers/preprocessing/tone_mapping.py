"""Per-pixel tone maps (PIL's ImageOps family): AutoContrast, Equalization,
ContrastLimitedAdaptiveHistogramEqualization, Solarization, RandomPosterization,
RandomInvert.

The maps work in a (0, 255) scale: images are rescaled from `value_range` and back.
AutoContrast and CLAHE apply in inference too (as in Keras); the others only in training.
"""

from __future__ import annotations

import torch

from keraslite.layers.preprocessing.base import (
    AugmentationLayer,
    SeededRandom,
    bounded_factor,
    checked_value_range,
    rescale_values,
)


class AutoContrast(AugmentationLayer):
    """Stretches each channel of each image so that its minimum maps to the bottom of
    `value_range` and its maximum to the top (constant channels are left unchanged).

    Args:
        value_range: the (min, max) range of the images, default (0, 255).
        data_format (keyword): "channels_last" (default) or "channels_first".

    Applies in training and in inference, as Keras.
    """

    _applies_in_inference = True

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = checked_value_range(value_range)

    def transform_images(self, images, transformation=None, training=True):
        original = images
        images = rescale_values(self._to_compute_dtype(images), self.value_range, (0, 255))
        spatial = self._spatial_axes()
        low = images.amin(dim=spatial, keepdim=True)
        high = images.amax(dim=spatial, keepdim=True)
        scale = 255.0 / (high - low)
        stretched = (images * scale - low * scale).clamp(0.0, 255.0)
        results = rescale_values(stretched, (0, 255), self.value_range)
        return torch.where(torch.isnan(results), original.to(results.dtype), results)

    def get_config(self) -> dict:
        config = super().get_config()
        config["value_range"] = self.value_range
        return config


class Equalization(AugmentationLayer):
    """Histogram equalization of each channel during training (one histogram per
    channel over the whole batch, as Keras computes it).

    Args:
        value_range: the (min, max) range of the images, default (0, 255).
        bins: the number of histogram bins (default 256).
        data_format: "channels_last" (default) or "channels_first".
    """

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.bins = bins
        self.value_range = checked_value_range(value_range)

    def _equalize(self, channel: torch.Tensor) -> torch.Tensor:
        bins = self.bins
        indices = (channel * (bins - 1) / 255.0).to(torch.int32).clamp(0, bins - 1)
        histogram = torch.bincount(indices.reshape(-1).long(), minlength=bins)
        if int(torch.count_nonzero(histogram)) <= 1:  # host sync: a data-dependent branch
            return channel
        cdf = torch.cumsum(histogram, dim=0)
        cdf_min = cdf[torch.nonzero(cdf)[0, 0]]
        denominator = cdf[-1] - cdf_min
        denominator = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
        lookup = torch.round((cdf - cdf_min) * 255 / denominator).clamp(0, 255)
        positions = ((channel / 255.0) * (bins - 1)).clamp(0, bins - 1).to(torch.int32)
        return lookup[positions.long()].to(channel.dtype)

    def transform_images(self, images, transformation=None, training=True):
        images = self._to_compute_dtype(images)
        if not training:
            return images
        axis = -1 if self.data_format == "channels_last" else -3
        scaled = rescale_values(images, self.value_range, (0, 255))
        channels = [self._equalize(channel) for channel in scaled.unbind(axis)]
        return rescale_values(torch.stack(channels, dim=axis), (0, 255), self.value_range).to(images.dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"bins": self.bins, "value_range": self.value_range})
        return config


class ContrastLimitedAdaptiveHistogramEqualization(AugmentationLayer):
    """CLAHE: histogram equalization per tile of a `tile_grid_size` grid, with each
    histogram clipped at `clip_limit` times the mean bin count (the excess spread over
    all bins), and the tiles' mappings interpolated bilinearly between tile centres.

    Args:
        value_range: the (min, max) range of the images, default (0, 255).
        clip_limit: the contrast limit (default 4.0; 0 disables clipping).
        tile_grid_size: (rows, columns) of tiles, default (8, 8).
        data_format: "channels_last" (default) or "channels_first".

    Applies in training and in inference, as Keras. Output: the input's dtype.
    """

    _applies_in_inference = True

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.clip_limit = clip_limit
        self.tile_grid_size = tile_grid_size

    def transform_images(self, images, transformation=None, training=True):
        original_dtype = images.dtype
        nhwc = images if self.data_format == "channels_last" else images.permute(0, 2, 3, 1)
        scaled = rescale_values(nhwc.to(torch.float32), self.value_range, (0, 255))
        result = rescale_values(self._clahe(scaled), (0, 255), self.value_range).to(original_dtype)
        return result if self.data_format == "channels_last" else result.permute(0, 3, 1, 2)

    def _clahe(self, images: torch.Tensor) -> torch.Tensor:
        batch, height, width, channels = images.shape
        grid_h, grid_w = self.tile_grid_size
        tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
        pad_h, pad_w = tile_h * grid_h - height, tile_w * grid_w - width
        padded = images
        if pad_h:  # symmetric padding: the last rows mirrored, edge included
            padded = torch.cat([padded, padded[:, height - pad_h :].flip(1)], dim=1)
        if pad_w:
            padded = torch.cat([padded, padded[:, :, width - pad_w :].flip(2)], dim=2)
        pixels = padded.to(torch.int32).clamp(0, 255).long()
        # (B, gh, th, gw, tw, C) -> (B, gh, gw, C, th * tw): the pixels of each tile.
        tiles = pixels.reshape(batch, grid_h, tile_h, grid_w, tile_w, channels).permute(0, 1, 3, 5, 2, 4)
        tiles = tiles.reshape(batch, grid_h, grid_w, channels, tile_h * tile_w)
        hists = torch.zeros(batch, grid_h, grid_w, channels, 256, device=images.device)
        hists.scatter_add_(-1, tiles, torch.ones_like(tiles, dtype=hists.dtype))
        if self.clip_limit > 0:
            # Keras counts in integers, so its limit is truncated to an integer too.
            limit = float(int(self.clip_limit * (tile_h * tile_w) / 256.0))
            clipped = hists.clamp(0, limit)
            hists = clipped + (hists - clipped).sum(dim=-1, keepdim=True) / 256.0
        cdf = torch.cumsum(hists, dim=-1)
        cdf_min = cdf.amin(dim=-1, keepdim=True)
        denominator = tile_h * tile_w - cdf_min
        denominator = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
        mapping = ((cdf - cdf_min) * 255.0 / denominator).clamp(0, 255)
        # One tile of edge on every side, so that border pixels interpolate towards themselves.
        mapping = torch.cat([mapping[:, :1], mapping, mapping[:, -1:]], dim=1)
        mapping = torch.cat([mapping[:, :, :1], mapping, mapping[:, :, -1:]], dim=2)
        ys = (torch.arange(tile_h * grid_h, dtype=torch.float32, device=images.device) - tile_h / 2.0) / tile_h + 1.0
        xs = (torch.arange(tile_w * grid_w, dtype=torch.float32, device=images.device) - tile_w / 2.0) / tile_w + 1.0
        y0, x0 = torch.floor(ys), torch.floor(xs)
        wy, wx = (ys - y0).view(1, -1, 1, 1), (xs - x0).view(1, 1, -1, 1)
        y1, x1 = (y0 + 1).clamp(0, grid_h + 1).long(), (x0 + 1).clamp(0, grid_w + 1).long()
        y0, x0 = y0.clamp(0, grid_h + 1).long(), x0.clamp(0, grid_w + 1).long()
        b = torch.arange(batch, device=images.device).view(-1, 1, 1, 1)
        c = torch.arange(channels, device=images.device).view(1, 1, 1, -1)

        def lookup(rows, cols):
            return mapping[b, rows.view(1, -1, 1, 1), cols.view(1, 1, -1, 1), c, pixels]

        top = lookup(y0, x0) * (1.0 - wx) + lookup(y0, x1) * wx
        bottom = lookup(y1, x0) * (1.0 - wx) + lookup(y1, x1) * wx
        result = top * (1.0 - wy) + bottom * wy
        return result[:, :height, :width]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {"value_range": self.value_range, "clip_limit": self.clip_limit, "tile_grid_size": self.tile_grid_size}
        )
        return config


_SOLARIZATION_ERROR = (
    "The `addition_factor` and `threshold_factor` arguments should be a number (or a list of two numbers) "
    "in the range [0, 1]. "
)


def _solarization_factor(factor, name):
    def check(value):
        if value > 1.0 or value < 0:
            raise ValueError(_SOLARIZATION_ERROR + f"Received: input_number={value}")

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(_SOLARIZATION_ERROR + f"Received: {name}={factor}")
        check(factor[0])
        check(factor[1])
        lower, upper = sorted(factor)
        return lower, upper
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        check(factor)
        return 0, factor
    raise ValueError(_SOLARIZATION_ERROR + f"Received: {name}={factor}")


class Solarization(AugmentationLayer):
    """Solarizes images during training: adds a random amount, then inverts the
    pixels at or above a random threshold (in a 0-255 scale).

    Args:
        addition_factor: a float or a pair in [0, 1]: the added amount is drawn from
            `[lower, upper * 255]` (a float f means (0, f)); default 0.
        threshold_factor: the same for the threshold; default 0 (every pixel inverted).
        value_range: the (min, max) range of the images, default (0, 255).
        seed: integer seed.
    """

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._random = SeededRandom(seed)
        self.addition_factor = _solarization_factor(addition_factor, "addition_factor")
        self.threshold_factor = _solarization_factor(threshold_factor, "threshold_factor")
        self.value_range = checked_value_range(value_range)

    def get_random_transformation(self, images, training=True, seed=None):
        shape, device, dtype = (images.shape[0], 1, 1, 1), images.device, self._compute_torch_dtype
        add, threshold = self.addition_factor, self.threshold_factor
        return {
            "additions": self._random.uniform(shape, add[0], add[1] * 255, device, dtype),
            "thresholds": self._random.uniform(shape, threshold[0], threshold[1] * 255, device, dtype),
        }

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        scaled = rescale_values(images, self.value_range, (0, 255))
        results = (scaled + transformation["additions"].to(images.device)).clamp(0, 255)
        results = torch.where(results < transformation["thresholds"].to(images.device), results, 255 - results)
        return rescale_values(results, (0, 255), self.value_range)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "value_range": self.value_range,
                "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor,
                "seed": self.seed,
            }
        )
        return config


class RandomPosterization(AugmentationLayer):
    """Keeps only the `bits` most significant bits of each 8-bit channel value during
    training, `bits` drawn per image from `factor`.

    Args:
        factor: an int in [1, 8] (meaning (1, factor)) or a pair; a pair of equal
            values fixes the bit count.
        value_range: the (min, max) range of the images, default (0, 255).
        data_format: "channels_last" (default) or "channels_first".
        seed: integer seed.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = bounded_factor(factor, (1, 8))
        self.value_range = checked_value_range(value_range)
        self.seed = seed
        self._random = SeededRandom(seed)

    def get_random_transformation(self, images, training=True, seed=None):
        batch, device = images.shape[0], images.device
        if self.factor[0] != self.factor[1]:
            bits = self._random.randint((batch,), int(self.factor[0]), int(self.factor[1]), device)
        else:
            bits = torch.full((batch,), int(self.factor[0]), device=device)
        return {"shift_factor": (8 - bits).to(torch.uint8)}

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        shift = transformation["shift_factor"].to(images.device).view(-1, 1, 1, 1)
        values = rescale_values(images, self.value_range, (0, 255)).to(torch.uint8)
        values = torch.bitwise_left_shift(torch.bitwise_right_shift(values, shift), shift)
        return rescale_values(values.to(images.dtype), (0, 255), self.value_range)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config


class RandomInvert(AugmentationLayer):
    """Inverts images (`value_range[1] - x`) during training, each with a probability
    drawn from `factor`.

    Args:
        factor: a float or a pair in [0, 1]; a float f means (0, f); default 1.0.
        value_range: the (min, max) range of the images, default (0, 255).
        seed: integer seed.
        data_format: "channels_last" (default) or "channels_first".
    """

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = bounded_factor(factor, (0, 1))
        self.value_range = value_range
        self.seed = seed
        self._random = SeededRandom(seed)

    def get_random_transformation(self, images, training=True, seed=None):
        batch, device = images.shape[0], images.device
        probability = self._random.uniform((batch,), self.factor[0], self.factor[1], device)
        threshold = self._random.uniform((batch,), 0.0, 1.0, device)
        return {"apply_inversion": threshold < probability}

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        apply = transformation["apply_inversion"].to(images.device).view(-1, 1, 1, 1)
        return torch.where(apply, self.value_range[1] - images, images)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config
