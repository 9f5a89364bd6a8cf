"""`tf.image`: resizing, flips and color conversion on channels-last images."""

from __future__ import annotations

import torch

from keraslite import ops
from keraslite.compat.tensorflow.array_ops import tf_api
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.ops.dispatch import to_tensor

__getattr__ = module_getattr("tf.image")


@tf_api
def resize(images, size, method="bilinear", preserve_aspect_ratio=False, antialias=False):
    return ops.image.resize(images, size, interpolation=method, antialias=antialias)


@tf_api
def rgb_to_grayscale(images):
    return ops.image.rgb_to_grayscale(images)


@tf_api
def flip_left_right(image):
    return ops.flip(image, axis=-2)


@tf_api
def flip_up_down(image):
    return ops.flip(image, axis=-3)


@tf_api
def random_flip_left_right(image, seed=None):
    image = to_tensor(image)
    return torch.flip(image, (-2,)) if bool(torch.rand(()) < 0.5) else image


@tf_api
def convert_image_dtype(image, dtype, saturate=False):
    image = to_tensor(image)
    target = ops.convert_to_tensor(0, dtype=dtype).dtype
    if not image.is_floating_point() and target.is_floating_point:
        return image.to(target) / float(torch.iinfo(image.dtype).max)
    if image.is_floating_point() and not target.is_floating_point:
        return (image * float(torch.iinfo(target).max)).round().to(target)
    return image.to(target)
