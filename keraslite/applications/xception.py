"""`keras.applications.xception`: Xception (Chollet, "Xception: Deep Learning with Depthwise
Separable Convolutions", CVPR 2017), with Keras's layer names so Keras's weight files load.

The strided 1x1 shortcut convolutions and their BatchNormalization layers are auto-named in
Keras (`conv2d`, `batch_normalization`, ... `conv2d_3`), as they are here."""

from __future__ import annotations

from keraslite import layers
from keraslite.applications import imagenet_utils
from keraslite.applications.application_model import (
    channel_axis,
    checked_image_input,
    classifier_top,
    finished_model,
)

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
_TOP_FILE = ("xception_weights_tf_dim_ordering_tf_kernels.h5", "0a58e3b7378bc2990ea3b43d5981f1f6")
_NOTOP_FILE = ("xception_weights_tf_dim_ordering_tf_kernels_notop.h5", "b0042744bf5b25fce3cb969f33bebb97")


def _separable_bn(x, filters: int, name: str):
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=channel_axis(), name=f"{name}_bn")(x)


def _downsampling_block(x, filters: tuple[int, int], block: int, activate_first: bool = True):
    """Two separable convolutions and a strided max pool, plus a strided 1x1 shortcut."""
    residual = layers.Conv2D(filters[1], (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    residual = layers.BatchNormalization(axis=channel_axis())(residual)
    if activate_first:
        x = layers.Activation("relu", name=f"block{block}_sepconv1_act")(x)
    x = _separable_bn(x, filters[0], f"block{block}_sepconv1")
    x = layers.Activation("relu", name=f"block{block}_sepconv2_act")(x)
    x = _separable_bn(x, filters[1], f"block{block}_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(x)
    return layers.add([x, residual])


def Xception(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "xception",
):
    """Instantiates the Xception architecture.

    Args:
        include_top: Whether to include the classifier (global average pooling + Dense).
        weights: `None` (random initialization), `"imagenet"` (Keras's published weights,
            downloaded once into `~/.keras/models/`) or the path to a weights file.
        input_tensor: Optional KerasTensor (output of `keras.Input`) to use as image input.
        input_shape: Shape without batch; only with `include_top=False` may it differ from
            `(299, 299, 3)` (at least 71x71).
        pooling: With `include_top=False`: `None` (4D feature maps), `"avg"` or `"max"`.
        classes: Number of classes, with `include_top=True` and no ImageNet weights.
        classifier_activation: Activation of the `predictions` layer (`None` or
            `"softmax"` with pretrained weights).
        name: The model's name.

    Returns:
        A functional `keras.Model`. Inputs must be processed by
        `xception.preprocess_input` (pixels scaled to [-1, 1]).
    """
    img_input = checked_image_input(
        weights, include_top, classes, input_tensor, input_shape, default_size=299, min_size=71
    )
    axis = channel_axis()
    # Entry flow.
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    x = _downsampling_block(x, (128, 128), block=2, activate_first=False)
    x = _downsampling_block(x, (256, 256), block=3)
    x = _downsampling_block(x, (728, 728), block=4)
    # Middle flow: eight residual blocks of three separable convolutions.
    for block in range(5, 13):
        residual = x
        for index in (1, 2, 3):
            x = layers.Activation("relu", name=f"block{block}_sepconv{index}_act")(x)
            x = _separable_bn(x, 728, f"block{block}_sepconv{index}")
        x = layers.add([x, residual])
    # Exit flow.
    x = _downsampling_block(x, (728, 1024), block=13)
    for index, filters in ((1, 1536), (2, 2048)):
        x = _separable_bn(x, filters, f"block14_sepconv{index}")
        x = layers.Activation("relu", name=f"block14_sepconv{index}_act")(x)

    x = classifier_top(x, include_top, pooling, classes, classifier_activation, weights)
    fname, md5 = _TOP_FILE if include_top else _NOTOP_FILE
    return finished_model(input_tensor, img_input, x, name, weights, (fname, _BASE + fname, md5))


def preprocess_input(x, data_format=None):
    """Xception preprocessing: pixels scaled from [0, 255] to [-1, 1] (`mode="tf"`)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """See `keras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
