"""`tf.image`: resizing, flips, crops, color adjustments and conversions, patches, on
channels-last images (one image or a batch)."""

from __future__ import annotations

import torch

from keraslite import ops
from keraslite.compat.tensorflow.array_ops import tf_api
from keraslite.compat.tensorflow.gradient_tape import without_gradient

# TensorFlow has the image codecs in `tf.image` as well as in `tf.io`.
from keraslite.compat.tensorflow.io import decode_image as decode_image
from keraslite.compat.tensorflow.io import decode_jpeg as decode_jpeg
from keraslite.compat.tensorflow.io import decode_png as decode_png
from keraslite.compat.tensorflow.io import encode_jpeg as encode_jpeg
from keraslite.compat.tensorflow.io import encode_png as encode_png
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


class ResizeMethod:
    """`tf.image.ResizeMethod`: the interpolation names `resize` takes."""

    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


def _float_image(image):
    """`image` as floats, and the function that gives a result back in the input's dtype:
    integer images are worked on in [0, 1] and converted back with saturation, as
    TensorFlow's `convert_image_dtype` does."""
    image = to_tensor(image)
    if image.is_floating_point():
        return image, lambda out: out
    dtype = image.dtype
    limit = float(torch.iinfo(dtype).max)
    # Back to integers as TensorFlow does it: scaled by max + 0.5, then truncated.
    return image.to(torch.float32) / limit, lambda out: (out * (limit + 0.5)).clamp(0, limit).to(dtype)


def _uniform(low, high, seed=None):
    generator = None
    if seed is not None:
        generator = torch.Generator().manual_seed(int(seed[0] if isinstance(seed, (tuple, list)) else seed))
    return float(low + (high - low) * torch.rand((), generator=generator))


@tf_api
def adjust_brightness(image, delta):
    image, back = _float_image(image)
    return back(image + float(delta))


@tf_api
def adjust_contrast(images, contrast_factor):
    """Each channel moved away from (factor > 1) or toward its mean over the image. Like
    TensorFlow's `AdjustContrastv2`, it has no gradient."""
    originals = (images, contrast_factor)
    images, back = _float_image(images)
    mean = images.mean(dim=(-3, -2), keepdim=True)
    factor = contrast_factor if isinstance(contrast_factor, torch.Tensor) else float(contrast_factor)
    result = back((images - mean) * factor + mean)
    return without_gradient("AdjustContrastv2", result, *originals)


@tf_api
def adjust_gamma(image, gamma=1, gain=1):
    image, back = _float_image(image)
    return back(float(gain) * image ** float(gamma))


def _rgb_to_hsv(rgb):
    r, g, b = rgb.unbind(-1)
    maximum, _ = rgb.max(dim=-1)
    minimum, _ = rgb.min(dim=-1)
    delta = maximum - minimum
    safe = torch.where(delta > 0, delta, torch.ones_like(delta))
    hue = torch.where(
        maximum == r, ((g - b) / safe) % 6, torch.where(maximum == g, (b - r) / safe + 2, (r - g) / safe + 4)
    )
    hue = torch.where(delta > 0, hue / 6.0, torch.zeros_like(hue))
    saturation = torch.where(maximum > 0, delta / torch.where(maximum > 0, maximum, torch.ones_like(maximum)), 0.0)
    return torch.stack([hue, saturation, maximum], dim=-1)


def _hsv_to_rgb(hsv):
    h, s, v = hsv.unbind(-1)
    h6 = (h % 1.0) * 6.0

    def channel(n):
        k = (n + h6) % 6
        return v - v * s * torch.clamp(torch.minimum(k, 4 - k), 0, 1)

    return torch.stack([channel(5), channel(3), channel(1)], dim=-1)


@tf_api
def rgb_to_hsv(images):
    return _rgb_to_hsv(to_tensor(images).float())


@tf_api
def hsv_to_rgb(images):
    return _hsv_to_rgb(to_tensor(images).float())


@tf_api
def adjust_saturation(image, saturation_factor):
    image, back = _float_image(image)
    hsv = _rgb_to_hsv(image)
    hsv = torch.stack([hsv[..., 0], (hsv[..., 1] * float(saturation_factor)).clamp(0, 1), hsv[..., 2]], dim=-1)
    return back(_hsv_to_rgb(hsv))


@tf_api
def adjust_hue(image, delta):
    image, back = _float_image(image)
    hsv = _rgb_to_hsv(image)
    hsv = torch.stack([(hsv[..., 0] + float(delta)) % 1.0, hsv[..., 1], hsv[..., 2]], dim=-1)
    return back(_hsv_to_rgb(hsv))


@tf_api
def random_brightness(image, max_delta, seed=None):
    return adjust_brightness(image, _uniform(-max_delta, max_delta, seed))


@tf_api
def random_contrast(image, lower, upper, seed=None):
    return adjust_contrast(image, _uniform(lower, upper, seed))


@tf_api
def random_saturation(image, lower, upper, seed=None):
    return adjust_saturation(image, _uniform(lower, upper, seed))


@tf_api
def random_hue(image, max_delta, seed=None):
    return adjust_hue(image, _uniform(-max_delta, max_delta, seed))


@tf_api
def random_flip_up_down(image, seed=None):
    image = to_tensor(image)
    return torch.flip(image, (-3,)) if _uniform(0, 1, seed) < 0.5 else image


@tf_api
def stateless_random_flip_left_right(image, seed):
    return random_flip_left_right(image, seed=seed)


@tf_api
def stateless_random_flip_up_down(image, seed):
    return random_flip_up_down(image, seed=seed)


@tf_api
def stateless_random_brightness(image, max_delta, seed):
    return random_brightness(image, max_delta, seed=seed)


@tf_api
def stateless_random_contrast(image, lower, upper, seed):
    return random_contrast(image, lower, upper, seed=seed)


@tf_api
def stateless_random_saturation(image, lower, upper, seed):
    return random_saturation(image, lower, upper, seed=seed)


@tf_api
def stateless_random_hue(image, max_delta, seed):
    return random_hue(image, max_delta, seed=seed)


@tf_api
def random_crop(value, size, seed=None):
    """A crop of shape `size` at a random offset (`tf.image.random_crop`, `tf.random_crop`)."""
    value = to_tensor(value)
    size = [int(s) for s in (size.tolist() if isinstance(size, torch.Tensor) else size)]
    if len(size) != value.ndim:
        raise ValueError(f"`size` must have one entry per dimension of the value: {size} vs {tuple(value.shape)}")
    index = []
    for dim, want in zip(value.shape, size):
        if want > dim:
            raise ValueError(f"Need value.shape >= size, got value shape {tuple(value.shape)} and size {size}")
        start = int(_uniform(0, dim - want + 1, seed)) if dim > want else 0
        index.append(slice(start, start + want))
    return value[tuple(index)]


@tf_api
def stateless_random_crop(value, size, seed):
    return random_crop(value, size, seed=seed)


@tf_api
def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    image = to_tensor(image)
    return image[..., int(offset_height) : int(offset_height) + int(target_height),
                 int(offset_width) : int(offset_width) + int(target_width), :]  # fmt: skip


@tf_api
def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    image = to_tensor(image)
    height, width = image.shape[-3], image.shape[-2]
    bottom = int(target_height) - int(offset_height) - height
    right = int(target_width) - int(offset_width) - width
    if bottom < 0 or right < 0:
        raise ValueError("The image does not fit in the target box at that offset.")
    return torch.nn.functional.pad(image, (0, 0, int(offset_width), right, int(offset_height), bottom))


@tf_api
def central_crop(image, central_fraction):
    image = to_tensor(image)
    if not 0.0 < central_fraction <= 1.0:
        raise ValueError("central_fraction must be within (0, 1]")
    height, width = image.shape[-3], image.shape[-2]
    top = int((height - height * central_fraction) / 2)
    left = int((width - width * central_fraction) / 2)
    return image[..., top : height - top, left : width - left, :]


@tf_api
def resize_with_crop_or_pad(image, target_height, target_width):
    """Centered crop where the image is bigger, centered zero padding where smaller."""
    image = to_tensor(image)
    height, width = image.shape[-3], image.shape[-2]
    th, tw = int(target_height), int(target_width)
    top, left = max((height - th) // 2, 0), max((width - tw) // 2, 0)
    image = image[..., top : top + min(th, height), left : left + min(tw, width), :]
    pad_top, pad_left = max((th - height) // 2, 0), max((tw - width) // 2, 0)
    return torch.nn.functional.pad(
        image, (0, 0, pad_left, tw - image.shape[-2] - pad_left, pad_top, th - image.shape[-3] - pad_top)
    )


@tf_api
def resize_with_pad(image, target_height, target_width, method="bilinear", antialias=False):
    """Resized keeping the aspect ratio, then zero-padded (centered) to the target size."""
    image = to_tensor(image)
    height, width = image.shape[-3], image.shape[-2]
    scale = min(int(target_height) / height, int(target_width) / width)
    new_h, new_w = max(int(height * scale), 1), max(int(width * scale), 1)
    resized = to_tensor(ops.image.resize(image.float(), (new_h, new_w), interpolation=method, antialias=antialias))
    return resize_with_crop_or_pad(resized, target_height, target_width)


@tf_api
def rot90(image, k=1):
    return torch.rot90(to_tensor(image), int(k), dims=(-3, -2))


@tf_api
def transpose(image):
    return to_tensor(image).transpose(-3, -2)


@tf_api
def grayscale_to_rgb(images):
    images = to_tensor(images)
    return images.expand(*images.shape[:-1], 3).clone()


@tf_api
def per_image_standardization(image):
    """Each image to zero mean and unit variance (the deviation floored at 1/sqrt(N))."""
    image = to_tensor(image).float()
    axes = (-3, -2, -1)
    mean = image.mean(dim=axes, keepdim=True)
    count = image.shape[-1] * image.shape[-2] * image.shape[-3]
    std = image.std(dim=axes, keepdim=True, unbiased=False).clamp_min(1.0 / count**0.5)
    return (image - mean) / std


@tf_api
def total_variation(images):
    images = to_tensor(images).float()
    dh = (images[..., 1:, :, :] - images[..., :-1, :, :]).abs().sum(dim=(-3, -2, -1))
    dw = (images[..., :, 1:, :] - images[..., :, :-1, :]).abs().sum(dim=(-3, -2, -1))
    return dh + dw


@tf_api
def psnr(a, b, max_val):
    a, b = to_tensor(a).float(), to_tensor(b).float()
    mse = ((a - b) ** 2).mean(dim=(-3, -2, -1))
    return 20 * torch.log10(torch.as_tensor(float(max_val))) - 10 * torch.log10(mse)


@tf_api
def extract_patches(images, sizes, strides, rates, padding):
    """Patches of `sizes[1] x sizes[2]` pixels every `strides`, dilated by `rates`, each
    flattened (rows, columns, channels) on the last axis: (batch, out_rows, out_cols,
    size_rows * size_cols * channels)."""
    images = to_tensor(images)
    kh, kw = int(sizes[1]), int(sizes[2])
    sh, sw = int(strides[1]), int(strides[2])
    rh, rw = int(rates[1]), int(rates[2])
    batch, height, width, channels = images.shape
    nchw = images.permute(0, 3, 1, 2)
    if str(padding).upper() == "SAME":
        eff_h, eff_w = (kh - 1) * rh + 1, (kw - 1) * rw + 1
        out_h, out_w = -(-height // sh), -(-width // sw)
        pad_h = max((out_h - 1) * sh + eff_h - height, 0)
        pad_w = max((out_w - 1) * sw + eff_w - width, 0)
        nchw = torch.nn.functional.pad(nchw, (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2))
    columns = torch.nn.functional.unfold(nchw.float() if not nchw.is_floating_point() else nchw,
                                         (kh, kw), dilation=(rh, rw), stride=(sh, sw))  # fmt: skip
    out_h = (nchw.shape[2] - ((kh - 1) * rh + 1)) // sh + 1
    out_w = (nchw.shape[3] - ((kw - 1) * rw + 1)) // sw + 1
    # unfold gives (batch, channels * kh * kw, L) in (channel, row, col) order; TF wants (row, col, channel).
    patches = columns.reshape(batch, channels, kh * kw, out_h * out_w).permute(0, 3, 2, 1)
    return patches.reshape(batch, out_h, out_w, kh * kw * channels).to(images.dtype)
