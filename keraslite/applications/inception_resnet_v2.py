"""`keras.applications.inception_resnet_v2`: Inception-ResNet v2 (Szegedy et al.,
"Inception-v4, Inception-ResNet and the Impact of Residual Connections on Learning", AAAI 2017).

As in Keras, the branch convolutions are auto-named (`conv2d_7`, ...) and each residual block
adds its scaled branch output through a `CustomScaleLayer`; the layers are created in Keras's
order, so a fresh session gives the same names and Keras's weight files load by position."""

from __future__ import annotations

from keraslite import layers
from keraslite.applications import imagenet_utils
from keraslite.applications.application_model import (
    channel_axis,
    checked_image_input,
    classifier_top,
    finished_model,
)
from keraslite.layers.base_layer import Layer

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
_TOP_FILE = ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5", "e693bd0210a403b3192acc6073ad2e96")
_NOTOP_FILE = ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5", "d19885ff4a710c122648d3b5c3b684e4")


class CustomScaleLayer(Layer):
    """`inputs[0] + inputs[1] * scale`: the residual connection of an Inception-ResNet block.

    Args:
        scale: The factor applied to the branch output (`inputs[1]`).
    """

    def __init__(self, scale: float, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"scale": self.scale})
        return config

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale


def _conv_bn(x, filters: int, kernel_size, strides=1, padding="same", activation="relu", use_bias=False, name=None):
    """Convolution, then (without a bias) BatchNormalization without scale, then the activation."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias, name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(axis=channel_axis(), scale=False, name=None if name is None else f"{name}_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else f"{name}_ac")(x)
    return x


def _residual_block(x, scale: float, block_type: str, block_idx: int, activation="relu"):
    """An Inception-ResNet block: parallel branches, concatenated, projected back by a 1x1
    convolution (with bias, no normalization) and added to the input scaled by `scale`."""
    if block_type == "block35":
        branches = [
            _conv_bn(x, 32, 1),
            _conv_bn(_conv_bn(x, 32, 1), 32, 3),
            _conv_bn(_conv_bn(_conv_bn(x, 32, 1), 48, 3), 64, 3),
        ]
    elif block_type == "block17":
        branches = [_conv_bn(x, 192, 1), _conv_bn(_conv_bn(_conv_bn(x, 128, 1), 160, [1, 7]), 192, [7, 1])]
    else:
        branches = [_conv_bn(x, 192, 1), _conv_bn(_conv_bn(_conv_bn(x, 192, 1), 224, [1, 3]), 256, [3, 1])]
    block_name = f"{block_type}_{block_idx}"
    mixed = layers.Concatenate(axis=channel_axis(), name=f"{block_name}_mixed")(branches)
    up = _conv_bn(mixed, x.shape[channel_axis()], 1, activation=None, use_bias=True, name=f"{block_name}_conv")
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=f"{block_name}_ac")(x)
    return x


def InceptionResNetV2(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "inception_resnet_v2",
):
    """Instantiates the Inception-ResNet v2 architecture.

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
        `inception_resnet_v2.preprocess_input` (pixels scaled to [-1, 1]).
    """
    img_input = checked_image_input(
        weights, include_top, classes, input_tensor, input_shape, default_size=299, min_size=75
    )
    axis = channel_axis()
    # Stem.
    x = _conv_bn(img_input, 32, 3, strides=2, padding="valid")
    x = _conv_bn(x, 32, 3, padding="valid")
    x = _conv_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = _conv_bn(x, 80, 1, padding="valid")
    x = _conv_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)
    # Mixed 5b (Inception-A).
    branch_0 = _conv_bn(x, 96, 1)
    branch_1 = _conv_bn(_conv_bn(x, 48, 1), 64, 5)
    branch_2 = _conv_bn(_conv_bn(_conv_bn(x, 64, 1), 96, 3), 96, 3)
    branch_pool = _conv_bn(layers.AveragePooling2D(3, strides=1, padding="same")(x), 64, 1)
    x = layers.Concatenate(axis=axis, name="mixed_5b")([branch_0, branch_1, branch_2, branch_pool])
    for block_idx in range(1, 11):
        x = _residual_block(x, scale=0.17, block_type="block35", block_idx=block_idx)
    # Mixed 6a (Reduction-A).
    branch_0 = _conv_bn(x, 384, 3, strides=2, padding="valid")
    branch_1 = _conv_bn(_conv_bn(_conv_bn(x, 256, 1), 256, 3), 384, 3, strides=2, padding="valid")
    branch_pool = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=axis, name="mixed_6a")([branch_0, branch_1, branch_pool])
    for block_idx in range(1, 21):
        x = _residual_block(x, scale=0.1, block_type="block17", block_idx=block_idx)
    # Mixed 7a (Reduction-B).
    branch_0 = _conv_bn(_conv_bn(x, 256, 1), 384, 3, strides=2, padding="valid")
    branch_1 = _conv_bn(_conv_bn(x, 256, 1), 288, 3, strides=2, padding="valid")
    branch_2 = _conv_bn(_conv_bn(_conv_bn(x, 256, 1), 288, 3), 320, 3, strides=2, padding="valid")
    branch_pool = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=axis, name="mixed_7a")([branch_0, branch_1, branch_2, branch_pool])
    for block_idx in range(1, 10):
        x = _residual_block(x, scale=0.2, block_type="block8", block_idx=block_idx)
    x = _residual_block(x, scale=1.0, activation=None, block_type="block8", block_idx=10)
    x = _conv_bn(x, 1536, 1, name="conv_7b")

    x = classifier_top(x, include_top, pooling, classes, classifier_activation, weights)
    fname, md5 = _TOP_FILE if include_top else _NOTOP_FILE
    return finished_model(input_tensor, img_input, x, name, weights, (fname, _BASE + fname, md5))


def preprocess_input(x, data_format=None):
    """Inception-ResNet v2 preprocessing: pixels scaled from [0, 255] to [-1, 1] (`mode="tf"`)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """See `keras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
