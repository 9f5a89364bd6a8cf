"""`keras.ops.image` resampling: map_coordinates, affine_transform, perspective_transform,
elastic_transform, scale_and_translate.

Sampling follows Keras 3's torch backend: `nearest` rounds half to even, `bilinear`
weighs the four neighbours; points outside the image are filled per `fill_mode`
(constant with `fill_value`, nearest, wrap, mirror, reflect); integer images are rounded
back to their dtype.
"""

from __future__ import annotations

import itertools

import torch

from keraslite.ops.dispatch import keras_op, to_tensor
from keraslite.ops.image_filters import check_image_rank, data_format_of, gaussian_blur

INTERPOLATIONS = {"nearest": 0, "bilinear": 1}
FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _mirror(index, size):
    period = size - 1
    if period == 0:
        return torch.zeros_like(index)
    return torch.abs(torch.remainder(index + period, 2 * period) - period)


def _reflect(index, size):
    return torch.div(_mirror(2 * index + 1, 2 * size + 1) - 1, 2, rounding_mode="floor")


def fix_index(index: torch.Tensor, size: int, fill_mode: str) -> torch.Tensor:
    """An index brought inside [0, size) the way `fill_mode` extends the input."""
    if fill_mode in ("constant", "nearest"):
        return index.clamp(0, size - 1)
    if fill_mode == "wrap":
        return torch.remainder(index, size)
    if fill_mode == "mirror":
        return _mirror(index, size)
    return _reflect(index, size)


def _check_interpolation_and_fill(interpolation, fill_mode):
    if interpolation not in INTERPOLATIONS:
        raise ValueError(
            "Invalid value for argument `interpolation`. Expected of one "
            f"{set(INTERPOLATIONS)}. Received: interpolation={interpolation}"
        )
    if fill_mode not in FILL_MODES:
        raise ValueError(
            f"Invalid value for argument `fill_mode`. Expected of one {set(FILL_MODES)}. "
            f"Received: fill_mode={fill_mode}"
        )


def _round_back(values: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    if dtype.is_floating_point or values.dtype == dtype:
        return values.to(dtype)
    info = torch.iinfo(dtype) if dtype != torch.bool else None
    values = values.round()
    return (values.clamp(info.min, info.max) if info else values).to(dtype)


def sample_nhwc(images, src_y, src_x, interpolation="bilinear", fill_mode="constant", fill_value=0.0):
    """Sample a batch `images` (N, H, W, C) at source points `src_y`, `src_x` (N, H', W').

    Returns (N, H', W', C) in the compute dtype (the images' float dtype, else float32);
    callers round integer images back with `_round_back`.
    """
    batch, height, width, channels = images.shape
    out_h, out_w = src_y.shape[-2:]
    compute_dtype = images.dtype if images.is_floating_point() else torch.float32
    flat = images.reshape(batch, height * width, channels).to(compute_dtype)
    if interpolation == "nearest":
        corners = [(torch.round(src_y).long(), torch.round(src_x).long(), None)]
    else:
        y0, x0 = torch.floor(src_y), torch.floor(src_x)
        wy1, wx1 = (src_y - y0).to(compute_dtype), (src_x - x0).to(compute_dtype)
        y0, x0 = y0.long(), x0.long()
        corners = [
            (y0, x0, (1 - wy1) * (1 - wx1)),
            (y0, x0 + 1, (1 - wy1) * wx1),
            (y0 + 1, x0, wy1 * (1 - wx1)),
            (y0 + 1, x0 + 1, wy1 * wx1),
        ]
    output = None
    for iy, ix, weight in corners:
        index = fix_index(iy, height, fill_mode) * width + fix_index(ix, width, fill_mode)
        values = torch.gather(flat, 1, index.reshape(batch, -1, 1).expand(-1, -1, channels))
        values = values.view(batch, out_h, out_w, channels)
        if fill_mode == "constant":
            inside = ((iy >= 0) & (iy < height) & (ix >= 0) & (ix < width)).unsqueeze(-1)
            values = torch.where(inside, values, torch.as_tensor(fill_value, dtype=compute_dtype, device=values.device))
        term = values if weight is None else values * weight.unsqueeze(-1)
        output = term if output is None else output + term
    return output


def _batched_nhwc(images, data_format):
    unbatched = images.ndim == 3
    x = images.unsqueeze(0) if unbatched else images
    return (x if data_format == "channels_last" else x.permute(0, 2, 3, 1)), unbatched


def _unbatched_layout(x, data_format, unbatched):
    x = x if data_format == "channels_last" else x.permute(0, 3, 1, 2)
    return x.squeeze(0) if unbatched else x


@keras_op
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample `inputs` at `coordinates` (one array of positions per input axis) with
    nearest (`order=0`) or linear (`order=1`) interpolation."""
    inputs = to_tensor(inputs)
    coordinates = [to_tensor(c) for c in coordinates]
    if len(coordinates) != inputs.ndim:
        raise ValueError(
            "First dim of `coordinates` must be the same as the rank of `inputs`. Received inputs with shape: "
            f"{tuple(inputs.shape)} and coordinate leading dim of {len(coordinates)}"
        )
    if coordinates[0].ndim < 1:
        raise ValueError(
            "Invalid coordinates rank: expected at least rank 2. Received input with shape: "
            f"{(len(coordinates),) + tuple(coordinates[0].shape)}"
        )
    if fill_mode not in FILL_MODES:
        raise ValueError(
            f"Invalid value for argument `fill_mode`. Expected one of {set(FILL_MODES)}. "
            f"Received: fill_mode={fill_mode}"
        )
    if order not in (0, 1):
        raise NotImplementedError(f"map_coordinates currently requires order<=1. Received: order={order}")
    is_integer = not inputs.is_floating_point() and not inputs.is_complex()
    per_axis = []
    for coordinate, size in zip(coordinates, inputs.shape):
        coordinate = coordinate.to(inputs.device)
        if order == 0:
            rounded = coordinate if not coordinate.is_floating_point() else torch.round(coordinate)
            nodes = [(rounded.long(), None)]
        else:
            lower = torch.floor(coordinate)
            upper_weight = coordinate - lower
            nodes = [(lower.long(), 1 - upper_weight), (lower.long() + 1, upper_weight)]
        per_axis.append([(fix_index(i, size, fill_mode), (i >= 0) & (i < size), w) for i, w in nodes])
    result = None
    for combination in itertools.product(*per_axis):
        indices = tuple(c[0] for c in combination)
        values = inputs[indices]
        if fill_mode == "constant":
            valid = combination[0][1]
            for c in combination[1:]:
                valid = valid & c[1]
            values = torch.where(valid, values, torch.as_tensor(fill_value, dtype=values.dtype, device=values.device))
        weight = None
        for c in combination:
            if c[2] is not None:
                weight = c[2] if weight is None else weight * c[2]
        term = values if weight is None else weight * values
        result = term if result is None else result + term
    if is_integer and result.is_floating_point():
        result = torch.round(result)
    return result.to(inputs.dtype)


@keras_op
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0, data_format=None):
    """Warp images by projective transforms `[a0, a1, a2, b0, b1, b2, c0, c1]` (one, or
    one per image): output pixel (x, y) samples the input at
    (a0 x + a1 y + a2, b0 x + b1 y + b2). As in Keras's torch backend, c0 and c1 are taken
    as 0."""
    data_format = data_format_of(data_format)
    _check_interpolation_and_fill(interpolation, fill_mode)
    images, transform = to_tensor(images), to_tensor(transform)
    check_image_rank(images)
    if transform.ndim not in (1, 2):
        raise ValueError(
            "Invalid transform rank: expected rank 1 (single transform) or rank 2 (batch of transforms). "
            f"Received input with shape: transform.shape={tuple(transform.shape)}"
        )
    x, unbatched = _batched_nhwc(images, data_format)
    batch, height, width, _ = x.shape
    transform = transform.to(x.device)
    if not transform.is_floating_point():
        transform = transform.to(torch.float32)
    transform = transform.reshape(-1, 8).expand(batch, 8)
    ys = torch.arange(height, device=x.device, dtype=transform.dtype).view(1, height, 1)
    xs = torch.arange(width, device=x.device, dtype=transform.dtype).view(1, 1, width)
    t = transform.reshape(batch, 8, 1, 1)
    src_x = t[:, 0] * xs + t[:, 1] * ys + t[:, 2]
    src_y = t[:, 3] * xs + t[:, 4] * ys + t[:, 5]
    out = sample_nhwc(x, src_y, src_x, interpolation, fill_mode, fill_value)
    return _unbatched_layout(_round_back(out, images.dtype), data_format, unbatched)


def compute_homography(start_points: torch.Tensor, end_points: torch.Tensor) -> torch.Tensor:
    """(N, 8) transforms mapping each output (end) point to its input (start) point."""
    rows, targets = [], []
    zeros = torch.zeros_like(end_points[:, 0, 0])
    ones = torch.ones_like(zeros)
    for k in range(4):
        sx, sy = start_points[:, k, 0], start_points[:, k, 1]
        ex, ey = end_points[:, k, 0], end_points[:, k, 1]
        rows.append(torch.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], dim=-1))
        rows.append(torch.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], dim=-1))
        targets.extend([sx, sy])
    matrix = torch.stack(rows, dim=1)
    target = torch.stack(targets, dim=-1).unsqueeze(-1)
    solve_dtype = torch.promote_types(matrix.dtype, torch.float32)
    solution = torch.linalg.solve(matrix.to(solve_dtype), target.to(solve_dtype))
    return solution.reshape(-1, 8).to(matrix.dtype)


def _check_points(points, name):
    if tuple(points.shape[-2:]) != (4, 2) or points.ndim not in (2, 3):
        raise ValueError(
            f"Invalid {name} shape: expected (4,2) for a single image or (N,4,2) for a batch. "
            f"Received shape: {tuple(points.shape)}"
        )


@keras_op
def perspective_transform(images, start_points, end_points, interpolation="bilinear", fill_value=0, data_format=None):
    """Warp images so that the four `start_points` (x, y) land on `end_points`
    (constant fill outside the source image)."""
    data_format = data_format_of(data_format)
    _check_interpolation_and_fill(interpolation, "constant")
    images = to_tensor(images)
    check_image_rank(images)
    float_dtype = images.dtype if images.is_floating_point() else torch.float32
    start_points = to_tensor(start_points).to(device=images.device, dtype=float_dtype)
    end_points = to_tensor(end_points).to(device=images.device, dtype=float_dtype)
    _check_points(start_points, "start_points")
    _check_points(end_points, "end_points")
    if start_points.shape != end_points.shape:
        raise ValueError(
            "start_points and end_points must have the same shape. Received "
            f"start_points.shape={tuple(start_points.shape)}, end_points.shape={tuple(end_points.shape)}"
        )
    x, unbatched = _batched_nhwc(images, data_format)
    batch, height, width, _ = x.shape
    transforms = compute_homography(start_points.reshape(-1, 4, 2), end_points.reshape(-1, 4, 2))
    transforms = transforms.expand(batch, 8).reshape(batch, 8, 1, 1)
    ys = torch.arange(height, device=x.device, dtype=float_dtype).view(1, height, 1)
    xs = torch.arange(width, device=x.device, dtype=float_dtype).view(1, 1, width)
    t = transforms
    denominator = t[:, 6] * xs + t[:, 7] * ys + 1.0
    src_x = (t[:, 0] * xs + t[:, 1] * ys + t[:, 2]) / denominator
    src_y = (t[:, 3] * xs + t[:, 4] * ys + t[:, 5]) / denominator
    out = sample_nhwc(x, src_y, src_x, interpolation, "constant", fill_value)
    return _unbatched_layout(_round_back(out, images.dtype), data_format, unbatched)


@keras_op
def elastic_transform(
    images,
    alpha=20.0,
    sigma=5.0,
    interpolation="bilinear",
    fill_mode="reflect",
    fill_value=0.0,
    seed=None,
    data_format=None,
):
    """Elastic deformation: each pixel moves by `alpha` times a Gaussian-smoothed (std
    `sigma`) field of standard-normal displacements.

    The displacements come from torch's global generator when `seed` is None (as Keras's
    torch backend, which also ignores an integer seed; so `torch.manual_seed` reproduces
    Keras's draws); an integer `seed` gives a generator of its own (repeatable calls).
    """
    data_format = data_format_of(data_format)
    _check_interpolation_and_fill(interpolation, fill_mode)
    images = to_tensor(images)
    check_image_rank(images)
    x, unbatched = _batched_nhwc(images, data_format)
    batch, height, width, _ = x.shape
    float_dtype = images.dtype if images.is_floating_point() else torch.float32
    generator = None
    if isinstance(seed, int):
        generator = torch.Generator(device=x.device)
        generator.manual_seed(seed)
    sigma, alpha = float(sigma), float(alpha)
    kernel = int(6 * sigma) | 1
    displacements = []
    for _ in range(2):  # dx, then dy (Keras's draw order)
        noise = torch.normal(
            0.0, 1.0, size=(batch, height, width), generator=generator, dtype=float_dtype, device=x.device
        )
        smooth = gaussian_blur(noise.unsqueeze(-1) * sigma, (kernel, kernel), (sigma, sigma), "channels_last")
        displacements.append(smooth.squeeze(-1))
    dx, dy = displacements
    ys = torch.arange(height, device=x.device).view(1, height, 1)
    xs = torch.arange(width, device=x.device).view(1, 1, width)
    out = sample_nhwc(x, ys + alpha * dy, xs + alpha * dx, interpolation, fill_mode, fill_value)
    return _unbatched_layout(_round_back(out, images.dtype), data_format, unbatched)


def _triangle(x):
    return torch.clamp(1 - torch.abs(x), min=0)


def _keys_cubic(x):
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = torch.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return torch.where(x >= 2.0, torch.zeros_like(out), out)


def _lanczos(radius):
    def kernel(x):
        y = radius * torch.sin(torch.pi * x) * torch.sin(torch.pi * x / radius)
        safe = torch.where(x != 0, torch.pi**2 * x**2, torch.ones_like(x))
        out = torch.where(x > 1e-3, y / safe, torch.ones_like(x))
        return torch.where(x > radius, torch.zeros_like(out), out)

    return kernel


_SCALE_KERNELS = {
    "linear": _triangle,
    "bilinear": _triangle,
    "trilinear": _triangle,
    "cubic": _keys_cubic,
    "bicubic": _keys_cubic,
    "tricubic": _keys_cubic,
    "lanczos3": _lanczos(3.0),
    "lanczos5": _lanczos(5.0),
}


def _resample_weights(input_size, output_size, scale, translation, kernel, antialias):
    """(input_size, output_size) weights of one axis (JAX's scale_and_translate rule)."""
    inv_scale = 1.0 / scale
    kernel_scale = torch.clamp(inv_scale, min=1.0) if antialias else 1.0
    positions = torch.arange(output_size, dtype=scale.dtype, device=scale.device)
    sample = (positions + 0.5) * inv_scale - translation * inv_scale - 0.5
    sources = torch.arange(input_size, dtype=scale.dtype, device=scale.device)
    weights = kernel(torch.abs(sample[None, :] - sources[:, None]) / kernel_scale)
    total = weights.sum(dim=0, keepdim=True)
    tiny = 1000.0 * float(torch.finfo(torch.float32).eps)
    safe_total = torch.where(total != 0, total, torch.ones_like(total))
    weights = torch.where(torch.abs(total) > tiny, weights / safe_total, torch.zeros_like(weights))
    inside = (sample >= -0.5) & (sample <= input_size - 0.5)
    return torch.where(inside[None, :], weights, torch.zeros_like(weights))


@keras_op
def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method, antialias=True):
    """Resample `images` along `spatial_dims` to `output_shape`, each axis scaled by
    `scale` and shifted by `translation` (JAX's `jax.image.scale_and_translate`)."""
    if method not in _SCALE_KERNELS:
        raise ValueError(
            f"Invalid value for argument `method`. Expected of one {set(_SCALE_KERNELS)}. Received: method={method}"
        )
    images = to_tensor(images)
    scale, translation = to_tensor(scale), to_tensor(translation)
    dtype = torch.promote_types(scale.dtype, translation.dtype)
    if not dtype.is_floating_point:
        dtype = torch.float32
    scale = scale.to(device=images.device, dtype=dtype)
    translation = translation.to(device=images.device, dtype=dtype)
    if len(spatial_dims) == 0:
        return images
    use_rounding = not images.is_floating_point()
    output = images.to(torch.float32) if use_rounding else images
    for i, axis in enumerate(spatial_dims):
        axis = axis % images.ndim
        weights = _resample_weights(
            images.shape[axis], int(output_shape[axis]), scale[i], translation[i], _SCALE_KERNELS[method], antialias
        ).to(output.dtype)
        output = torch.tensordot(output, weights, dims=([axis], [0])).movedim(-1, axis)
    if use_rounding:
        output = torch.clamp(torch.round(output), images.min(), images.max()).to(images.dtype)
    return output
