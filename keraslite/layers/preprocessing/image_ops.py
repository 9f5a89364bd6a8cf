"""Image kernels shared by the image preprocessing layers: resize, crop boxes, affine warps.

All functions take batched images (rank 4) in the given data format and work on torch
tensors. They follow Keras 3's torch backend (`keras.ops.image.resize`,
`keras.ops.image.affine_transform`) so that the same inputs give the same numbers.
"""

from __future__ import annotations

import torch

from keraslite.ops import image as ops_image
from keraslite.ops.image_resize import RESIZE_MODES as RESIZE_MODES
from keraslite.ops.image_resize import aspect_crop_box as aspect_crop_box
from keraslite.ops.image_resize import resize as resize

AFFINE_INTERPOLATIONS = ("nearest", "bilinear")
FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def saturate_cast(values: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Cast float results back to an integer image dtype: round, clip to its range, cast."""
    if values.dtype == dtype:
        return values
    if dtype.is_floating_point:
        return values.to(dtype)
    info = torch.iinfo(dtype)
    return values.round().clamp(info.min, info.max).to(dtype)


def affine_transform(
    images: torch.Tensor,
    transform: torch.Tensor,
    interpolation: str = "bilinear",
    fill_mode: str = "constant",
    fill_value: float = 0.0,
    data_format: str = "channels_last",
) -> torch.Tensor:
    """Warp each image of a batch by its transform `[a0, a1, a2, b0, b1, b2, c0, c1]`
    (batch, 8): `keras.ops.image.affine_transform` restricted to the fill modes the
    layers accept (reflect / wrap / nearest / constant)."""
    if interpolation not in AFFINE_INTERPOLATIONS:
        raise ValueError(
            "Invalid value for argument `interpolation`. Expected of one "
            f"{set(AFFINE_INTERPOLATIONS)}. Received: interpolation={interpolation}"
        )
    if fill_mode not in FILL_MODES:
        raise ValueError(
            f"Invalid value for argument `fill_mode`. Expected of one {set(FILL_MODES)}. Received: "
            f"fill_mode={fill_mode}"
        )
    return ops_image.affine_transform(images, transform, interpolation, fill_mode, fill_value, data_format)


def rotation_matrix(angles_degrees: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Transforms (batch, 8) rotating each image about its centre by its angle (Keras's
    `_compute_affine_matrix` with no shear, scale 1 and no translation)."""
    angle = angles_degrees * (torch.pi / 180.0)
    cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
    cos, sin = torch.cos(angle), torch.sin(angle)
    a0, a1 = cos, -sin
    b0, b1 = sin, cos
    a2 = cx - cx * a0 - cy * a1
    b2 = cy - cx * b0 - cy * b1
    zeros = torch.zeros_like(angle)
    return torch.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], dim=1)
