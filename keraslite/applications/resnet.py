"""ResNet50/101/152, version 1 (He et al., "Deep Residual Learning for Image Recognition",
CVPR 2015), with Keras's layer names so Keras's weight files load."""

from __future__ import annotations

from keraslite import layers
from keraslite.applications import imagenet_utils
from keraslite.applications.model_inputs import image_input, source_inputs
from keraslite.applications.weights import check_weights_argument, load_weights
from keraslite.backend import state
from keraslite.models.functional import Functional

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
# name -> blocks per stage (conv2..conv5), md5 of the top / no-top weight files
_VARIANTS = {
    "resnet50": ((3, 4, 6, 3), "2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ((3, 4, 23, 3), "f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ((3, 8, 36, 3), "100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
}
# Keras's ResNets use this BatchNormalization epsilon (from the original Caffe models).
_BN_EPSILON = 1.001e-5


def _bn_axis() -> int:
    return 3 if state.image_data_format() == "channels_last" else 1


def residual_block(x, filters: int, stride: int = 1, conv_shortcut: bool = True, name: str = ""):
    """Bottleneck block: 1x1 (filters) -> 3x3 (filters) -> 1x1 (4*filters), plus the shortcut."""
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=_bn_axis(), epsilon=_BN_EPSILON, name=f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = layers.BatchNormalization(axis=_bn_axis(), epsilon=_BN_EPSILON, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=_bn_axis(), epsilon=_BN_EPSILON, name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = layers.BatchNormalization(axis=_bn_axis(), epsilon=_BN_EPSILON, name=f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def _stack(x, filters: int, blocks: int, stride1: int, name: str):
    x = residual_block(x, filters, stride=stride1, name=f"{name}_block1")
    for index in range(2, blocks + 1):
        x = residual_block(x, filters, conv_shortcut=False, name=f"{name}_block{index}")
    return x


def _build(variant, include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name):
    stage_blocks, top_md5, notop_md5 = _VARIANTS[variant]
    check_weights_argument(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=224,
        min_size=32,
        data_format=state.image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    img_input = image_input(input_shape, input_tensor)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=True, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=_bn_axis(), epsilon=_BN_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stage, (filters, blocks) in enumerate(zip((64, 128, 256, 512), stage_blocks), start=2):
        x = _stack(x, filters, blocks, stride1=1 if stage == 2 else 2, name=f"conv{stage}")
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Functional(source_inputs(input_tensor, img_input), x, name=name)
    fname = f"{variant}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    load_weights(model, weights, (fname, _BASE + fname, top_md5 if include_top else notop_md5))
    return model


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
        classifier_activation: Activation of the `predictions` layer.
        name: The model's name.

    Returns:
        A functional `keras.Model`. Inputs must be processed by `resnet.preprocess_input`.
"""


def ResNet50(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "resnet50",
):
    return _build(
        "resnet50", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name
    )


def ResNet101(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "resnet101",
):
    return _build(
        "resnet101", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name
    )


def ResNet152(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "resnet152",
):
    return _build(
        "resnet152", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name
    )


ResNet50.__doc__ = "Instantiates the ResNet50 architecture (16 bottleneck blocks).\n" + _ARGS_DOC
ResNet101.__doc__ = "Instantiates the ResNet101 architecture (33 bottleneck blocks).\n" + _ARGS_DOC
ResNet152.__doc__ = "Instantiates the ResNet152 architecture (50 bottleneck blocks).\n" + _ARGS_DOC


def preprocess_input(x, data_format=None):
    """ResNet preprocessing: RGB -> BGR and ImageNet mean subtraction (`mode="caffe"`)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top: int = 5):
    """See `keras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
