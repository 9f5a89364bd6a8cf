"""`keras.ops.image`: resizing and color conversion on channels-last image batches."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from keraslite.backend import state
from keraslite.ops.dispatch import default_float, keras_op, to_tensor

_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic", "area": "area"}


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
    bilinear, nearest, bicubic, area.
    """
    if interpolation not in _MODES:
        raise ValueError(
            f"Invalid value for argument `interpolation`. Expected one of {sorted(_MODES)}. Received: "
            f"interpolation={interpolation!r}"
        )
    if crop_to_aspect_ratio or pad_to_aspect_ratio:
        raise NotImplementedError(
            "resize: crop_to_aspect_ratio / pad_to_aspect_ratio are not supported yet; use keras.layers.Resizing."
        )
    images = to_tensor(images)
    unbatched = images.ndim == 3
    x = images.unsqueeze(0) if unbatched else images
    channels_last = (data_format or state.image_data_format()) == "channels_last"
    x = default_float(x.movedim(-1, 1) if channels_last else x)
    mode = _MODES[interpolation]
    options = {"align_corners": False, "antialias": antialias} if mode in ("bilinear", "bicubic") else {}
    out = F.interpolate(x, size=tuple(int(s) for s in size), mode=mode, **options)
    out = out.movedim(1, -1) if channels_last else out
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
