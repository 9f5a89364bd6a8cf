"""`keras.ops.image`: resizing, colour conversion, padding/cropping and patch extraction
on image batches (channels-last by default); filters live in `image_filters.py`, resampling
in `image_warp.py`, both re-exported here."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from keraslite.backend import state
from keraslite.ops.dispatch import default_float, keras_op, to_tensor
from keraslite.ops.image_filters import check_image_rank, data_format_of
from keraslite.ops.image_filters import gaussian_blur as gaussian_blur
from keraslite.ops.image_filters import sobel_edges as sobel_edges
from keraslite.ops.image_filters import ssim as ssim
from keraslite.ops.image_resize import RESIZE_MODES
from keraslite.ops.image_resize import resize as resize_batch
from keraslite.ops.image_warp import affine_transform as affine_transform
from keraslite.ops.image_warp import elastic_transform as elastic_transform
from keraslite.ops.image_warp import map_coordinates as map_coordinates
from keraslite.ops.image_warp import perspective_transform as perspective_transform
from keraslite.ops.image_warp import scale_and_translate as scale_and_translate


@keras_op
def resize(
    images,
    size,
    interpolation="bilinear",
    antialias=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    fill_mode="constant",
    fill_value=0.0,
    data_format=None,
):
    """`images` (a batch, or one image) resized to `size = (height, width)`.

    Half-pixel sampling (TensorFlow's and Keras's convention); `interpolation` is one of
    bilinear, nearest, bicubic, area. `crop_to_aspect_ratio` first crops the largest
    centred box of the target's aspect ratio; `pad_to_aspect_ratio` first pads with
    `fill_value` to it. Integer images are rounded back to their dtype.
    """
    if interpolation not in RESIZE_MODES:
        raise ValueError(
            f"Invalid value for argument `interpolation`. Expected of one {set(RESIZE_MODES)}. Received: "
            f"interpolation={interpolation!r}"
        )
    if fill_mode != "constant":
        raise ValueError(
            f"Invalid value for argument `fill_mode`. Only `'constant'` is supported. Received: fill_mode={fill_mode}"
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
    if len(size) != 2:
        raise ValueError(f"Argument `size` must be a tuple of two elements (height, width). Received: size={size}")
    images = to_tensor(images)
    check_image_rank(images)
    unbatched = images.ndim == 3
    x = images.unsqueeze(0) if unbatched else images
    out = resize_batch(
        x,
        tuple(int(s) for s in size),
        interpolation,
        antialias,
        crop_to_aspect_ratio,
        pad_to_aspect_ratio,
        fill_value,
        data_format_of(data_format),
    )
    if out.dtype != images.dtype:
        if images.dtype.is_floating_point:
            out = out.to(images.dtype)
        else:
            info = torch.iinfo(images.dtype)
            out = out.round().clamp(info.min, info.max).to(images.dtype)
    return out.squeeze(0) if unbatched else out


@keras_op
def rgb_to_grayscale(images, data_format=None):
    """Luminance (0.2989 R + 0.5870 G + 0.1140 B), keeping a channel axis of size 1."""
    images = default_float(to_tensor(images))
    channel_axis = -1 if (data_format or state.image_data_format()) == "channels_last" else -3
    weights = torch.tensor([0.2989, 0.5870, 0.1140], dtype=images.dtype, device=images.device)
    shape = [1] * images.ndim
    shape[channel_axis] = 3
    return torch.sum(images * weights.reshape(shape), dim=channel_axis, keepdim=True)


def _check_hsv_input(images: torch.Tensor, data_format: str) -> int:
    check_image_rank(images)
    if not images.is_floating_point():
        raise ValueError(f"Invalid images dtype: expected float dtype. Received: images.dtype={images.dtype}")
    channel_axis = -1 if data_format == "channels_last" else -3
    if images.shape[channel_axis] != 3:
        raise ValueError(
            f"Input images must have 3 channels, but received images with {images.shape[channel_axis]} channels."
        )
    return channel_axis


@keras_op
def rgb_to_hsv(images, data_format=None):
    """RGB in [0, 1] to HSV, every component in [0, 1] (hue 0 red, 1/3 green, 2/3 blue)."""
    data_format = data_format_of(data_format)
    images = to_tensor(images)
    channel_axis = _check_hsv_input(images, data_format)
    eps = torch.finfo(images.dtype).eps
    images = torch.where(torch.abs(images) < eps, torch.zeros_like(images), images)
    red, green, blue = images.unbind(channel_axis)
    value = torch.maximum(torch.maximum(red, green), blue)
    spread = value - torch.minimum(torch.minimum(red, green), blue)
    one = torch.ones_like(value)
    saturation = torch.where(value > 0, spread / torch.where(value > 0, value, one), torch.zeros_like(value))
    norm = 1.0 / (6.0 * torch.where(spread > 0, spread, one))
    hue = torch.where(value == green, norm * (blue - red) + 2.0 / 6.0, norm * (red - green) + 4.0 / 6.0)
    hue = torch.where(value == red, norm * (green - blue), hue)
    hue = torch.where(spread > 0, hue, torch.zeros_like(hue)) + (hue < 0.0).to(hue.dtype)
    return torch.stack([hue, saturation, value], dim=channel_axis)


@keras_op
def hsv_to_rgb(images, data_format=None):
    """HSV (components in [0, 1]) back to RGB."""
    data_format = data_format_of(data_format)
    images = to_tensor(images)
    channel_axis = _check_hsv_input(images, data_format)
    hue, saturation, value = images.unbind(channel_axis)
    sector = torch.remainder(hue, 1.0) * 6.0
    red_part = torch.clamp(torch.abs(sector - 3.0) - 1.0, 0.0, 1.0)
    green_part = torch.clamp(2.0 - torch.abs(sector - 2.0), 0.0, 1.0)
    blue_part = torch.clamp(2.0 - torch.abs(sector - 4.0), 0.0, 1.0)
    grey = 1.0 - saturation
    planes = [value * (grey + saturation * part) for part in (red_part, green_part, blue_part)]
    return torch.stack(planes, dim=channel_axis)


def _complete_box(name, start, end, target, size):
    """Two of (start, end, target) given -> (start, target); checks they are >= 0."""
    given = {f"{name[0]}": start, f"{name[1]}": end, f"{name[2]}": target}
    if [start, end, target].count(None) != 1:
        listed = ", ".join(f"{k}={v}" for k, v in given.items())
        raise ValueError(f"Must specify exactly two of {', '.join(given)}. Received: {listed}")
    for key, value in given.items():
        if value is not None and value < 0:
            raise ValueError(f"{key} must be >= 0. Received: {key}={value}")
    return start, end, target


def _image_size(images, data_format):
    check_image_rank(images)
    if data_format == "channels_last":
        return images.shape[-3], images.shape[-2], (-3, -2)
    return images.shape[-2], images.shape[-1], (-2, -1)


def _non_negative(**values):
    for key, value in values.items():
        if value < 0:
            raise ValueError(f"{key} must be >= 0. Received: {key}={value}")


@keras_op
def pad_images(
    images,
    top_padding=None,
    left_padding=None,
    bottom_padding=None,
    right_padding=None,
    target_height=None,
    target_width=None,
    data_format=None,
):
    """Zero-pad images: give two of (top_padding, bottom_padding, target_height) and two
    of (left_padding, right_padding, target_width)."""
    data_format = data_format_of(data_format)
    images = to_tensor(images)
    height, width, _ = _image_size(images, data_format)
    top, bottom, target_height = _complete_box(
        ("top_padding", "bottom_padding", "target_height"), top_padding, bottom_padding, target_height, height
    )
    left, right, target_width = _complete_box(
        ("left_padding", "right_padding", "target_width"), left_padding, right_padding, target_width, width
    )
    top = target_height - bottom - height if top is None else top
    bottom = target_height - top - height if bottom is None else bottom
    left = target_width - right - width if left is None else left
    right = target_width - left - width if right is None else right
    _non_negative(top_padding=top, left_padding=left, right_padding=right, bottom_padding=bottom)
    pads = (0, 0, left, right, top, bottom) if data_format == "channels_last" else (left, right, top, bottom)
    return F.pad(images, pads)


@keras_op
def crop_images(
    images,
    top_cropping=None,
    left_cropping=None,
    bottom_cropping=None,
    right_cropping=None,
    target_height=None,
    target_width=None,
    data_format=None,
):
    """Crop images: give two of (top_cropping, bottom_cropping, target_height) and two of
    (left_cropping, right_cropping, target_width)."""
    data_format = data_format_of(data_format)
    images = to_tensor(images)
    height, width, (h_axis, w_axis) = _image_size(images, data_format)
    top, bottom, target_height = _complete_box(
        ("top_cropping", "bottom_cropping", "target_height"), top_cropping, bottom_cropping, target_height, height
    )
    left, right, target_width = _complete_box(
        ("left_cropping", "right_cropping", "target_width"), left_cropping, right_cropping, target_width, width
    )
    top = height - target_height - bottom if top is None else top
    target_height = height - bottom - top if target_height is None else target_height
    left = width - target_width - right if left is None else left
    target_width = width - right - left if target_width is None else target_width
    _non_negative(top_cropping=top, target_height=target_height, left_cropping=left, target_width=target_width)
    if top + target_height > height or left + target_width > width:
        raise ValueError(
            f"The crop box (top={top}, left={left}, height={target_height}, width={target_width}) does not fit "
            f"in images of height {height} and width {width}."
        )
    return images.narrow(h_axis, top, target_height).narrow(w_axis, left, target_width)


def _same_pads(size, kernel, stride, dilation):
    """TensorFlow's 'same' padding of one axis (the extra pixel at the end)."""
    effective = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def _patches(images, size, strides, dilation_rate, padding, data_format):
    """Patches of a channels-last/first batch (rank = len(size) + 2), each flattened in
    (*patch offsets, channel) order: what a convolution with an identity kernel gives."""
    rank = len(size)
    strides = (strides,) * rank if isinstance(strides, int) else tuple(strides)
    dilation = (dilation_rate,) * rank if isinstance(dilation_rate, int) else tuple(dilation_rate)
    if len(strides) != rank or len(dilation) != rank:
        raise ValueError(
            f"Invalid `strides` / `dilation_rate` for {rank}D patches. Received: strides={strides}, "
            f"dilation_rate={dilation_rate}"
        )
    if padding not in ("valid", "same"):
        raise ValueError(f"`padding` must be 'valid' or 'same'. Received: padding={padding}")
    x = images.movedim(-1, 1) if data_format == "channels_last" else images
    if padding == "same":
        pads = []
        for axis in reversed(range(rank)):
            pads.extend(_same_pads(x.shape[2 + axis], size[axis], strides[axis], dilation[axis]))
        x = F.pad(x, pads)
    for axis in range(rank):
        span = (size[axis] - 1) * dilation[axis] + 1
        if x.shape[2 + axis] < span:
            raise ValueError(
                f"The patch size {tuple(size)} (dilated) does not fit in the input's spatial shape "
                f"{tuple(images.shape)}."
            )
        x = x.unfold(2 + axis, span, strides[axis])[..., :: dilation[axis]]
    # (N, C, *out, *patch) -> (N, *out, *patch, C) -> (N, *out, prod(patch) * C)
    x = x.permute(0, *range(2, 2 + rank), *range(2 + rank, 2 + 2 * rank), 1)
    x = x.reshape(*x.shape[: 1 + rank], -1)
    return x if data_format == "channels_last" else x.movedim(-1, 1)


def _run_patches(images, size, strides, dilation_rate, padding, data_format, rank):
    images = to_tensor(images)
    if images.ndim not in (rank + 1, rank + 2):
        raise ValueError(
            f"Invalid input rank for {rank}D patches: expected {rank + 1} (unbatched) or {rank + 2} (batched). "
            f"Received: shape={tuple(images.shape)}"
        )
    unbatched = images.ndim == rank + 1
    x = images.unsqueeze(0) if unbatched else images
    out = _patches(x, size, strides, dilation_rate, padding, data_format)
    return out.squeeze(0) if unbatched else out


@keras_op
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Patches of images (`size` an int or a pair) or volumes (`size` a triple), each
    flattened into the channel axis: `(batch, rows, cols, patch_h * patch_w * channels)`
    for channels-last images. `strides` defaults to `size` (non-overlapping patches)."""
    if not isinstance(size, int):
        if not isinstance(size, (tuple, list)):
            raise TypeError(
                "Invalid `size` argument. Expected an int or a tuple. "
                f"Received: size={size} of type {type(size).__name__}"
            )
        if len(size) not in (2, 3):
            raise ValueError(
                f"Invalid `size` argument. Expected a tuple of length 2 or 3. Received: size={size} "
                f"with length {len(size)}"
            )
    data_format = data_format_of(data_format)
    if not isinstance(size, int) and len(size) == 3:
        return _run_patches(
            images, tuple(size), size if strides is None else strides, dilation_rate, padding, data_format, 3
        )
    size = (size, size) if isinstance(size, int) else tuple(size)
    return _run_patches(images, size, strides or size, dilation_rate, padding, data_format, 2)


@keras_op
def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Patches of volumes `(batch, depth, height, width, channels)` (or unbatched), each
    flattened into the channel axis; `size` an int or a triple, `strides` defaults to it."""
    size = (size,) * 3 if isinstance(size, int) else tuple(size)
    if len(size) != 3:
        raise TypeError(f"Invalid `size` argument. Expected an int or a tuple of length 3. Received: size={size}")
    strides = size if strides is None else strides
    if not isinstance(strides, int) and len(strides) != 3:
        raise ValueError(f"Invalid `strides` argument. Got: {strides}")
    return _run_patches(volumes, size, strides, dilation_rate, padding, data_format_of(data_format), 3)
