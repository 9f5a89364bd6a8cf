"""Augmentation policies built from other augmentation layers: RandAugment, AugMix."""

from __future__ import annotations

import random

import torch

from keraslite.layers.preprocessing.base import AugmentationLayer, SeededRandom, bounded_factor
from keraslite.layers.preprocessing.random_color import RandomBrightness, RandomColorDegeneration, RandomContrast
from keraslite.layers.preprocessing.random_filters import RandomSharpness
from keraslite.layers.preprocessing.random_geometric import RandomRotation, RandomTranslation
from keraslite.layers.preprocessing.random_warp import RandomShear
from keraslite.layers.preprocessing.tone_mapping import AutoContrast, Equalization, RandomPosterization, Solarization


def _augment(layer, images: torch.Tensor) -> torch.Tensor:
    """One random application of an augmentation layer to a rank-4 batch (training)."""
    if isinstance(layer, AugmentationLayer):
        return layer.transform_images(images, layer.get_random_transformation(images))
    return layer._transform(images, True).to(images.dtype)


def _make_augmenters(factor, value_range, interpolation, seed, data_format, kwargs, colour_ops=True) -> dict:
    """The sub-layers RandAugment and AugMix draw from, keyed by Keras's attribute names."""
    geometric = {"interpolation": interpolation, "seed": seed, "data_format": data_format, **kwargs}
    colour = {"value_range": value_range, "seed": seed, "data_format": data_format, **kwargs}
    plain = {"value_range": value_range, "data_format": data_format, **kwargs}
    layers = {
        "random_shear": RandomShear(x_factor=factor, y_factor=factor, **geometric),
        "random_translation": RandomTranslation(height_factor=factor, width_factor=factor, **geometric),
        "random_rotation": RandomRotation(factor=factor, **geometric),
        "random_posterization": RandomPosterization(factor=max(1, int(8 * factor[1])), **colour),
        "solarization": Solarization(addition_factor=factor, threshold_factor=factor, **colour),
        "auto_contrast": AutoContrast(**plain),
        "equalization": Equalization(**plain),
    }
    if colour_ops:
        layers.update(
            {
                "random_brightness": RandomBrightness(factor=factor, **colour),
                "random_color_degeneration": RandomColorDegeneration(factor=factor, **colour),
                "random_contrast": RandomContrast(factor=factor, **colour),
                "random_sharpness": RandomSharpness(factor=factor, **colour),
            }
        )
    return layers


class RandAugment(AugmentationLayer):
    """RandAugment (Cubuk et al., 2019): during training, `num_ops` augmentations are
    picked at random (each for the whole batch) among shear, translation, rotation,
    brightness, colour degeneration, contrast, sharpness, posterization, solarization,
    auto-contrast and equalization, all with strength `factor`.

    Args:
        value_range: the (min, max) range of the images, default (0, 255).
        num_ops: how many augmentations are applied (default 2).
        factor: a float or a pair in [0, 1]: the strength range (default 0.5).
        interpolation: "bilinear" (default) or "nearest" for the geometric ones.
        seed: integer seed.
        data_format: "channels_last" (default) or "channels_first".
    """

    _AUGMENT_LAYERS = [
        "random_shear",
        "random_translation",
        "random_rotation",
        "random_brightness",
        "random_color_degeneration",
        "random_contrast",
        "random_sharpness",
        "random_posterization",
        "solarization",
        "auto_contrast",
        "equalization",
    ]

    _moves_pixels = True

    def __init__(
        self,
        value_range=(0, 255),
        num_ops=2,
        factor=0.5,
        interpolation="bilinear",
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.num_ops = num_ops
        self.factor = bounded_factor(factor, (0, 1))
        self.interpolation = interpolation
        self.seed = seed
        self._random = SeededRandom(seed)
        augmenters = _make_augmenters(self.factor, value_range, interpolation, seed, data_format, {})
        for name in self._AUGMENT_LAYERS:
            setattr(self, name, augmenters[name])

    def get_random_transformation(self, images, training=True, seed=None):
        return {"layer_idxes": self._random.randint((self.num_ops,), 0, len(self._AUGMENT_LAYERS), "cpu")}

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        for index in transformation["layer_idxes"].tolist():
            images = _augment(getattr(self, self._AUGMENT_LAYERS[index]), images).to(images.dtype)
        return images

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "value_range": self.value_range,
                "num_ops": self.num_ops,
                "factor": self.factor,
                "interpolation": self.interpolation,
                "seed": self.seed,
            }
        )
        return config


class AugMix(AugmentationLayer):
    """AugMix (Hendrycks et al., 2020): during training, `num_chains` chains of up to
    `chain_depth` random augmentations are mixed with Dirichlet(`alpha`) weights, and
    the mix is blended with the original image by a Beta(`alpha`, `alpha`) weight.

    Args:
        value_range: the (min, max) range of the images, default (0, 255).
        num_chains: number of augmentation chains (default 3).
        chain_depth: the most augmentations per chain (default 3; each step may be
            skipped).
        factor: a float or a pair in [0, 1]: the strength range (default 0.3).
        alpha: the Dirichlet / Beta concentration (default 1.0).
        all_ops: also use brightness, colour degeneration, contrast and sharpness
            (default True).
        interpolation: "bilinear" (default) or "nearest" for the geometric ones.
        seed: integer seed.
        data_format: "channels_last" (default) or "channels_first".
    """

    _moves_pixels = True

    def __init__(
        self,
        value_range=(0, 255),
        num_chains=3,
        chain_depth=3,
        factor=0.3,
        alpha=1.0,
        all_ops=True,
        interpolation="bilinear",
        seed=None,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.num_chains = num_chains
        self.chain_depth = chain_depth
        self.factor = bounded_factor(factor, (0, 1))
        self.alpha = alpha
        self.all_ops = all_ops
        self.interpolation = interpolation
        self.seed = seed
        self._random = SeededRandom(seed)
        self._choices = random.Random(seed)
        augmenters = _make_augmenters(self.factor, value_range, interpolation, seed, data_format, {}, all_ops)
        self._augment_layers = list(augmenters)
        for name, layer in augmenters.items():
            setattr(self, name, layer)

    def get_random_transformation(self, images, training=True, seed=None):
        gammas = self._random.gamma((self.num_chains,), self.alpha, images.device)
        chains = [
            [
                name
                for name in (self._choices.choice(self._augment_layers + [None]) for _ in range(self.chain_depth))
                if name
            ]
            for _ in range(self.num_chains)
        ]
        return {
            "chain_mixing_weights": gammas / gammas.sum(),
            "weight_sample": self._random.beta((), self.alpha, self.alpha, images.device),
            "chain_transforms": chains,
        }

    def transform_images(self, images, transformation, training=True):
        images = self._to_compute_dtype(images)
        if not training or transformation is None:
            return images
        weights = transformation["chain_mixing_weights"].to(device=images.device, dtype=images.dtype)
        keep = transformation["weight_sample"].to(device=images.device, dtype=images.dtype)
        mixed = torch.zeros_like(images)
        for index, chain in enumerate(transformation["chain_transforms"]):
            augmented = images
            for name in chain:
                augmented = _augment(getattr(self, name), augmented).to(images.dtype)
            mixed = mixed + augmented * weights[index]
        blended = keep * images + (1 - keep) * mixed
        return blended.clamp(self.value_range[0], self.value_range[1])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "value_range": self.value_range,
                "num_chains": self.num_chains,
                "chain_depth": self.chain_depth,
                "factor": self.factor,
                "alpha": self.alpha,
                "all_ops": self.all_ops,
                "interpolation": self.interpolation,
                "seed": self.seed,
            }
        )
        return config
