"""`keras.applications.mobilenet_v3`: MobileNetV3Small and MobileNetV3Large (Howard et al.,
"Searching for MobileNetV3", ICCV 2019), with Keras's layer names so Keras's weight files load.

The models rescale their inputs themselves (a `Rescaling` layer, unless
`include_preprocessing=False`), so `preprocess_input` returns its input unchanged."""

from __future__ import annotations

import warnings

from keraslite import layers
from keraslite.applications import imagenet_utils
from keraslite.applications.application_model import finished_model
from keraslite.applications.model_inputs import image_input
from keraslite.applications.weights import check_weights_argument
from keraslite.backend import state
from keraslite.graph.keras_tensor import KerasTensor

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
# weights name -> md5 of the top / no-top files
_WEIGHTS_HASHES = {
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb", "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7", "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c", "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7", "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862", "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37", "cde8136e733e811080d9fcd8a252f7e4"),
}

# Inverted residual blocks: (expansion, filters, kernel, stride, squeeze-excite, activation).
# kernel "k", squeeze-excite "se" and activation "act" are the model-wide choices (5x5,
# 0.25 and hard-swish; 3x3, none and ReLU when `minimalistic`); the rest are fixed.
_SMALL_BLOCKS = [
    (1, 16, 3, 2, "se", "relu"),
    (72.0 / 16, 24, 3, 2, None, "relu"),
    (88.0 / 24, 24, 3, 1, None, "relu"),
    (4, 40, "k", 2, "se", "act"),
    (6, 40, "k", 1, "se", "act"),
    (6, 40, "k", 1, "se", "act"),
    (3, 48, "k", 1, "se", "act"),
    (3, 48, "k", 1, "se", "act"),
    (6, 96, "k", 2, "se", "act"),
    (6, 96, "k", 1, "se", "act"),
    (6, 96, "k", 1, "se", "act"),
]
_LARGE_BLOCKS = [
    (1, 16, 3, 1, None, "relu"),
    (4, 24, 3, 2, None, "relu"),
    (3, 24, 3, 1, None, "relu"),
    (3, 40, "k", 2, "se", "relu"),
    (3, 40, "k", 1, "se", "relu"),
    (3, 40, "k", 1, "se", "relu"),
    (6, 80, 3, 2, None, "act"),
    (2.5, 80, 3, 1, None, "act"),
    (2.3, 80, 3, 1, None, "act"),
    (2.3, 80, 3, 1, None, "act"),
    (6, 112, 3, 1, "se", "act"),
    (6, 112, 3, 1, "se", "act"),
    (6, 160, "k", 2, "se", "act"),
    (6, 160, "k", 1, "se", "act"),
    (6, 160, "k", 1, "se", "act"),
]


def _channel_axis() -> int:
    return 1 if state.image_data_format() == "channels_first" else -1


def _depth(value: float, divisor: int = 8) -> int:
    """Round channels to a multiple of `divisor`, never below 90% of `value`."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def _relu(x):
    return layers.ReLU()(x)


def _hard_sigmoid(x):
    # Two recorded ops around a ReLU6, as Keras builds it (the ops take auto names too).
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def _hard_swish(x):
    return layers.Activation("hard_swish")(x)


def _batch_norm(name: str):
    return layers.BatchNormalization(axis=_channel_axis(), epsilon=1e-3, momentum=0.999, name=name)


def _squeeze_excite(inputs, filters: int, se_ratio: float, prefix: str):
    x = layers.GlobalAveragePooling2D(keepdims=True, name=f"{prefix}squeeze_excite_avg_pool")(inputs)
    x = layers.Conv2D(_depth(filters * se_ratio), kernel_size=1, padding="same", name=f"{prefix}squeeze_excite_conv")(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", name=f"{prefix}squeeze_excite_conv_1")(x)
    x = _hard_sigmoid(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, x])


def _inverted_res_block(x, expansion, filters: int, kernel_size: int, stride: int, se_ratio, activation, block_id: int):
    shortcut = x
    in_filters = x.shape[_channel_axis()]
    prefix = "expanded_conv_"
    if block_id:
        prefix = f"expanded_conv_{block_id}_"
        x = layers.Conv2D(
            _depth(in_filters * expansion), kernel_size=1, padding="same", use_bias=False, name=f"{prefix}expand"
        )(x)
        x = _batch_norm(f"{prefix}expand_bn")(x)
        x = activation(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size), name=f"{prefix}depthwise_pad")(x)
    x = layers.DepthwiseConv2D(
        kernel_size,
        strides=stride,
        padding="same" if stride == 1 else "valid",
        use_bias=False,
        name=f"{prefix}depthwise",
    )(x)
    x = _batch_norm(f"{prefix}depthwise_bn")(x)
    x = activation(x)
    if se_ratio:
        x = _squeeze_excite(x, _depth(in_filters * expansion), se_ratio, prefix)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False, name=f"{prefix}project")(x)
    x = _batch_norm(f"{prefix}project_bn")(x)
    if stride == 1 and in_filters == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


def _checked_input_shape(input_shape, input_tensor):
    """Keras's own input checks for MobileNetV3 (it does not use `obtain_input_shape`)."""
    channels_first = state.image_data_format() == "channels_first"
    if input_tensor is not None and not isinstance(input_tensor, KerasTensor):
        raise ValueError(
            "`input_tensor` must be a KerasTensor (the output of `keras.Input`). Received: "
            f"type(input_tensor)={type(input_tensor)}"
        )
    if input_shape is not None and input_tensor is not None:
        # The axes Keras compares (the width in channels_last).
        tensor_axis = 1 if channels_first else 2
        if input_tensor.shape[tensor_axis] != input_shape[1]:
            raise ValueError(
                f"input_shape[1] must equal input_tensor.shape[{tensor_axis}].  Received input_shape={input_shape}, "
                f"input_tensor.shape={input_tensor.shape}"
            )
    if input_shape is None and input_tensor is not None:
        # Keras's order: (cols, rows, 3); it only feeds the size checks below.
        rows, cols = (input_tensor.shape[2], input_tensor.shape[3]) if channels_first else input_tensor.shape[1:3]
        input_shape = (3, cols, rows) if channels_first else (cols, rows, 3)
    if input_shape is None:
        input_shape = (3, None, None) if channels_first else (None, None, 3)
    return tuple(input_shape)


def _mobilenet_v3(
    blocks,
    last_point_ch: int,
    model_type: str,
    input_shape,
    alpha,
    minimalistic,
    include_top,
    weights,
    input_tensor,
    classes,
    pooling,
    dropout_rate,
    classifier_activation,
    include_preprocessing,
    name,
):
    check_weights_argument(weights, include_top, classes)
    input_shape = _checked_input_shape(input_shape, input_tensor)
    rows, cols = (input_shape[1], input_shape[2]) if state.image_data_format() == "channels_first" else input_shape[:2]
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(f"Input size must be at least 32x32; Received `input_shape={input_shape}`")
    if weights == "imagenet":
        if (not minimalistic and alpha not in (0.75, 1.0)) or (minimalistic and alpha != 1.0):
            raise ValueError(
                "If imagenet weights are being loaded, alpha can be one of `0.75`, `1.0` for non minimalistic or "
                f"`1.0` for minimalistic only. Received: alpha={alpha}, minimalistic={minimalistic}"
            )
        if rows != cols or rows != 224:
            warnings.warn(
                "`input_shape` is undefined or non-square, or `rows` is not 224. Weights for input shape (224, 224) "
                "will be loaded as the default.",
                stacklevel=3,
            )
    img_input = image_input(input_shape, input_tensor)
    if minimalistic:
        kernel, activation, se_ratio = 3, _relu, None
    else:
        kernel, activation, se_ratio = 5, _hard_swish, 0.25

    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False, name="conv")(x)
    x = _batch_norm("conv_bn")(x)
    x = activation(x)
    for block_id, (expansion, filters, block_kernel, stride, se, block_activation) in enumerate(blocks):
        x = _inverted_res_block(
            x,
            expansion,
            _depth(filters * alpha),
            kernel if block_kernel == "k" else block_kernel,
            stride,
            se_ratio if se else None,
            activation if block_activation == "act" else _relu,
            block_id,
        )
    last_conv_ch = _depth(x.shape[_channel_axis()] * 6)
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha)
    x = layers.Conv2D(last_conv_ch, kernel_size=1, padding="same", use_bias=False, name="conv_1")(x)
    x = _batch_norm("conv_1_bn")(x)
    x = activation(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True, name="conv_2")(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, kernel_size=1, padding="same", name="logits")(x)
        x = layers.Flatten()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    imagenet_file = None
    if weights == "imagenet":
        weights_name = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
        top_md5, notop_md5 = _WEIGHTS_HASHES[weights_name]
        fname = f"weights_mobilenet_v3_{weights_name}{'' if include_top else '_no_top_v2'}.h5"
        imagenet_file = (fname, _BASE + fname, top_md5 if include_top else notop_md5)
    return finished_model(input_tensor, img_input, x, name, weights, imagenet_file)


_ARGS_DOC = """
    Args:
        input_shape: Shape without batch (at least 32x32; `(None, None, 3)` by default).
            With an `input_tensor`, its shape is used.
        alpha: Width multiplier: < 1 shrinks, > 1 widens every layer's filters (ImageNet
            weights for 0.75 and 1.0, and 1.0 only when minimalistic).
        minimalistic: Without squeeze-and-excite, hard-swish and 5x5 convolutions (3x3
            convolutions and ReLU throughout).
        include_top: Whether to include the classifier (pooling, 1x1 convolutions
            `conv_2` and `logits`, flatten, activation).
        weights: `None`, `"imagenet"` (downloaded once into `~/.keras/models/`) or a file path.
        input_tensor: Optional KerasTensor to use as image input.
        classes: Number of classes, with `include_top=True` and no ImageNet weights.
        pooling: With `include_top=False`: `None`, `"avg"` or `"max"`.
        dropout_rate: Dropout rate before the `logits` layer (none when 0).
        classifier_activation: Activation of the `predictions` layer (`None` or
            `"softmax"` with pretrained weights).
        include_preprocessing: Whether the model starts with a `Rescaling` layer that maps
            pixels in [0, 255] to [-1, 1]; without it, inputs must already be in [-1, 1].
        name: The model's name.

    Returns:
        A functional `keras.Model`.
"""


def MobileNetV3Small(
    input_shape: tuple | None = None,
    alpha: float = 1.0,
    minimalistic: bool = False,
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    classes: int = 1000,
    pooling: str | None = None,
    dropout_rate: float = 0.2,
    classifier_activation="softmax",
    include_preprocessing: bool = True,
    name: str = "MobileNetV3Small",
):
    return _mobilenet_v3(
        _SMALL_BLOCKS,
        1024,
        "small",
        input_shape,
        alpha,
        minimalistic,
        include_top,
        weights,
        input_tensor,
        classes,
        pooling,
        dropout_rate,
        classifier_activation,
        include_preprocessing,
        name,
    )


def MobileNetV3Large(
    input_shape: tuple | None = None,
    alpha: float = 1.0,
    minimalistic: bool = False,
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    classes: int = 1000,
    pooling: str | None = None,
    dropout_rate: float = 0.2,
    classifier_activation="softmax",
    include_preprocessing: bool = True,
    name: str = "MobileNetV3Large",
):
    return _mobilenet_v3(
        _LARGE_BLOCKS,
        1280,
        "large",
        input_shape,
        alpha,
        minimalistic,
        include_top,
        weights,
        input_tensor,
        classes,
        pooling,
        dropout_rate,
        classifier_activation,
        include_preprocessing,
        name,
    )


MobileNetV3Small.__doc__ = "Instantiates the MobileNetV3Small architecture (11 inverted residual blocks).\n" + _ARGS_DOC
MobileNetV3Large.__doc__ = "Instantiates the MobileNetV3Large architecture (15 inverted residual blocks).\n" + _ARGS_DOC


def preprocess_input(x, data_format=None):
    """A pass-through: MobileNetV3 models rescale their inputs themselves (see
    `include_preprocessing`). Returns `x` unchanged."""
    return x


def decode_predictions(preds, top: int = 5):
    """See `keras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
