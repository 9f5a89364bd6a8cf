"""Shared pieces of the preprocessing layers: image-layer base, random draws, value checks."""

from __future__ import annotations

import torch

from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer
from keraslite.layers.layer_arguments import standardize_data_format


class ImagePreprocessingLayer(Layer):
    """Base of the image layers: keeps `data_format`, validates the image rank and
    finds the height/width axes. Subclasses implement `_transform(images, training)` on a
    rank-4 batch; rank-3 (single image) inputs are batched and unbatched around it."""

    def __init__(self, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.supports_masking = False

    def _spatial_axes(self) -> tuple[int, int]:
        """(height axis, width axis) of a rank-4 batch."""
        return (-3, -2) if self.data_format == "channels_last" else (-2, -1)

    def _check_rank(self, inputs: torch.Tensor) -> None:
        if inputs.ndim not in (3, 4):
            raise ValueError(
                "Expected image tensor to have rank 3 (single image) "
                f"or 4 (batch of images). Received: data.shape={tuple(inputs.shape)}"
            )

    def call(self, inputs, training=None):
        self._check_rank(inputs)
        unbatched = inputs.ndim == 3
        images = inputs.unsqueeze(0) if unbatched else inputs
        outputs = self._transform(images, bool(training))
        return outputs.squeeze(0) if unbatched else outputs

    def _transform(self, images: torch.Tensor, training: bool) -> torch.Tensor:
        raise NotImplementedError

    def _to_compute_dtype(self, images: torch.Tensor) -> torch.Tensor:
        return images if images.dtype == self._compute_torch_dtype else images.to(self._compute_torch_dtype)

    # Layers whose output keeps the input's dtype (Resizing, RandomBrightness) say so.
    _keeps_input_dtype = False

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def compute_output_spec(self, inputs, *args, **kwargs):
        dtype = inputs.dtype if self._keeps_input_dtype else self.compute_dtype
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class SeededRandom:
    """Random draws for an augmentation layer.

    With `seed=None` the draws come from torch's global generator (so `torch.manual_seed`
    makes runs repeatable); with a seed each layer owns a generator per device, seeded
    once, so two layers built with the same seed draw the same sequence.
    """

    def __init__(self, seed: int | None):
        self.seed = seed
        self._generators: dict[torch.device, torch.Generator] = {}

    def _generator(self, device: torch.device):
        if self.seed is None:
            return None
        generator = self._generators.get(device)
        if generator is None:
            generator = torch.Generator(device=device)
            generator.manual_seed(int(self.seed))
            self._generators[device] = generator
        return generator

    def uniform(self, shape, low: float, high: float, device, dtype=torch.float32) -> torch.Tensor:
        device = torch.device(device)
        values = torch.rand(shape, generator=self._generator(device), device=device, dtype=dtype)
        return values * (high - low) + low

    def normal(self, shape, device, dtype=torch.float32) -> torch.Tensor:
        device = torch.device(device)
        return torch.randn(shape, generator=self._generator(device), device=device, dtype=dtype)

    def randint(self, shape, low: int, high: int, device) -> torch.Tensor:
        """Integers in [low, high)."""
        device = torch.device(device)
        return torch.randint(low, high, shape, generator=self._generator(device), device=device)

    def permutation(self, size: int, device) -> torch.Tensor:
        device = torch.device(device)
        return torch.randperm(size, generator=self._generator(device), device=device)

    def gamma(self, shape, alpha: float, device, dtype=torch.float32) -> torch.Tensor:
        """Gamma(alpha, 1) draws. torch's gamma sampler takes no generator: with a seed the
        (few, per-batch) draws are made on the CPU under a generator forked from this one."""
        concentration = torch.full(tuple(shape), float(alpha), dtype=torch.float32)
        if self.seed is None:
            return torch._standard_gamma(concentration).to(device=device, dtype=dtype)
        cpu_generator = self._generator(torch.device("cpu"))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(torch.randint(0, 2**62, (), generator=cpu_generator)))
            values = torch._standard_gamma(concentration)
        return values.to(device=device, dtype=dtype)

    def beta(self, shape, alpha: float, beta: float, device, dtype=torch.float32) -> torch.Tensor:
        first = self.gamma(shape, alpha, device, dtype)
        second = self.gamma(shape, beta, device, dtype)
        return first / (first + second)


def check_fill_and_interpolation(
    fill_mode: str,
    interpolation: str,
    supported_fill=("reflect", "wrap", "constant", "nearest"),
    supported_interpolation=("nearest", "bilinear"),
) -> None:
    if fill_mode not in supported_fill:
        raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one {supported_fill}.")
    if interpolation not in supported_interpolation:
        raise NotImplementedError(
            f"Unknown `interpolation` {interpolation}. Expected of one {supported_interpolation}."
        )


def symmetric_factor(factor, name: str, error: str, low_open: bool = False) -> tuple[float, float]:
    """A number or a pair in [-1, 1] (or (-1, 1] with `low_open`) -> (lower, upper),
    as RandomZoom / RandomTranslation read their factors."""

    def check(value):
        if value > 1.0 or value < -1.0 or (low_open and value <= -1.0):
            raise ValueError(error + f"Received: input_number={value}")

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(error + f"Received: {name}={factor}")
        check(factor[0])
        check(factor[1])
        lower, upper = sorted(factor)
        return lower, upper
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        check(factor)
        factor = abs(factor)
        return -factor, factor
    raise ValueError(error + f"Received: {name}={factor}")


def bounded_factor(factor, bounds: tuple[float, float]) -> tuple[float, float]:
    """Keras's base image-layer factor rule: a number f -> (max(-f, low), f); a pair -> sorted."""
    error = (
        "The `factor` argument should be a number (or a list of two numbers) in the range "
        f"[{bounds[0]}, {bounds[1]}]. Received: factor={factor}"
    )
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(error)
        lower, upper = sorted(factor)
        return lower, upper
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if factor < bounds[0] or factor > bounds[1]:
            raise ValueError(error)
        factor = abs(factor)
        return max(-factor, bounds[0]), factor
    raise ValueError(error)


_VALUE_RANGE_ERROR = "The `value_range` argument should be a list of two numbers. "


def checked_value_range(value_range) -> list:
    """A (min, max) pair, sorted, as the colour layers keep it."""
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(_VALUE_RANGE_ERROR + f"Received: value_range={value_range}")
    return sorted(value_range)


def rescale_values(images: torch.Tensor, source, target) -> torch.Tensor:
    """Map values linearly from the `source` (min, max) range to the `target` one."""
    if source[0] == target[0] and source[1] == target[1]:
        return images
    unit = (images - float(source[0])) / (float(source[1]) - float(source[0]))
    return unit * (float(target[1]) - float(target[0])) + float(target[0])


class AugmentationLayer(ImagePreprocessingLayer):
    """Base of the augmentation layers written in Keras 3's transformation style.

    A call draws one transformation for the batch (`get_random_transformation`, only in
    training) and applies it to the images (`transform_images`) and, for dict inputs
    `{"images": ..., "labels": ...}`, to the labels (`transform_labels`, identity unless
    the layer mixes labels). Both take a rank-4 batch; single images are batched around
    them. Passing a transformation by hand makes a layer deterministic (tests, RandAugment).
    """

    # Whether the images change outside training (AutoContrast does, as in Keras).
    _applies_in_inference = False
    # Whether pixels move (warps, mixing): bounding boxes and masks would have to follow.
    _moves_pixels = False

    def get_random_transformation(self, images: torch.Tensor, training: bool = True, seed=None):
        return None

    def transform_images(self, images: torch.Tensor, transformation, training: bool = True) -> torch.Tensor:
        raise NotImplementedError

    def transform_labels(self, labels: torch.Tensor, transformation, training: bool = True) -> torch.Tensor:
        return labels

    def call(self, inputs, training=None):
        training = bool(training)
        data = inputs if isinstance(inputs, dict) else {"images": inputs}
        images = data["images"]
        self._check_rank(images)
        unbatched = images.ndim == 3
        batch = images.unsqueeze(0) if unbatched else images
        active = training or self._applies_in_inference
        carried = sorted(key for key in ("bounding_boxes", "segmentation_masks") if key in data)
        if carried and active and self._moves_pixels:
            raise NotImplementedError(
                f"{type(self).__name__} (layer '{self.name}') moves pixels but does not transform {carried} yet. "
                "Pass images (and labels) only, or apply it outside the boxes/masks pipeline."
            )
        transformation = self.get_random_transformation(batch, training=True) if active else None
        outputs = dict(data)
        if active:
            outputs["images"] = self.transform_images(batch, transformation, training=True)
        else:
            outputs["images"] = self._to_compute_dtype(batch)
        if unbatched:
            outputs["images"] = outputs["images"].squeeze(0)
        if "labels" in data and active:
            labels = data["labels"]
            labels = labels.unsqueeze(0) if unbatched else labels
            labels = self.transform_labels(labels, transformation, training=True)
            outputs["labels"] = labels.squeeze(0) if unbatched else labels
        return outputs if isinstance(inputs, dict) else outputs["images"]

    def compute_output_spec(self, inputs, *args, **kwargs):
        if isinstance(inputs, dict):
            return {key: KerasTensor(value.shape, self.compute_dtype) for key, value in inputs.items()}
        return super().compute_output_spec(inputs, *args, **kwargs)
