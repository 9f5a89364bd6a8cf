"""Bounding-box formats and geometry (`keras.utils.bounding_boxes`), on torch tensors.

Formats (the last axis holds the 4 numbers): "xyxy" [left, top, right, bottom], "yxyx",
"xywh" [left, top, width, height], "center_xywh", "center_yxhw", and the relative
"rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh" (divided by the image width and
height). Every conversion goes through "xyxy". Results are float tensors, as Keras's torch
backend returns them.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from keraslite.backend import dtypes, state

SUPPORTED_FORMATS = (
    "xyxy",
    "yxyx",
    "xywh",
    "center_xywh",
    "center_yxhw",
    "rel_xyxy",
    "rel_yxyx",
    "rel_xywh",
    "rel_center_xywh",
)


def as_tensor(value, dtype=None) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value if dtype is None else value.to(dtypes.to_torch_dtype(dtype))
    array = np.ascontiguousarray(value)
    tensor = torch.as_tensor(array)
    if dtype is not None:
        return tensor.to(dtypes.to_torch_dtype(dtype))
    return tensor.to(torch.float32) if array.dtype == np.float64 else tensor


def _columns(boxes):
    return torch.unbind(boxes, dim=-1)


def _to_xyxy(boxes, source, height, width):
    a, b, c, d = _columns(boxes)
    if source.startswith("rel_"):
        source = source[4:]
        if source == "xyxy":
            return torch.stack([a * width, b * height, c * width, d * height], -1)
        if source == "yxyx":
            return torch.stack([b * width, a * height, d * width, c * height], -1)
        if source == "xywh":
            return torch.stack([a * width, b * height, (a + c) * width, (b + d) * height], -1)
        return torch.stack(
            [(a - c / 2.0) * width, (b - d / 2.0) * height, (a + c / 2.0) * width, (b + d / 2.0) * height], -1
        )
    if source == "xyxy":
        return boxes
    if source == "yxyx":
        return torch.stack([b, a, d, c], -1)
    if source == "xywh":
        return torch.stack([a, b, a + c, b + d], -1)
    if source == "center_xywh":
        return torch.stack([a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0], -1)
    # center_yxhw: (cy, cx, h, w)
    return torch.stack([b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0], -1)


def _from_xyxy(boxes, target, height, width):
    x1, y1, x2, y2 = _columns(boxes)
    w, h = x2 - x1, y2 - y1
    cx, cy = x1 + w / 2.0, y1 + h / 2.0
    table = {
        "xyxy": lambda: boxes,
        "yxyx": lambda: torch.stack([y1, x1, y2, x2], -1),
        "xywh": lambda: torch.stack([x1, y1, w, h], -1),
        "center_xywh": lambda: torch.stack([cx, cy, w, h], -1),
        "center_yxhw": lambda: torch.stack([cy, cx, h, w], -1),
        "rel_xyxy": lambda: torch.stack([x1 / width, y1 / height, x2 / width, y2 / height], -1),
        "rel_yxyx": lambda: torch.stack([y1 / height, x1 / width, y2 / height, x2 / width], -1),
        "rel_xywh": lambda: torch.stack([x1 / width, y1 / height, w / width, h / height], -1),
        "rel_center_xywh": lambda: torch.stack([cx / width, cy / height, w / width, h / height], -1),
    }
    return table[target]()


def convert_format(boxes, source, target, height=None, width=None, dtype="float32"):
    """`boxes` (..., 4) converted from format `source` to `target`; relative formats need
    the image `height` and `width`. A dict with "boxes" gets its boxes converted in place
    and is returned."""
    if isinstance(boxes, dict):
        boxes["boxes"] = convert_format(boxes["boxes"], source, target, height=height, width=width, dtype=dtype)
        return boxes
    boxes = as_tensor(boxes)
    if boxes.shape[-1] != 4:
        raise ValueError(
            f"`boxes` must be a tensor with the last dimension of 4. Received: boxes.shape={tuple(boxes.shape)}"
        )
    source, target = source.lower(), target.lower()
    if source not in SUPPORTED_FORMATS or target not in SUPPORTED_FORMATS:
        raise ValueError(
            f"Invalid source or target format. Supported formats: {SUPPORTED_FORMATS}. "
            f"Received: source={source!r}, target={target!r}"
        )
    if (source.startswith("rel_") or target.startswith("rel_")) and (width is None or height is None):
        raise ValueError(
            "convert_format() must receive `height` and `width` transforming between relative and absolute formats. "
            f"convert_format() received source=`{source}`, target=`{target}`, but height={height} and width={width}."
        )
    boxes = boxes.to(dtypes.to_torch_dtype(dtype))
    if source == target:
        return boxes
    if source.startswith("rel_") and target.startswith("rel_"):
        source, target = source[4:], target[4:]
    return _from_xyxy(_to_xyxy(boxes, source, height, width), target, height, width)


def _area_xyxy(boxes):
    x1, y1, x2, y2 = _columns(boxes)
    return (x2 - x1) * (y2 - y1)


def clip_to_image_size(bounding_boxes, height=None, width=None, bounding_box_format="xyxy"):
    """`bounding_boxes` (a dict with "boxes" and optionally "labels") with the boxes clipped
    to the image (`[0, width] x [0, height]`, or `[0, 1]` for "rel_xyxy"); a box left with no
    area gets label -1."""
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError(
            f"clip_to_image_size supports the 'xyxy' and 'rel_xyxy' formats. Received: {bounding_box_format!r}"
        )
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("`height` and `width` must be set if `format='xyxy'`.")
    boxes = as_tensor(bounding_boxes["boxes"])
    labels = bounding_boxes.get("labels")
    x_max, y_max = (width, height) if bounding_box_format == "xyxy" else (1.0, 1.0)
    x1, y1, x2, y2 = _columns(boxes)
    boxes = torch.stack([x1.clamp(0, x_max), y1.clamp(0, y_max), x2.clamp(0, x_max), y2.clamp(0, y_max)], -1)
    result = dict(bounding_boxes)
    result["boxes"] = boxes
    if labels is not None:
        labels = as_tensor(labels)
        result["labels"] = torch.where(_area_xyxy(boxes) > 0, labels, torch.full_like(labels, -1))
    return result


def _inverse_affine_matrix(center_x, center_y, angle, translate_x, translate_y, scale, shear_x, shear_y, height, width):
    """Per-sample 3x3 matrices of the inverse affine transform (Keras's convention: angles and
    shears in degrees, translations as fractions of the image size)."""
    rot = -angle * (math.pi / 180.0)
    sx, sy = -shear_x * (math.pi / 180.0), -shear_y * (math.pi / 180.0)
    cx, cy = center_x * (width - 1), center_y * (height - 1)
    tx, ty = -translate_x * (width - 1), -translate_y * (height - 1)
    a = torch.cos(rot - sy) / torch.cos(sy)
    b = a * torch.tan(sx) + torch.sin(rot)
    c = -torch.sin(rot - sy) / torch.cos(sy)
    d = torch.cos(rot) - c * torch.tan(sx)
    a0, a1, b0, b1 = d * scale, -b * scale, -c * scale, a * scale
    a2 = cx - a0 * (cx + tx) - a1 * (cy + ty)
    b2 = cy - b0 * (cx + tx) - b1 * (cy + ty)
    zeros, ones = torch.zeros_like(a0), torch.ones_like(a0)
    return torch.stack([a0, a1, a2, b0, b1, b2, zeros, zeros, ones], -1).reshape(-1, 3, 3)


def affine_transform(
    boxes,
    angle,
    translate_x,
    translate_y,
    scale,
    shear_x,
    shear_y,
    height,
    width,
    center_x=None,
    center_y=None,
    bounding_box_format="xyxy",
):
    """Boxes `(batch, N, 4)` ("xyxy") moved by the affine transform of each batch item (per-item
    `angle`, translations, `scale`, shears, each a tensor of shape `(batch,)`): the four corners
    are transformed and the result is their enclosing box."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError(f"affine_transform supports the 'xyxy' format. Received: {bounding_box_format!r}")
    angle = as_tensor(angle)
    params = [as_tensor(v).to(angle.dtype) for v in (translate_x, translate_y, scale, shear_x, shear_y)]
    matrix = _inverse_affine_matrix(
        0.5 if center_x is None else center_x, 0.5 if center_y is None else center_y, angle, *params, height, width
    )
    boxes = as_tensor(boxes).to(matrix.dtype)
    batch, count = boxes.shape[0], boxes.shape[1]
    x1, y1, x2, y2 = _columns(boxes)
    corners = torch.stack([x1, y1, x2, y1, x2, y2, x1, y2], -1).reshape(batch, count, 4, 2)
    corners = torch.cat([corners, torch.ones(batch, count, 4, 1, dtype=corners.dtype)], -1)
    moved = torch.einsum("bnxy,byz->bnxz", corners, matrix[:, :2, :].transpose(1, 2))
    return torch.cat([moved.amin(dim=2), moved.amax(dim=2)], -1)


def crop(boxes, top, left, height, width, bounding_box_format="xyxy"):
    """Boxes ("xyxy") in the coordinates of the crop `(top, left, height, width)`, clipped to it."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError(f"crop supports the 'xyxy' format. Received: {bounding_box_format!r}")
    x1, y1, x2, y2 = _columns(as_tensor(boxes))
    return torch.stack(
        [
            (x1 - left).clamp(0, width),
            (y1 - top).clamp(0, height),
            (x2 - left).clamp(0, width),
            (y2 - top).clamp(0, height),
        ],
        -1,
    )


def pad(boxes, top, left, height=None, width=None, bounding_box_format="xyxy"):
    """Boxes ("xyxy") shifted by the `top` and `left` padding added to their image."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError(f"pad supports the 'xyxy' format. Received: {bounding_box_format!r}")
    x1, y1, x2, y2 = _columns(as_tensor(boxes))
    return torch.stack([x1 + left, y1 + top, x2 + left, y2 + top], -1)


def _check_variance_and_format(variance, encoding, argument):
    if variance is not None:
        variance = as_tensor(variance, "float32")
        if variance.shape[-1] != 4:
            raise ValueError(f"`variance` must be length 4, got {variance}")
    if encoding not in ("center_xywh", "center_yxhw"):
        raise ValueError(f"`{argument}` should be one of 'center_xywh' or 'center_yxhw', got {encoding}")
    return variance


def encode_box_to_deltas(
    anchors, boxes, anchor_format, box_format, encoding_format="center_yxhw", variance=None, image_shape=None
):
    """The deltas that move each anchor onto its box: centre offsets over the anchor size,
    and log size ratios (in `encoding_format` order), divided by `variance` if given."""
    variance = _check_variance_and_format(variance, encoding_format, "encoding_format")
    height, width = (None, None) if image_shape is None else tuple(image_shape)[:2]
    anchors = convert_format(anchors, anchor_format, encoding_format, height=height, width=width)
    boxes = convert_format(boxes, box_format, encoding_format, height=height, width=width)
    anchor_size = torch.clamp(anchors[..., 2:], min=state.epsilon())
    box_size = torch.clamp(boxes[..., 2:], min=state.epsilon())
    deltas = torch.cat([(boxes[..., :2] - anchors[..., :2]) / anchor_size, torch.log(box_size / anchor_size)], -1)
    return deltas / variance if variance is not None else deltas


def decode_deltas_to_boxes(
    anchors, boxes_delta, anchor_format, box_format, encoded_format="center_yxhw", variance=None, image_shape=None
):
    """The inverse of `encode_box_to_deltas`: boxes in `box_format` from anchors and deltas
    (dicts of levels are decoded level by level)."""
    variance = _check_variance_and_format(variance, encoded_format, "encoded_format")
    height, width = (None, None) if image_shape is None else tuple(image_shape)[:2]

    def decode(anchor, delta):
        anchor = convert_format(anchor, anchor_format, encoded_format, height=height, width=width)
        delta = as_tensor(delta, "float32")
        if variance is not None:
            delta = delta * variance
        box = torch.cat(
            [delta[..., :2] * anchor[..., 2:] + anchor[..., :2], torch.exp(delta[..., 2:]) * anchor[..., 2:]], -1
        )
        return convert_format(box, encoded_format, box_format, height=height, width=width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)
