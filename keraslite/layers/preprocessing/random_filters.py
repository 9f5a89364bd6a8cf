"""Random filtering augmentation: RandomSharpness, RandomGaussianBlur (training only)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from keraslite.layers.preprocessing.base import AugmentationLayer, SeededRandom, bounded_factor, checked_value_range
from keraslite.ops import image as ops_image


class RandomSharpness(AugmentationLayer):
    """Randomly sharpens or blurs each image during training: the image is blended
    with a 3x3 smoothed version, `image + (1 - 2 f) * (smoothed - image)` with `f`
    drawn per image from `factor` (0 blurs, 0.5 keeps, 1 sharpens), clipped to
    `value_range`.

    Args:
        factor: a float or a pair in [0, 1]; a float f means (0, f).
        value_range: the (min, max) range of the images, default (0, 255).
        data_format: "channels_last" (default) or "channels_first".
        seed: integer seed.
    """

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = bounded_factor(factor, (0, 1))
        self.value_range = checked_value_range(value_range)
        self.seed = seed
        self._random = SeededRandom(seed)

    def get_random_transformation(self, images, training=True, seed=None):
        return {"factor": self._random.uniform((images.shape[0],), self.factor[0], self.factor[1], images.device)}

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        nchw = images.permute(0, 3, 1, 2) if self.data_format == "channels_last" else images
        channels = nchw.shape[1]
        edge, centre = 1.0 / 13.0, 5.0 / 13.0
        kernel = torch.full((3, 3), edge, dtype=images.dtype, device=images.device)
        kernel[1, 1] = centre
        smoothed = F.conv2d(nchw, kernel.expand(channels, 1, 3, 3), padding=1, groups=channels)
        smoothed = smoothed.permute(0, 2, 3, 1) if self.data_format == "channels_last" else smoothed
        sharpness = (transformation["factor"] * 2).to(device=images.device, dtype=images.dtype).view(-1, 1, 1, 1)
        blended = images + (1.0 - sharpness) * (smoothed - images)
        return blended.clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range, "seed": self.seed})
        return config


def _odd_kernel_size(kernel_size):
    error = f"kernel_size must be an odd number. Received: kernel_size={kernel_size}"
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise ValueError(
                f"The `kernel_size` argument should be a number (or a list of two numbers) Received: "
                f"kernel_size={kernel_size}"
            )
        if kernel_size[0] % 2 == 0 or kernel_size[1] % 2 == 0:
            raise ValueError(error)
        return kernel_size[0], kernel_size[1]
    if isinstance(kernel_size, (int, float)) and kernel_size % 2 == 1:
        return kernel_size, kernel_size
    raise ValueError(error)


class RandomGaussianBlur(AugmentationLayer):
    """Blurs each image with probability drawn from `factor` during training, with a
    Gaussian kernel whose standard deviations are drawn from `sigma` (one draw per
    batch), clipped to `value_range`.

    Args:
        factor: a float or a pair in [0, 1]: the probability range; default 1.0.
        kernel_size: an odd int or a pair of odd ints (default 3).
        sigma: a float or a pair in [0, 1] (a float s means (0, s)); default 1.0.
        value_range: the (min, max) range of the images, default (0, 255).
        data_format: "channels_last" (default) or "channels_first".
        seed: integer seed.
    """

    def __init__(
        self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255), data_format=None, seed=None, **kwargs
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = bounded_factor(factor, (0, 1))
        self.kernel_size = _odd_kernel_size(kernel_size)
        try:
            self.sigma = bounded_factor(sigma, (0, 1))
        except ValueError:
            raise ValueError(
                "The `sigma` argument should be a number (or a list of two numbers) in the range [0, 1]. "
                f"Received: factor={sigma}"
            ) from None
        self.value_range = value_range
        self.seed = seed
        self._random = SeededRandom(seed)

    def get_random_transformation(self, images, training=True, seed=None):
        batch, device = images.shape[0], images.device
        probability = self._random.uniform((batch,), self.factor[0], self.factor[1], device)
        threshold = self._random.uniform((batch,), 0.0, 1.0, device)
        blur = self._random.uniform((2,), self.sigma[0], self.sigma[1], device, self._compute_torch_dtype) + 1e-6
        return {"should_apply_blur": threshold < probability, "blur_factor": blur}

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        blurred = ops_image.gaussian_blur(
            images, self.kernel_size, transformation["blur_factor"], data_format=self.data_format
        )
        apply = transformation["should_apply_blur"].to(images.device).view(-1, 1, 1, 1)
        return torch.where(apply, blurred, images).clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "factor": self.factor,
                "kernel_size": self.kernel_size,
                "sigma": self.sigma,
                "value_range": self.value_range,
                "seed": self.seed,
            }
        )
        return config
