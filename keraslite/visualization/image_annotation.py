"""`keras.visualization.draw_bounding_boxes` and `draw_segmentation_masks`: annotate a batch
of images (NumPy uint8 out). Boxes are drawn with Pillow (Keras uses OpenCV)."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from keraslite.backend import state
from keraslite.utils.bounding_boxes.converters import convert_format


def _numpy(value) -> np.ndarray:
    return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)


def _check_batch(images) -> tuple:
    shape = tuple(np.shape(images))
    if len(shape) != 4:
        raise ValueError(f"`images` must be batched 4D tensor. Received: images.shape={shape}")
    return shape


def draw_bounding_boxes(
    images,
    bounding_boxes,
    bounding_box_format,
    class_mapping=None,
    color=(128, 128, 128),
    line_thickness=2,
    text_thickness=1,
    font_scale=1.0,
    data_format=None,
):
    """The images (batch, channels last in the result, uint8) with each box of
    `bounding_boxes` (a dict of "boxes" `(batch, N, 4)`, "labels" `(batch, N)` and optionally
    "confidences") drawn as a rectangle of `color`; boxes labelled -1 are skipped, and a label
    found in `class_mapping` is written above its box (with the confidence if given)."""
    class_mapping = class_mapping or {}
    data_format = data_format or state.image_data_format()
    shape = _check_batch(images)
    if not isinstance(bounding_boxes, dict):
        raise TypeError(
            f"`bounding_boxes` should be a dict. Received: bounding_boxes={bounding_boxes} of type "
            f"{type(bounding_boxes)}"
        )
    if "boxes" not in bounding_boxes or "labels" not in bounding_boxes:
        raise ValueError(
            f"`bounding_boxes` should be a dict containing 'boxes' and 'labels' keys. Received: {bounding_boxes}"
        )
    height, width = shape[1:3] if data_format == "channels_last" else shape[2:4]
    boxes = _numpy(convert_format(dict(bounding_boxes), bounding_box_format, "xyxy", height, width)["boxes"])
    labels = _numpy(bounding_boxes["labels"])
    confidences = _numpy(bounding_boxes["confidences"]) if "confidences" in bounding_boxes else None
    pixels = _numpy(images)
    if data_format == "channels_first":
        pixels = pixels.transpose(0, 2, 3, 1)
    if pixels.dtype.kind == "f" and pixels.size:
        pixels = np.clip(pixels, 0, 1) * 255 if pixels.max() <= 1.0 else np.clip(pixels, 0, 255)
    pixels = pixels.astype("uint8")
    font = ImageFont.load_default()
    outline = tuple(int(c) for c in color)
    result = []
    for index in range(pixels.shape[0]):
        channels = pixels.shape[-1]
        image = Image.fromarray(pixels[index] if channels != 1 else pixels[index, ..., 0])
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGB")
        draw = ImageDraw.Draw(image)
        for box_index, (box, label) in enumerate(zip(boxes[index], labels[index])):
            label = int(label)
            if label == -1:
                continue
            x1, y1, x2, y2 = (int(v) for v in box.astype("int32"))
            draw.rectangle([min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)], outline=outline, width=line_thickness)
            if label in class_mapping:
                text = str(class_mapping[label])
                if confidences is not None:
                    text = f"{text} | {float(confidences[index][box_index]):.2f}"
                draw.text((x1, max(y1 - int(12 * font_scale) - 2, 0)), text, fill=outline, font=font)
        drawn = np.asarray(image)
        if channels == 1:
            drawn = drawn[..., :1]
        result.append(drawn)
    return np.stack(result, axis=0)


def _color_palette(num_classes: int) -> list:
    palette = np.array([2**25 - 1, 2**15 - 1, 2**21 - 1])
    return [((i * palette) % 255).tolist() for i in range(num_classes)]


def draw_segmentation_masks(
    images,
    segmentation_masks,
    num_classes=None,
    color_mapping=None,
    alpha=0.8,
    blend=True,
    ignore_index=-1,
    data_format=None,
):
    """The images with each class of the integer `segmentation_masks` `(batch, H, W, 1)`
    painted in its colour (`color_mapping[class]`, or a fixed palette), blended with weight
    `alpha` (uint8 result) or, with `blend=False`, replaced (float32 result); pixels equal to
    `ignore_index` keep the image. Classes `0 .. num_classes - 1` are painted; `num_classes`
    defaults to the largest class in the masks."""
    data_format = data_format or state.image_data_format()
    _check_batch(images)
    pixels = _numpy(images).astype("float32")
    masks = _numpy(segmentation_masks)
    if data_format == "channels_first":
        pixels, masks = pixels.transpose(0, 2, 3, 1), masks.transpose(0, 2, 3, 1)
    if masks.dtype.kind not in "iu":
        raise TypeError(
            f"`segmentation_masks` must be in integer dtype. Received: segmentation_masks.dtype={masks.dtype}"
        )
    if num_classes is None:
        num_classes = int(masks.max())
    colors = _color_palette(num_classes) if color_mapping is None else [color_mapping[i] for i in range(num_classes)]
    valid = masks[..., 0] != ignore_index
    classes = masks[..., 0]  # negative classes (one-hot all zero) are painted in no colour
    painted = pixels.copy()
    for class_index, class_color in enumerate(colors):
        painted[classes == class_index] = np.asarray(class_color, dtype="float32")
    if not blend:
        return painted
    blended = pixels * (1 - alpha) + painted * alpha
    return np.where(valid[..., None], blended, pixels).astype("uint8")
