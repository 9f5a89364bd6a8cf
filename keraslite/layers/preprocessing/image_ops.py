"""Image kernels shared by the image preprocessing layers: resize, crop boxes, affine warps.

All functions take batched images (rank 4) in the given data format and work on torch
tensors. They follow Keras 3's torch backend (`keras.ops.image.resize`,
`keras.ops.image.affine_transform`) so that the same inputs give the same numbers.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

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


def _fix_index(index: torch.Tensor, size: int, fill_mode: str) -> torch.Tensor:
    if fill_mode in ("constant", "nearest"):
        return index.clamp(0, size - 1)
    if fill_mode == "wrap":
        return torch.remainder(index, size)
    # reflect (d c b a | a b c d | d c b a): mirror around the half-pixel edges.
    period = 2 * size
    folded = torch.remainder(index, period)
    return torch.where(folded >= size, period - 1 - folded, folded)


def affine_transform(
    images: torch.Tensor,
    transform: torch.Tensor,
    interpolation: str = "bilinear",
    fill_mode: str = "constant",
    fill_value: float = 0.0,
    data_format: str = "channels_last",
) -> torch.Tensor:
    """Warp each image by its transform `[a0, a1, a2, b0, b1, b2, c0, c1]` (batch, 8):
    the output pixel (x, y) samples the input at (a0 x + a1 y + a2, b0 x + b1 y + b2)
    (projective terms c0, c1 are taken as 0, as every Keras layer here passes).

    Sampling is `nearest` (round half to even) or `bilinear`; points outside the image
    are filled per `fill_mode` (reflect / wrap / nearest / constant with `fill_value`).
    """
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
    nhwc = images if data_format == "channels_last" else images.permute(0, 2, 3, 1)
    batch, height, width, channels = nhwc.shape
    compute_dtype = nhwc.dtype if nhwc.is_floating_point() else torch.float32
    transform = transform.to(device=nhwc.device, dtype=compute_dtype)
    ys = torch.arange(height, device=nhwc.device, dtype=compute_dtype).view(1, height, 1)
    xs = torch.arange(width, device=nhwc.device, dtype=compute_dtype).view(1, 1, width)
    t = transform.view(batch, 8, 1, 1)
    src_x = t[:, 0] * xs + t[:, 1] * ys + t[:, 2]
    src_y = t[:, 3] * xs + t[:, 4] * ys + t[:, 5]
    flat = nhwc.reshape(batch, height * width, channels).to(compute_dtype)

    if interpolation == "nearest":
        corners = [(torch.round(src_y).long(), torch.round(src_x).long(), None)]
    else:
        y0, x0 = torch.floor(src_y), torch.floor(src_x)
        wy1, wx1 = src_y - y0, src_x - x0
        y0, x0 = y0.long(), x0.long()
        corners = [
            (y0, x0, (1 - wy1) * (1 - wx1)),
            (y0, x0 + 1, (1 - wy1) * wx1),
            (y0 + 1, x0, wy1 * (1 - wx1)),
            (y0 + 1, x0 + 1, wy1 * wx1),
        ]
    output = None
    for iy, ix, weight in corners:
        index = _fix_index(iy, height, fill_mode) * width + _fix_index(ix, width, fill_mode)
        values = torch.gather(flat, 1, index.reshape(batch, -1, 1).expand(-1, -1, channels))
        values = values.view(batch, height, width, channels)
        if fill_mode == "constant":
            inside = ((iy >= 0) & (iy < height) & (ix >= 0) & (ix < width)).unsqueeze(-1)
            values = values.masked_fill(~inside, float(fill_value))
        term = values if weight is None else values * weight.unsqueeze(-1)
        output = term if output is None else output + term
    output = saturate_cast(output, nhwc.dtype)
    return output if data_format == "channels_last" else output.permute(0, 3, 1, 2)


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
