"""Image kernels shared by the image preprocessing layers: resize, crop boxes, affine warps.

All functions take batched images (rank 4) in the given data format and work on torch
tensors. They follow Keras 3's torch backend (`keras.ops.image.resize`,
`keras.ops.image.affine_transform`) so that the same inputs give the same numbers.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from keraslite.ops import image as ops_image

RESIZE_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic", "area": "area"}
AFFINE_INTERPOLATIONS = ("nearest", "bilinear")
FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def aspect_crop_box(height: int, width: int, target_height: int, target_width: int) -> tuple[int, int, int, int]:
    """(top, left, crop_height, crop_width) of the largest centred box with the target's
    aspect ratio (Keras's `crop_to_aspect_ratio` / `smart_resize` arithmetic)."""
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    return int(float(height - crop_height) / 2), int(float(width - crop_width) / 2), crop_height, crop_width


def _to_nchw(images: torch.Tensor, data_format: str) -> torch.Tensor:
    # A view: F.interpolate handles channels_last strides without a copy of its own input.
    return images.permute(0, 3, 1, 2) if data_format == "channels_last" else images


def _from_nchw(images: torch.Tensor, data_format: str) -> torch.Tensor:
    return images.permute(0, 2, 3, 1) if data_format == "channels_last" else images


def resize(
    images: torch.Tensor,
    size: tuple[int, int],
    interpolation: str = "bilinear",
    antialias: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    fill_value: float = 0.0,
    data_format: str = "channels_last",
) -> torch.Tensor:
    """Resize a batch of images to `size` = (height, width); float output of the input's
    float dtype (integer inputs are resized in float32; the caller casts back)."""
    if interpolation not in RESIZE_MODES:
        raise ValueError(
            "Invalid value for argument `interpolation`. Expected of one "
            f"{set(RESIZE_MODES)}. Received: interpolation={interpolation}"
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
    if not images.is_floating_point() or images.dtype in (torch.float16, torch.bfloat16):
        images = images.to(torch.float32)
    x = _to_nchw(images, data_format)
    height, width = x.shape[-2], x.shape[-1]
    target_height, target_width = size
    if crop_to_aspect_ratio:
        top, left, crop_height, crop_width = aspect_crop_box(height, width, target_height, target_width)
        x = x[:, :, top : top + crop_height, left : left + crop_width]
    elif pad_to_aspect_ratio:
        pad_height = max(height, int(float(width * target_height) / target_width))
        pad_width = max(width, int(float(height * target_width) / target_height))
        # Keras pads the same amount on both sides (the image is centred, extra rows drop).
        top = int(float(pad_height - height) / 2)
        left = int(float(pad_width - width) / 2)
        if top > 0 or left > 0:
            x = F.pad(x, (left, left, top, top), mode="constant", value=float(fill_value))
    if interpolation == "area":
        resized = F.interpolate(x, size=tuple(size), mode="area")
    else:
        align = False if interpolation in ("bilinear", "bicubic") else None
        resized = F.interpolate(
            x,
            size=tuple(size),
            mode=RESIZE_MODES[interpolation],
            align_corners=align,
            antialias=bool(antialias) and interpolation in ("bilinear", "bicubic"),
        )
    return _from_nchw(resized, data_format)


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
