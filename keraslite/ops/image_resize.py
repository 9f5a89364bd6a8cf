"""The resize kernel behind `keras.ops.image.resize` and the Resizing / CenterCrop /
RandomCrop layers: half-pixel sampling, Keras's crop-to / pad-to-aspect-ratio boxes."""

from __future__ import annotations

import torch
import torch.nn.functional as F

RESIZE_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic", "area": "area"}


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
