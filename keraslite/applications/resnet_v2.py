"""`keras.applications.resnet_v2`: ResNet50V2/101V2/152V2 (He et al., "Identity Mappings in
Deep Residual Networks", ECCV 2016): pre-activation bottleneck blocks, with Keras's layer
names so Keras's weight files load."""

from __future__ import annotations

from keraslite import layers
from keraslite.applications import imagenet_utils
from keraslite.applications.application_model import (
    channel_axis,
    checked_image_input,
    classifier_top,
    finished_model,
)

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
# name -> blocks per stage (conv2..conv5), md5 of the top / no-top weight files
_VARIANTS = {
    "resnet50v2": ((3, 4, 6, 3), "3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ((3, 4, 23, 3), "6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ((3, 8, 36, 3), "a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
# The BatchNormalization epsilon of Keras's ResNets (from the original Caffe models).
_BN_EPSILON = 1.001e-5


def _batch_norm(name: str):
    return layers.BatchNormalization(axis=channel_axis(), epsilon=_BN_EPSILON, name=name)


def residual_block_v2(x, filters: int, stride: int = 1, conv_shortcut: bool = False, name: str = ""):
    """Pre-activation bottleneck: BN -> ReLU, then 1x1 (filters) -> 3x3 (filters, `stride`)
    -> 1x1 (4*filters), added to the shortcut (a 1x1 convolution of the pre-activation, a
    strided 1x1 max pool, or the input itself)."""
    preact = _batch_norm(f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    elif stride > 1:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = _batch_norm(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, 3, strides=stride, use_bias=False, name=f"{name}_2_conv")(x)
    x = _batch_norm(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def _stack(x, filters: int, blocks: int, stride1: int, name: str):
    # Version 2 downsamples in the last block of a stage, not the first.
    x = residual_block_v2(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for index in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{index}")
    return residual_block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def _build(variant, include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name):
    stage_blocks, top_md5, notop_md5 = _VARIANTS[variant]
    img_input = checked_image_input(
        weights, include_top, classes, input_tensor, input_shape, default_size=224, min_size=32
    )
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=True, name="conv1_conv")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stage, (filters, blocks) in enumerate(zip((64, 128, 256, 512), stage_blocks), start=2):
        x = _stack(x, filters, blocks, stride1=1 if stage == 5 else 2, name=f"conv{stage}")
    x = _batch_norm("post_bn")(x)
    x = layers.Activation("relu", name="post_relu")(x)
    x = classifier_top(
        x, include_top, pooling, classes, classifier_activation, weights, pool_names=("avg_pool", "max_pool")
    )
    fname = f"{variant}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    md5 = top_md5 if include_top else notop_md5
    return finished_model(input_tensor, img_input, x, name, weights, (fname, _BASE + fname, md5))


_ARGS_DOC = """
    Args:
        include_top: Whether to include the classifier (global average pooling + Dense).
        weights: `None` (random initialization), `"imagenet"` (Keras's published weights,
            downloaded once into `~/.keras/models/`) or the path to a weights file.
        input_tensor: Optional KerasTensor (output of `keras.Input`) to use as image input.
        input_shape: Shape without batch; only with `include_top=False` may it differ from
            `(224, 224, 3)` (at least 32x32).
        pooling: With `include_top=False`: `None` (4D feature maps), `"avg"` or `"max"`.
        classes: Number of classes, with `include_top=True` and no ImageNet weights.
        classifier_activation: Activation of the `predictions` layer (`None` or
            `"softmax"` with pretrained weights).
        name: The model's name.

    Returns:
        A functional `keras.Model`. Inputs must be processed by
        `resnet_v2.preprocess_input` (pixels scaled to [-1, 1]).
"""


def ResNet50V2(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "resnet50v2",
):
    return _build(
        "resnet50v2", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name
    )


def ResNet101V2(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "resnet101v2",
):
    return _build(
        "resnet101v2", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name
    )


def ResNet152V2(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "resnet152v2",
):
    return _build(
        "resnet152v2", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name
    )


ResNet50V2.__doc__ = "Instantiates the ResNet50V2 architecture (16 pre-activation blocks).\n" + _ARGS_DOC
ResNet101V2.__doc__ = "Instantiates the ResNet101V2 architecture (33 pre-activation blocks).\n" + _ARGS_DOC
ResNet152V2.__doc__ = "Instantiates the ResNet152V2 architecture (50 pre-activation blocks).\n" + _ARGS_DOC


def preprocess_input(x, data_format=None):
    """ResNetV2 preprocessing: pixels scaled from [0, 255] to [-1, 1] (`mode="tf"`)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """See `keras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
