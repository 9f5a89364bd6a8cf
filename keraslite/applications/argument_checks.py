"""Argument checks shared by the newer application families (DenseNet, EfficientNet,
EfficientNetV2, ConvNeXt), with the wording each Keras family uses."""

from __future__ import annotations

import os

from keraslite.backend import state

WEIGHTS_ERROR = (
    "The `weights` argument should be either `None` (random initialization), `imagenet` (pre-training on "
    "ImageNet), or the path to the weights file to be loaded."
)


def check_weights(weights, include_top: bool, classes: int, classes_error: str) -> None:
    """`weights` is None, 'imagenet' or an existing file; ImageNet weights with a top need 1000 classes.

    `classes_error` is the family's message for the second case (Keras words it differently
    per family); `{classes}` in it is filled in.
    """
    if not (weights in {"imagenet", None} or (isinstance(weights, (str, os.PathLike)) and os.path.exists(weights))):
        raise ValueError(f"{WEIGHTS_ERROR} Received: weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(classes_error.format(classes=classes))


def require_channels_last(family: str) -> None:
    """DenseNet and ConvNeXt are built for channels-last images only (as in Keras)."""
    if state.image_data_format() == "channels_first":
        raise ValueError(
            f"{family} does not support the `channels_first` image data format. Switch to `channels_last` by "
            "editing your local config file at ~/.keras/keras.json (or call "
            "`keras.config.set_image_data_format('channels_last')`)."
        )


def channel_axis() -> int:
    """The channel axis of a 4D image batch under the current image data format."""
    return 3 if state.image_data_format() == "channels_last" else 1
