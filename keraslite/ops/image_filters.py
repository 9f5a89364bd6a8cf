"""`keras.ops.image` filters: gaussian_blur, sobel_edges, ssim (depthwise convolutions in
NCHW, Keras 3's torch-backend arithmetic), and the layout helpers the image ops share."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from keraslite.backend import state
from keraslite.ops.dispatch import keras_op, to_tensor

_DATA_FORMATS = ("channels_last", "channels_first")


def data_format_of(data_format) -> str:
    """`data_format`, or the global `image_data_format()` when None, checked."""
    data_format = state.image_data_format() if data_format is None else str(data_format).lower()
    if data_format not in _DATA_FORMATS:
        raise ValueError(
            f"The `data_format` argument must be one of {_DATA_FORMATS}. Received: data_format={data_format}"
        )
    return data_format


def check_image_rank(images: torch.Tensor, name: str = "images") -> None:
    if images.ndim not in (3, 4):
        raise ValueError(
            f"Invalid {name} rank: expected rank 3 (single image) or rank 4 (batch of images). "
            f"Received input with shape: {name}.shape={tuple(images.shape)}"
        )


def to_nchw_batch(images: torch.Tensor, data_format: str) -> tuple[torch.Tensor, bool]:
    """A rank-4 NCHW view of a (batch of) image(s), and whether a batch axis was added."""
    unbatched = images.ndim == 3
    x = images.unsqueeze(0) if unbatched else images
    return (x.permute(0, 3, 1, 2) if data_format == "channels_last" else x), unbatched


def from_nchw_batch(x: torch.Tensor, data_format: str, unbatched: bool) -> torch.Tensor:
    x = x.permute(0, 2, 3, 1) if data_format == "channels_last" else x
    return x.squeeze(0) if unbatched else x


def _gaussian_1d(size: int, sigma, dtype, device) -> torch.Tensor:
    x = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    kernel = torch.exp(-0.5 * (x / sigma) ** 2)
    return kernel / kernel.sum()


def _pair(value, name):
    if isinstance(value, torch.Tensor):
        value = value.tolist()
    if isinstance(value, (int, float)):
        return value, value
    if len(value) != 2:
        raise ValueError(f"`{name}` must be a number or a pair of numbers. Received: {name}={value}")
    return value[0], value[1]


@keras_op
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur images with a Gaussian kernel (zero padding, output the input's size).

    As in Keras 3, `kernel_size[0]` and `sigma[0]` act along the width and
    `kernel_size[1]`, `sigma[1]` along the height.
    """
    data_format = data_format_of(data_format)
    images = to_tensor(images)
    check_image_rank(images)
    size_x, size_y = (int(s) for s in _pair(kernel_size, "kernel_size"))
    sigma_x, sigma_y = _pair(sigma, "sigma")
    x, unbatched = to_nchw_batch(images, data_format)
    channels = x.shape[1]
    kernel_x = _gaussian_1d(size_x, float(sigma_x), x.dtype, x.device)
    kernel_y = _gaussian_1d(size_y, float(sigma_y), x.dtype, x.device)
    kernel = torch.outer(kernel_y, kernel_x).expand(channels, 1, size_y, size_x)
    out = F.conv2d(x, kernel, padding=(size_y // 2, size_x // 2), groups=channels)
    return from_nchw_batch(out, data_format, unbatched)


@keras_op
def sobel_edges(images, data_format=None):
    """Sobel gradients of a batch of images: the input's shape plus a last axis of size 2
    holding (d/dy, d/dx) per channel (zero padding at the borders)."""
    data_format = data_format_of(data_format)
    images = to_tensor(images)
    if images.ndim != 4:
        raise ValueError(
            f"Invalid images rank: expected rank 4 (batch of images). Received: images.shape={list(images.shape)}"
        )
    x = images.permute(0, 3, 1, 2) if data_format == "channels_last" else images
    channels = x.shape[1]
    along_x = torch.tensor([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=x.dtype, device=x.device)
    kernels = torch.stack([along_x.T, along_x])  # d/dy first, then d/dx
    weight = kernels.unsqueeze(1).repeat(channels, 1, 1, 1)  # (2C, 1, 3, 3): per channel [dy, dx]
    edges = F.conv2d(x.repeat_interleave(2, dim=1), weight, padding=1, groups=2 * channels)
    edges = edges.unflatten(1, (channels, 2)).movedim(2, -1)  # (N, C, H, W, 2)
    return edges.permute(0, 2, 3, 1, 4) if data_format == "channels_last" else edges


@keras_op
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, data_format=None):
    """Structural similarity of two images (or batches): the mean over the valid
    Gaussian-filtered SSIM map and over channels; a scalar per image."""
    data_format = data_format_of(data_format)
    image1, image2 = to_tensor(image1), to_tensor(image2)
    check_image_rank(image1, "image1")
    check_image_rank(image2, "image2")
    original_dtype = image1.dtype
    compute_dtype = image1.dtype if image1.is_floating_point() else torch.float32
    a, unbatched = to_nchw_batch(image1.to(compute_dtype), data_format)
    b, _ = to_nchw_batch(image2.to(compute_dtype).to(a.device), data_format)
    batch, channels, height, width = a.shape
    a = a.reshape(batch * channels, 1, height, width)
    b = b.reshape(batch * channels, 1, height, width)
    x = torch.arange(filter_size, dtype=compute_dtype, device=a.device) - (filter_size - 1) / 2.0
    gauss = torch.exp(-(x**2) / (2.0 * filter_sigma**2))
    gauss = gauss / gauss.sum()
    kernel = torch.outer(gauss, gauss).view(1, 1, filter_size, filter_size)

    def blur(values):
        return F.conv2d(values, kernel)

    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mu1, mu2 = blur(a), blur(b)
    mu1_sq, mu2_sq, mu1_mu2 = mu1 * mu1, mu2 * mu2, mu1 * mu2
    sigma1_sq = blur(a * a) - mu1_sq
    sigma2_sq = blur(b * b) - mu2_sq
    sigma12 = blur(a * b) - mu1_mu2
    ssim_map = ((2.0 * mu1_mu2 + c1) * (2.0 * sigma12 + c2)) / ((mu1_sq + mu2_sq + c1) * (sigma1_sq + sigma2_sq + c2))
    result = ssim_map.mean(dim=(1, 2, 3)).reshape(batch, channels).mean(dim=-1)
    result = result.squeeze(0) if unbatched else result
    return result.to(original_dtype)
