"""Intersection over union of bounding boxes (`compute_iou`) and the complete IoU
(`compute_ciou`: IoU less the normalized centre distance and an aspect-ratio term)."""

from __future__ import annotations

import math

import torch

from keraslite.backend import state
from keraslite.utils.bounding_boxes.converters import convert_format


def _pairwise_intersection(boxes1, boxes2):
    """Areas of intersection of every box of `boxes1` ([B,] M, 4, yxyx) with every box of
    `boxes2` ([B,] N, 4): shape ([B,] M, N)."""
    y1a, x1a, y2a, x2a = [t.unsqueeze(-1) for t in torch.unbind(boxes1, -1)]
    y1b, x1b, y2b, x2b = [t.unsqueeze(-2) for t in torch.unbind(boxes2, -1)]
    height = torch.clamp(torch.minimum(y2a, y2b) - torch.maximum(y1a, y1b), min=0)
    width = torch.clamp(torch.minimum(x2a, x2b) - torch.maximum(x1a, x1b), min=0)
    return height * width


def _area(boxes):
    y1, x1, y2, x2 = torch.unbind(boxes, -1)
    return (y2 - y1) * (x2 - x1)


def compute_iou(boxes1, boxes2, bounding_box_format, use_masking=False, mask_val=-1, image_shape=None):
    """The IoU of every pair of boxes: `(M, N)` for unbatched inputs, `(batch, M, N)` when
    either is batched. With `use_masking`, pairs where a box is padding (all coordinates
    negative) get `mask_val`."""
    for name, boxes in (("boxes1", boxes1), ("boxes2", boxes2)):
        if len(boxes.shape) not in (2, 3):
            raise ValueError(
                f"compute_iou() expects {name} to be batched, or to be unbatched. "
                f"len({name}.shape)=2 AND or len({name}.shape)=3."
            )
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError(
            "When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` argument must be provided."
        )
    height, width = (None, None) if image_shape is None else tuple(image_shape)[:2]
    boxes1 = convert_format(boxes1, bounding_box_format, "yxyx", height=height, width=width)
    boxes2 = convert_format(boxes2, bounding_box_format, "yxyx", height=height, width=width)
    intersection = _pairwise_intersection(boxes1, boxes2)
    union = _area(boxes1).unsqueeze(-1) + _area(boxes2).unsqueeze(-2) - intersection
    iou = intersection / (union + state.epsilon())
    if not use_masking:
        return iou
    background = (boxes1.amax(-1) < 0).unsqueeze(-1) | (boxes2.amax(-1) < 0).unsqueeze(-2)
    return torch.where(background, torch.full_like(iou, float(mask_val)), iou)


def compute_ciou(boxes1, boxes2, bounding_box_format, image_shape=None):
    """The complete IoU of corresponding boxes (same shapes `(..., 4)`), as used by the CIoU
    loss: `IoU - (centre distance^2 / enclosing diagonal^2 + v * alpha)`."""
    if "rel" in bounding_box_format:
        raise ValueError(
            "When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` argument must be provided."
        )
    height, width = (None, None) if image_shape is None else tuple(image_shape)[:2]
    boxes1 = convert_format(boxes1, bounding_box_format, "xyxy", height=height, width=width)
    boxes2 = convert_format(boxes2, bounding_box_format, "xyxy", height=height, width=width)
    eps = state.epsilon()
    x1a, y1a, x2a, y2a = torch.unbind(boxes1[..., :4], -1)
    x1b, y1b, x2b, y2b = torch.unbind(boxes2[..., :4], -1)
    width_a, height_a = x2a - x1a, y2a - y1a + eps
    width_b, height_b = x2b - x1b, y2b - y1b + eps
    intersection = torch.clamp(torch.minimum(x2a, x2b) - torch.maximum(x1a, x1b), min=0) * torch.clamp(
        torch.minimum(y2a, y2b) - torch.maximum(y1a, y1b), min=0
    )
    union = width_a * height_a + width_b * height_b - intersection + eps
    iou = intersection / (union + eps)
    enclosing_w = torch.maximum(x2a, x2b) - torch.minimum(x1a, x1b)
    enclosing_h = torch.maximum(y2a, y2b) - torch.minimum(y1a, y1b)
    diagonal = enclosing_w**2 + enclosing_h**2 + eps
    centres = ((x1a + x2a) / 2 - (x1b + x2b) / 2) ** 2 + ((y1a + y2a) / 2 - (y1b + y2b) / 2) ** 2
    v = (4 / math.pi**2) * (torch.atan(width_b / height_b) - torch.atan(width_a / height_a)) ** 2
    alpha = v / (v - iou + (1 + eps))
    return iou - (centres / diagonal + v * alpha)
