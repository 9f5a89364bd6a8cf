"""MaxNumBoundingBoxes: pads or truncates a batch's bounding boxes to a fixed count."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.preprocessing.base import ImagePreprocessingLayer


class MaxNumBoundingBoxes(ImagePreprocessingLayer):
    """Makes every image of a batch carry exactly `max_number` boxes: extra boxes are
    dropped, missing ones are filled with `fill_value` (boxes and labels alike).

    Args:
        max_number: the number of boxes per image.
        fill_value: the value of padding boxes and labels (default -1).
        bounding_box_format: the boxes' format ("xyxy", "yxyx", "xywh", ...); required, as
            in Keras, when the input carries "bounding_boxes".

    Input: a dict with "images" and "bounding_boxes" = {"boxes": (batch, n, 4),
    "labels": (batch, n)}; images pass unchanged. A tensor input passes unchanged.
    """

    def __init__(self, max_number, fill_value=-1, bounding_box_format=None, **kwargs):
        super().__init__(**kwargs)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)
        self.bounding_box_format = bounding_box_format

    def _fit(self, values: torch.Tensor) -> torch.Tensor:
        values = values[:, : self.max_number]
        missing = self.max_number - values.shape[1]
        if missing > 0:
            pads = [0, 0] * (values.ndim - 2) + [0, missing]
            values = F.pad(values, pads, value=self.fill_value)
        return values

    def transform_bounding_boxes(self, bounding_boxes: dict) -> dict:
        unknown = set(bounding_boxes) - {"boxes", "labels"}
        if unknown:
            raise KeyError(
                f"There are unsupported keys in `bounding_boxes`: {sorted(unknown)}. "
                "Only `boxes` and `labels` are supported."
            )
        return {key: self._fit(value) for key, value in bounding_boxes.items()}

    def call(self, inputs, training=None):
        if not isinstance(inputs, dict):
            return inputs
        outputs = dict(inputs)
        if "bounding_boxes" in inputs:
            if not self.bounding_box_format:
                raise ValueError(
                    "You passed an input with a 'bounding_boxes' key, but you didn't specify a bounding box "
                    f"format. Pass a `bounding_box_format` argument to your {type(self).__name__} layer, "
                    "e.g. `bounding_box_format='xyxy'`."
                )
            outputs["bounding_boxes"] = self.transform_bounding_boxes(inputs["bounding_boxes"])
        return outputs

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict) and "bounding_boxes" in input_shape:
            shapes = dict(input_shape)
            boxes = dict(shapes["bounding_boxes"])
            for key in ("boxes", "labels"):
                if key in boxes:
                    shape = list(boxes[key])
                    shape[1] = self.max_number
                    boxes[key] = tuple(shape)
            shapes["bounding_boxes"] = boxes
            return shapes
        return input_shape

    def compute_output_spec(self, inputs, *args, **kwargs):
        if not isinstance(inputs, dict):
            return KerasTensor(inputs.shape, inputs.dtype)
        outputs = {key: value for key, value in inputs.items() if key != "bounding_boxes"}
        if "bounding_boxes" in inputs:
            outputs["bounding_boxes"] = {
                key: KerasTensor((value.shape[0], self.max_number) + tuple(value.shape[2:]), value.dtype)
                for key, value in inputs["bounding_boxes"].items()
            }
        return outputs

    def get_config(self) -> dict:
        config = super().get_config()
        config["max_number"] = self.max_number
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config
