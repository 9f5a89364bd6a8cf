"""Random warps: RandomShear, RandomPerspective, RandomElasticTransform (training only)."""

from __future__ import annotations

import torch

from keraslite.layers.preprocessing.base import AugmentationLayer, SeededRandom, bounded_factor
from keraslite.ops import image as ops_image

_SHEAR_ERROR = "The `factor` argument should be a number (or a list of two numbers) in the range [0, 1.0]. "


def _shear_factor(factor, name):
    """A number f in [0, 1] -> (-f, f); a pair -> sorted. Pairs may hold negative values
    (down to -1), so that the (-f, f) a config stores reads back (Keras refuses it)."""

    def check(value, low=0.0):
        if value > 1.0 or value < low:
            raise ValueError(_SHEAR_ERROR + f"Received: input_number={value}")

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(_SHEAR_ERROR + f"Received: {name}={factor}")
        check(factor[0], -1.0)
        check(factor[1], -1.0)
        lower, upper = sorted(factor)
        return lower, upper
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        check(factor)
        return -abs(factor), abs(factor)
    raise ValueError(_SHEAR_ERROR + f"Received: {name}={factor}")


def _check_choice(value, supported, name):
    if value not in supported:
        raise NotImplementedError(f"Unknown `{name}` {value}. Expected of one {supported}.")


class RandomShear(AugmentationLayer):
    """Randomly shears images during training: output pixel (x, y) samples the input at
    (x + s_x y, s_y x + y), with s_x, s_y drawn from the factors and a random sign.

    Args:
        x_factor: a float or a pair in [0, 1] (a float f means (-f, f)); default 0.
        y_factor: the same vertically.
        interpolation: "bilinear" (default) or "nearest".
        fill_mode: "reflect" (default), "wrap", "constant" or "nearest".
        fill_value: the value outside the image for `fill_mode="constant"`.
        data_format: "channels_last" (default) or "channels_first".
        seed: integer seed.
    """

    _moves_pixels = True

    def __init__(
        self,
        x_factor=0.0,
        y_factor=0.0,
        interpolation="bilinear",
        fill_mode="reflect",
        fill_value=0.0,
        data_format=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.x_factor = _shear_factor(x_factor, "x_factor")
        self.y_factor = _shear_factor(y_factor, "y_factor")
        _check_choice(fill_mode, ("reflect", "wrap", "constant", "nearest"), "fill_mode")
        _check_choice(interpolation, ("nearest", "bilinear"), "interpolation")
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.seed = seed
        self._random = SeededRandom(seed)

    def get_random_transformation(self, images, training=True, seed=None):
        batch, device, dtype = images.shape[0], images.device, self._compute_torch_dtype
        sign = torch.where(self._random.uniform((batch, 1), 0.0, 1.0, device, dtype) > 0.5, -1.0, 1.0)
        shear_y = self._random.uniform((batch, 1), self.y_factor[0], self.y_factor[1], device, dtype)
        shear_x = self._random.uniform((batch, 1), self.x_factor[0], self.x_factor[1], device, dtype)
        return {"shear_factor": torch.cat([shear_x, shear_y], dim=1) * sign.to(dtype)}

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        shear = transformation["shear_factor"].to(device=images.device, dtype=images.dtype)
        ones, zeros = torch.ones_like(shear[:, 0]), torch.zeros_like(shear[:, 0])
        matrix = torch.stack([ones, shear[:, 0], zeros, shear[:, 1], ones, zeros, zeros, zeros], dim=1)
        return ops_image.affine_transform(
            images, matrix, self.interpolation, self.fill_mode, self.fill_value, self.data_format
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "x_factor": self.x_factor,
                "y_factor": self.y_factor,
                "fill_mode": self.fill_mode,
                "interpolation": self.interpolation,
                "seed": self.seed,
                "fill_value": self.fill_value,
            }
        )
        return config


class RandomPerspective(AugmentationLayer):
    """Randomly applies a perspective warp to each image during training: the four
    corners move by up to `scale / 2` of their coordinates; each image is warped with a
    probability drawn from `factor`.

    Args:
        factor: a float or a pair in [0, 1]: the probability range; default 1.0.
        scale: in [0, 1], how far corners may move (default 1.0).
        interpolation: "bilinear" (default) or "nearest".
        fill_value: the value outside the source image.
        seed: integer seed.
        data_format: "channels_last" (default) or "channels_first".
    """

    _moves_pixels = True

    def __init__(
        self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0, seed=None, data_format=None, **kwargs
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = bounded_factor(factor, (0, 1))
        self.scale = scale
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.seed = seed
        self._random = SeededRandom(seed)
        if scale < 0.0 or scale > 1.0:
            raise ValueError(f"The `scale` argument should be a number in the range [0,1]. Received: scale={scale}")
        _check_choice(interpolation, ("nearest", "bilinear"), "interpolation")

    def get_random_transformation(self, images, training=True, seed=None):
        h_axis, w_axis = self._spatial_axes()
        batch, height, width = images.shape[0], images.shape[h_axis], images.shape[w_axis]
        device, dtype = images.device, self._compute_torch_dtype
        probability = self._random.uniform((batch,), self.factor[0], self.factor[1], device)
        threshold = self._random.uniform((batch,), 0.0, 1.0, device)
        moves = self._random.uniform((batch, 4, 2), -0.5 * self.scale, 0.5 * self.scale, device, dtype)
        corners = [[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1], [width - 1, height - 1]]
        start = torch.tensor([corners], dtype=dtype, device=device).expand(batch, 4, 2)
        return {
            "apply_perspective": threshold < probability,
            "start_points": start,
            "end_points": start + start * moves,
        }

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        warped = ops_image.perspective_transform(
            images,
            transformation["start_points"],
            transformation["end_points"],
            self.interpolation,
            self.fill_value,
            self.data_format,
        )
        apply = transformation["apply_perspective"].to(images.device).view(-1, 1, 1, 1)
        return torch.where(apply, warped, images)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "factor": self.factor,
                "scale": self.scale,
                "interpolation": self.interpolation,
                "fill_value": self.fill_value,
                "seed": self.seed,
            }
        )
        return config


class RandomElasticTransform(AugmentationLayer):
    """Randomly applies an elastic deformation to each image during training (with a
    probability drawn from `factor`); the distortion strength is drawn from `scale`:
    alpha = 0.1 * s * max(height, width), sigma = 0.05 * s * min(height, width).

    Args:
        factor: a float or a pair in [0, 1]: the probability range; default 1.0.
        scale: a float or a pair in [0, 1] (a float s means (0, s)); default 1.0.
        interpolation: "bilinear" (default) or "nearest".
        fill_mode: "reflect" (default), "constant", "nearest", "wrap" or "mirror".
        fill_value: the value outside the image for `fill_mode="constant"`.
        value_range: the (min, max) range of the images; outputs are clipped to it.
        seed: integer seed.
        data_format: "channels_last" (default) or "channels_first".
    """

    _moves_pixels = True

    def __init__(
        self,
        factor=1.0,
        scale=1.0,
        interpolation="bilinear",
        fill_mode="reflect",
        fill_value=0.0,
        value_range=(0, 255),
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = bounded_factor(factor, (0, 1))
        self.scale = bounded_factor(scale, (0, 1))
        self.interpolation = interpolation
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.value_range = value_range
        self.seed = seed
        self._random = SeededRandom(seed)
        _check_choice(interpolation, ("nearest", "bilinear"), "interpolation")
        _check_choice(fill_mode, ("constant", "nearest", "wrap", "mirror", "reflect"), "fill_mode")

    def get_random_transformation(self, images, training=True, seed=None):
        if self.scale[1] == 0 or self.factor[1] == 0:
            return None
        batch, device = images.shape[0], images.device
        probability = self._random.uniform((batch,), self.factor[0], self.factor[1], device)
        threshold = self._random.uniform((batch,), 0.0, 1.0, device)
        distortion = self._random.uniform((), self.scale[0], self.scale[1], device)
        field_seed = None if self.seed is None else int(self._random.randint((), 0, 2**31 - 1, "cpu"))
        return {"apply_transform": threshold < probability, "distortion_factor": distortion, "seed": field_seed}

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        h_axis, w_axis = self._spatial_axes()
        height, width = images.shape[h_axis], images.shape[w_axis]
        distortion = float(transformation["distortion_factor"])  # host sync: the kernel size depends on it
        warped = ops_image.elastic_transform(
            images,
            alpha=max(height, width) * 0.1 * distortion,
            sigma=min(height, width) * 0.05 * distortion,
            interpolation=self.interpolation,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            seed=transformation["seed"],
            data_format=self.data_format,
        )
        apply = transformation["apply_transform"].to(images.device).view(-1, 1, 1, 1)
        return torch.where(apply, warped, images).clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "factor": self.factor,
                "scale": self.scale,
                "interpolation": self.interpolation,
                "fill_mode": self.fill_mode,
                "fill_value": self.fill_value,
                "value_range": self.value_range,
                "seed": self.seed,
            }
        )
        return config
