"""DenseNet121/169/201 (Huang et al., "Densely Connected Convolutional Networks", CVPR 2017),
with Keras's layer names so Keras's weight files load."""

from __future__ import annotations

from keraslite import layers
from keraslite.applications import imagenet_utils
from keraslite.applications.argument_checks import channel_axis, check_weights, require_channels_last
from keraslite.applications.model_inputs import image_input, source_inputs
from keraslite.applications.weights import load_weights
from keraslite.backend import state
from keraslite.models.functional import Functional

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
# Building blocks per dense block -> (file stem, md5 with top, md5 without top), as Keras publishes them.
_WEIGHT_FILES = {
    (6, 12, 24, 16): ("densenet121", "9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    (6, 12, 32, 32): ("densenet169", "d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    (6, 12, 48, 32): ("densenet201", "1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
_GROWTH_RATE = 32
# DenseNet's BatchNormalization epsilon, from the original (Caffe/Torch) models.
_BN_EPSILON = 1.001e-5
_CLASSES_ERROR = 'If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be 1000'


def _batch_norm(name: str):
    return layers.BatchNormalization(axis=channel_axis(), epsilon=_BN_EPSILON, name=name)


def conv_block(x, growth_rate: int, name: str):
    """BN-ReLU-Conv1x1(4k)-BN-ReLU-Conv3x3(k), concatenated to its input (k = growth rate)."""
    y = _batch_norm(f"{name}_0_bn")(x)
    y = layers.Activation("relu", name=f"{name}_0_relu")(y)
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = _batch_norm(f"{name}_1_bn")(y)
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return layers.Concatenate(axis=channel_axis(), name=f"{name}_concat")([x, y])


def dense_block(x, blocks: int, name: str):
    """`blocks` conv blocks, each adding `growth_rate` channels."""
    for index in range(1, blocks + 1):
        x = conv_block(x, _GROWTH_RATE, name=f"{name}_block{index}")
    return x


def transition_block(x, reduction: float, name: str):
    """BN-ReLU-Conv1x1 (channels * reduction) then 2x2 average pooling."""
    x = _batch_norm(f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    x = layers.Conv2D(int(x.shape[channel_axis()] * reduction), 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def DenseNet(
    blocks,
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "densenet",
):
    """A DenseNet with `blocks` conv blocks in each of its four dense blocks.

    ImageNet weights exist for `blocks` = `[6, 12, 24, 16]` (121), `[6, 12, 32, 32]` (169)
    and `[6, 12, 48, 32]` (201). The other arguments are those of `DenseNet121`.
    """
    require_channels_last("DenseNet")
    check_weights(weights, include_top, classes, _CLASSES_ERROR)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=224,
        min_size=32,
        data_format=state.image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    img_input = image_input(input_shape, input_tensor)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _batch_norm("conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks, start=2):
        x = dense_block(x, count, name=f"conv{stage}")
        if stage < 5:
            x = transition_block(x, 0.5, name=f"pool{stage}")
    x = _batch_norm("bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Functional(source_inputs(input_tensor, img_input), x, name=name)
    imagenet_file = None
    if weights == "imagenet":
        if tuple(blocks) not in _WEIGHT_FILES:
            raise ValueError(
                "weights_path undefined: ImageNet weights exist only for DenseNet121, DenseNet169 and DenseNet201 "
                f"(blocks [6, 12, 24, 16], [6, 12, 32, 32], [6, 12, 48, 32]). Received: blocks={list(blocks)}"
            )
        stem, top_md5, notop_md5 = _WEIGHT_FILES[tuple(blocks)]
        fname = f"{stem}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
        imagenet_file = (fname, BASE_WEIGHTS_PATH + fname, top_md5 if include_top else notop_md5)
    load_weights(model, weights, imagenet_file)
    return model


_DOC = """Instantiates the {name} architecture ({blocks} conv blocks per dense block).

    Args:
        include_top: Whether to include the classifier (global average pooling + Dense).
        weights: `None` (random initialization), `"imagenet"` (Keras's published weights,
            downloaded once into `~/.keras/models/`) or the path to a weights file.
        input_tensor: Optional KerasTensor (output of `keras.Input`) to use as image input.
        input_shape: Shape without batch; only with `include_top=False` may it differ from
            `(224, 224, 3)` (at least 32x32). Channels-last only.
        pooling: With `include_top=False`: `None` (4D feature maps), `"avg"` or `"max"`.
        classes: Number of classes, with `include_top=True` and no ImageNet weights.
        classifier_activation: Activation of the `predictions` layer (`None` or `"softmax"`
            with pretrained weights).
        name: The model's name.

    Returns:
        A functional `keras.Model`. Inputs must be processed by `densenet.preprocess_input`.
"""


def DenseNet121(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "densenet121",
):
    return DenseNet(
        [6, 12, 24, 16], include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name
    )


def DenseNet169(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "densenet169",
):
    return DenseNet(
        [6, 12, 32, 32], include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name
    )


def DenseNet201(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "densenet201",
):
    return DenseNet(
        [6, 12, 48, 32], include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name
    )


DenseNet121.__doc__ = _DOC.format(name="DenseNet121", blocks="6, 12, 24, 16")
DenseNet169.__doc__ = _DOC.format(name="DenseNet169", blocks="6, 12, 32, 32")
DenseNet201.__doc__ = _DOC.format(name="DenseNet201", blocks="6, 12, 48, 32")


def preprocess_input(x, data_format=None):
    """DenseNet preprocessing: scale to [0, 1], then normalize each channel with ImageNet's
    mean and std (`mode="torch"`)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


def decode_predictions(preds, top: int = 5):
    """See `keras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
