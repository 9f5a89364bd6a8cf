"""`keras.applications.mobilenet`: MobileNet v1 (Howard et al., "MobileNets: Efficient
Convolutional Neural Networks for Mobile Vision Applications", 2017), with Keras's layer
names so Keras's weight files load."""

from __future__ import annotations

import warnings

from keraslite import layers
from keraslite.applications import imagenet_utils
from keraslite.applications.application_model import checked_input_shape, classifier_top, finished_model
from keraslite.applications.model_inputs import image_input
from keraslite.backend import state

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
_SIZES_WITH_WEIGHTS = (128, 160, 192, 224)
# alpha -> the tag of its published weight files
_ALPHA_TAGS = {1.0: "1_0", 0.75: "7_5", 0.50: "5_0", 0.25: "2_5"}
# (pointwise filters, stride) of the 13 depthwise separable blocks
_BLOCKS = [
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
]


def _channel_axis() -> int:
    return 1 if state.image_data_format() == "channels_first" else -1


def _depthwise_conv_block(x, pointwise_filters: int, alpha: float, depth_multiplier: int, stride: int, block_id: int):
    """Depthwise 3x3 -> BN -> ReLU6 -> pointwise 1x1 -> BN -> ReLU6; a strided block pads
    bottom/right by one and convolves 'valid', as the TF-slim original."""
    if stride == 1:
        padding = "same"
    else:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
        padding = "valid"
    x = layers.DepthwiseConv2D(
        (3, 3),
        padding=padding,
        depth_multiplier=depth_multiplier,
        strides=(stride, stride),
        use_bias=False,
        name=f"conv_dw_{block_id}",
    )(x)
    x = layers.BatchNormalization(axis=_channel_axis(), name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(
        int(pointwise_filters * alpha),
        (1, 1),
        padding="same",
        use_bias=False,
        strides=(1, 1),
        name=f"conv_pw_{block_id}",
    )(x)
    x = layers.BatchNormalization(axis=_channel_axis(), name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def _rows_cols(input_shape) -> tuple:
    if state.image_data_format() == "channels_first":
        return input_shape[1], input_shape[2]
    return input_shape[0], input_shape[1]


def MobileNet(
    input_shape: tuple | None = None,
    alpha: float = 1.0,
    depth_multiplier: int = 1,
    dropout: float = 1e-3,
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str | None = None,
):
    """Instantiates the MobileNet (v1) architecture.

    Args:
        input_shape: Shape without batch (at least 32x32); ImageNet weights exist for square
            inputs of 128, 160, 192 or 224.
        alpha: Width multiplier: < 1 shrinks, > 1 widens every layer's filters
            (ImageNet weights for 0.25, 0.5, 0.75, 1.0).
        depth_multiplier: Depthwise convolution channel multiplier (1 for ImageNet weights).
        dropout: Dropout rate before the classifier.
        include_top: Whether to include the classifier (global average pooling, dropout,
            a 1x1 convolution `conv_preds`, reshape, activation).
        weights: `None`, `"imagenet"` (downloaded once into `~/.keras/models/`) or a file path.
        input_tensor: Optional KerasTensor to use as image input.
        pooling: With `include_top=False`: `None`, `"avg"` or `"max"`.
        classes: Number of classes, with `include_top=True` and no ImageNet weights.
        classifier_activation: Activation of the `predictions` layer (`None` or
            `"softmax"` with pretrained weights).
        name: The model's name (default `mobilenet_<alpha>_<rows>`).

    Returns:
        A functional `keras.Model`. Inputs must be processed by
        `mobilenet.preprocess_input` (pixels scaled to [-1, 1]).
    """
    default_size = 224
    if input_shape is not None:
        rows, cols = _rows_cols(input_shape)
        if rows == cols and rows in _SIZES_WITH_WEIGHTS:
            default_size = rows
    input_shape = checked_input_shape(weights, include_top, classes, input_shape, default_size, min_size=32)
    # As in Keras, the weight file's size comes from `input_shape`, even with an `input_tensor`.
    rows, cols = _rows_cols(input_shape)
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError(
                "If imagenet weights are being loaded, depth multiplier must be 1.  "
                f"Received depth_multiplier={depth_multiplier}"
            )
        if alpha not in _ALPHA_TAGS:
            raise ValueError(
                "If imagenet weights are being loaded, alpha can be one of `0.25`, `0.50`, `0.75` or `1.0` only.  "
                f"Received alpha={alpha}"
            )
        if rows != cols or rows not in _SIZES_WITH_WEIGHTS:
            rows = 224
            warnings.warn(
                "`input_shape` is undefined or non-square, or `rows` is not in [128, 160, 192, 224]. Weights for "
                "input shape (224, 224) will be loaded as the default.",
                stacklevel=2,
            )
    img_input = image_input(input_shape, input_tensor)
    x = layers.Conv2D(int(32 * alpha), (3, 3), padding="same", use_bias=False, strides=(2, 2), name="conv1")(img_input)
    x = layers.BatchNormalization(axis=_channel_axis(), name="conv1_bn")(x)
    x = layers.ReLU(6.0, name="conv1_relu")(x)
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier, stride, block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = classifier_top(x, False, pooling, classes, classifier_activation, weights)
    if name is None:
        name = f"mobilenet_{alpha:0.2f}_{rows}"
    imagenet_file = None
    if weights == "imagenet":
        fname = f"mobilenet_{_ALPHA_TAGS[alpha]}_{rows}_tf{'' if include_top else '_no_top'}.h5"
        # Keras publishes no hashes for these files.
        imagenet_file = (fname, _BASE + fname, None)
    return finished_model(input_tensor, img_input, x, name, weights, imagenet_file)


def preprocess_input(x, data_format=None):
    """MobileNet preprocessing: pixels scaled from [0, 255] to [-1, 1] (`mode="tf"`)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """See `keras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
