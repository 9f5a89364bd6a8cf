"""`keras.applications.inception_v3`: Inception v3 (Szegedy et al., "Rethinking the Inception
Architecture for Computer Vision", CVPR 2016).

Keras builds this network with auto-named layers (`conv2d_12`, `batch_normalization_12`, ...)
except the `mixed*` concatenations; the layers here are created in the same order, so a
fresh session gives the same names, and Keras's weight files load by position."""

from __future__ import annotations

from keraslite import layers
from keraslite.applications import imagenet_utils
from keraslite.applications.application_model import (
    channel_axis,
    checked_image_input,
    classifier_top,
    finished_model,
)

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
_TOP_FILE = ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5", "9a0d58056eeedaa3f26cb7ebd46da564")
_NOTOP_FILE = ("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", "bcbd6486424b2319ff4ef7d526e38f63")


def _conv_bn(x, filters: int, rows: int, cols: int, padding: str = "same", strides=(1, 1)):
    """Convolution (no bias) -> BatchNormalization (no scale) -> ReLU, all auto-named."""
    x = layers.Conv2D(filters, (rows, cols), strides=strides, padding=padding, use_bias=False)(x)
    x = layers.BatchNormalization(axis=channel_axis(), scale=False)(x)
    return layers.Activation("relu")(x)


def _average_pool_branch(x, filters: int):
    x = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return _conv_bn(x, filters, 1, 1)


def _block_35(x, pool_filters: int, name: str):
    """1x1 | 1x1 -> 5x5 | 1x1 -> 3x3 -> 3x3 | average pool -> 1x1, at 35x35 for a 299 input."""
    branch1x1 = _conv_bn(x, 64, 1, 1)
    branch5x5 = _conv_bn(_conv_bn(x, 48, 1, 1), 64, 5, 5)
    branch3x3dbl = _conv_bn(_conv_bn(_conv_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
    branch_pool = _average_pool_branch(x, pool_filters)
    return layers.concatenate([branch1x1, branch5x5, branch3x3dbl, branch_pool], axis=channel_axis(), name=name)


def _block_17(x, width: int, name: str):
    """Factorized 7x7 convolutions (1x7 and 7x1 pairs) at 17x17 for a 299 input."""
    branch1x1 = _conv_bn(x, 192, 1, 1)
    branch7x7 = _conv_bn(x, width, 1, 1)
    branch7x7 = _conv_bn(branch7x7, width, 1, 7)
    branch7x7 = _conv_bn(branch7x7, 192, 7, 1)
    branch7x7dbl = _conv_bn(x, width, 1, 1)
    for filters, rows, cols in ((width, 7, 1), (width, 1, 7), (width, 7, 1), (192, 1, 7)):
        branch7x7dbl = _conv_bn(branch7x7dbl, filters, rows, cols)
    branch_pool = _average_pool_branch(x, 192)
    return layers.concatenate([branch1x1, branch7x7, branch7x7dbl, branch_pool], axis=channel_axis(), name=name)


def _block_8(x, index: int):
    """Expanded filter bank (1x3 and 3x1 side by side) at 8x8 for a 299 input."""
    branch1x1 = _conv_bn(x, 320, 1, 1)
    branch3x3 = _conv_bn(x, 384, 1, 1)
    branch3x3 = layers.concatenate(
        [_conv_bn(branch3x3, 384, 1, 3), _conv_bn(branch3x3, 384, 3, 1)], axis=channel_axis(), name=f"mixed9_{index}"
    )
    branch3x3dbl = _conv_bn(_conv_bn(x, 448, 1, 1), 384, 3, 3)
    branch3x3dbl = layers.concatenate(
        [_conv_bn(branch3x3dbl, 384, 1, 3), _conv_bn(branch3x3dbl, 384, 3, 1)], axis=channel_axis()
    )
    branch_pool = _average_pool_branch(x, 192)
    return layers.concatenate(
        [branch1x1, branch3x3, branch3x3dbl, branch_pool], axis=channel_axis(), name=f"mixed{9 + index}"
    )


def InceptionV3(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "inception_v3",
):
    """Instantiates the Inception v3 architecture.

    Args:
        include_top: Whether to include the classifier (global average pooling + Dense).
        weights: `None` (random initialization), `"imagenet"` (Keras's published weights,
            downloaded once into `~/.keras/models/`) or the path to a weights file.
        input_tensor: Optional KerasTensor (output of `keras.Input`) to use as image input.
        input_shape: Shape without batch; only with `include_top=False` may it differ from
            `(299, 299, 3)` (at least 75x75).
        pooling: With `include_top=False`: `None` (4D feature maps), `"avg"` or `"max"`.
        classes: Number of classes, with `include_top=True` and no ImageNet weights.
        classifier_activation: Activation of the `predictions` layer (`None` or
            `"softmax"` with pretrained weights).
        name: The model's name.

    Returns:
        A functional `keras.Model`. Inputs must be processed by
        `inception_v3.preprocess_input` (pixels scaled to [-1, 1]).
    """
    img_input = checked_image_input(
        weights, include_top, classes, input_tensor, input_shape, default_size=299, min_size=75
    )
    axis = channel_axis()
    x = _conv_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = _conv_bn(x, 32, 3, 3, padding="valid")
    x = _conv_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _conv_bn(x, 80, 1, 1, padding="valid")
    x = _conv_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)

    for index, pool_filters in enumerate((32, 64, 64)):
        x = _block_35(x, pool_filters, name=f"mixed{index}")

    branch3x3 = _conv_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    branch3x3dbl = _conv_bn(_conv_bn(x, 64, 1, 1), 96, 3, 3)
    branch3x3dbl = _conv_bn(branch3x3dbl, 96, 3, 3, strides=(2, 2), padding="valid")
    branch_pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([branch3x3, branch3x3dbl, branch_pool], axis=axis, name="mixed3")

    for index, width in enumerate((128, 160, 160, 192), start=4):
        x = _block_17(x, width, name=f"mixed{index}")

    branch3x3 = _conv_bn(_conv_bn(x, 192, 1, 1), 320, 3, 3, strides=(2, 2), padding="valid")
    branch7x7x3 = _conv_bn(x, 192, 1, 1)
    branch7x7x3 = _conv_bn(branch7x7x3, 192, 1, 7)
    branch7x7x3 = _conv_bn(branch7x7x3, 192, 7, 1)
    branch7x7x3 = _conv_bn(branch7x7x3, 192, 3, 3, strides=(2, 2), padding="valid")
    branch_pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([branch3x3, branch7x7x3, branch_pool], axis=axis, name="mixed8")

    for index in range(2):
        x = _block_8(x, index)

    x = classifier_top(x, include_top, pooling, classes, classifier_activation, weights)
    fname, md5 = _TOP_FILE if include_top else _NOTOP_FILE
    return finished_model(input_tensor, img_input, x, name, weights, (fname, _BASE + fname, md5))


def preprocess_input(x, data_format=None):
    """Inception v3 preprocessing: pixels scaled from [0, 255] to [-1, 1] (`mode="tf"`)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """See `keras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
