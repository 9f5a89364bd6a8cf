"""`keras.utils.load_img / img_to_array / array_to_img / save_img` (also in
`keras.preprocessing.image`): image files <-> NumPy arrays, through Pillow."""

from __future__ import annotations

import io
import os
import warnings

import numpy as np
import torch
import torch.nn.functional as F

from keraslite.backend import state

_RESAMPLING = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil():
    try:  # Pillow loads on first use: importing keraslite stays fast
        from PIL import Image
    except ImportError as error:  # Pillow is a dependency; this guards broken installs.
        raise ImportError(
            "Could not import PIL.Image. Image file utilities require Pillow (`pip install pillow`)."
        ) from error
    return Image


def _data_format(data_format):
    data_format = data_format or state.image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            f'`data_format` must be "channels_first" or "channels_last". Received: data_format={data_format!r}'
        )
    return data_format


def array_to_img(x, data_format: str | None = None, scale: bool = True, dtype=None):
    """Converts a 3D array (height, width, channels) to a PIL Image.

    Args:
        x: Array-like image with 1, 3 or 4 channels.
        data_format: `"channels_last"` / `"channels_first"`; default `image_data_format()`.
        scale: Rescale values so that the minimum becomes 0 and the maximum 255.
        dtype: Dtype used for the conversion (default `floatx()`).
    """
    Image = _pil()
    x = np.array(x, dtype=dtype or state.floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if _data_format(data_format) == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        peak = np.max(x)
        if peak != 0:
            x = x / peak
        x = x * 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def img_to_array(img, data_format: str | None = None, dtype=None) -> np.ndarray:
    """Converts a PIL Image to a 3D NumPy array (`floatx()` by default), channels-last unless asked."""
    x = np.asarray(img, dtype=dtype or state.floatx())
    channels_first = _data_format(data_format) == "channels_first"
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if channels_first else x
    if x.ndim == 2:
        return x.reshape((1,) + x.shape) if channels_first else x.reshape(x.shape + (1,))
    raise ValueError(f"Unsupported image shape: {x.shape}")


def save_img(
    path, x, data_format: str | None = None, file_format: str | None = None, scale: bool = True, **kwargs
) -> None:
    """Saves an image array to a path or file object (format from the extension unless given)."""
    if file_format is None and isinstance(path, (str, os.PathLike)):
        file_format = os.path.splitext(os.fspath(path))[1][1:].lower() or None
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(
    path,
    color_mode: str = "rgb",
    target_size: tuple | None = None,
    interpolation: str = "nearest",
    keep_aspect_ratio: bool = False,
):
    """Loads an image file into a PIL Image.

    Args:
        path: Path to the image file (or an `io.BytesIO`).
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"`.
        target_size: `None` (original size) or `(height, width)`.
        interpolation: Resampling when resizing: `"nearest"`, `"bilinear"`, `"bicubic"`,
            `"hamming"`, `"box"` or `"lanczos"`.
        keep_aspect_ratio: Crop the centre to the target aspect ratio before resizing.
    """
    Image = _pil()
    if isinstance(path, io.BytesIO):
        img = Image.open(path)
    elif isinstance(path, (str, bytes, os.PathLike)):
        with open(path, "rb") as file:
            img = Image.open(io.BytesIO(file.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    modes = {"grayscale": ("L", "I;16", "I"), "rgba": ("RGBA",), "rgb": ("RGB",)}
    if color_mode not in modes:
        raise ValueError(f'color_mode must be "grayscale", "rgb", or "rgba". Received: color_mode={color_mode!r}')
    if img.mode not in modes[color_mode]:
        img = img.convert(modes[color_mode][0])
    if target_size is not None:
        size = (target_size[1], target_size[0])
        if img.size != size:
            if interpolation not in _RESAMPLING:
                raise ValueError(
                    f"Invalid interpolation method {interpolation} specified. Supported methods are "
                    f"{', '.join(_RESAMPLING)}"
                )
            resample = getattr(Image.Resampling, interpolation.upper())
            if keep_aspect_ratio:
                width, height = img.size
                crop_height = min(height, (width * size[1]) // size[0])
                crop_width = min(width, (height * size[0]) // size[1])
                top, left = (height - crop_height) // 2, (width - crop_width) // 2
                img = img.crop((left, top, left + crop_width, top + crop_height))
            img = img.resize(size, resample)
    return img


_SMART_RESIZE_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last", **kwargs):
    """Resize image(s) to `size` without distorting the aspect ratio: crop the largest
    centred box of the target aspect ratio, then resize it. `x` is `(height, width,
    channels)` or a batch of them (channels first with `data_format="channels_first"`);
    a NumPy input gives a NumPy output, a tensor a tensor."""
    kwargs.pop("backend_module", None)
    if kwargs:
        raise TypeError(f"smart_resize() got unexpected keyword arguments: {list(kwargs)}")
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    if interpolation not in _SMART_RESIZE_MODES:
        raise ValueError(
            f"smart_resize: `interpolation` must be one of {sorted(_SMART_RESIZE_MODES)}. "
            f"Received: interpolation={interpolation!r}"
        )
    images = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))
    if images.ndim not in (3, 4):
        raise ValueError(
            "Expected an image array with shape `(height, width, channels)`, or `(batch_size, height, width, "
            f"channels)`, but got input with incorrect rank, of shape {tuple(images.shape)}."
        )
    channels_last = data_format == "channels_last"
    height, width = images.shape[-3:-1] if channels_last else images.shape[-2:]
    target_height, target_width = size
    crop_height = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_width = max(min(width, int(float(height * target_width) / target_height)), 1)
    top, left = int(float(height - crop_height) / 2), int(float(width - crop_width) / 2)
    batched = images if images.ndim == 4 else images.unsqueeze(0)
    if channels_last:
        batched = batched[:, top : top + crop_height, left : left + crop_width, :].permute(0, 3, 1, 2)
    else:
        batched = batched[:, :, top : top + crop_height, left : left + crop_width]
    out_dtype = batched.dtype
    work = batched if out_dtype in (torch.float32, torch.float64) else batched.to(torch.float32)
    align = False if interpolation in ("bilinear", "bicubic") else None
    resized = F.interpolate(work, size=tuple(size), mode=_SMART_RESIZE_MODES[interpolation], align_corners=align)
    if interpolation == "bicubic" and out_dtype == torch.uint8:
        resized = resized.clamp(0, 255)
    if channels_last:
        resized = resized.permute(0, 2, 3, 1)
    if images.ndim == 3:
        resized = resized[0]
    if resized.dtype != out_dtype:
        if not out_dtype.is_floating_point:
            resized = torch.round(resized)  # round before casting back to integers, as Keras does
        resized = resized.to(out_dtype)
    return resized.numpy() if isinstance(x, np.ndarray) else resized
