"""MobileNetV2 (Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
CVPR 2018), with Keras's layer names so Keras's weight files load."""

from __future__ import annotations

import warnings

from keraslite import layers
from keraslite.applications import imagenet_utils
from keraslite.applications.model_inputs import image_input, source_inputs
from keraslite.applications.weights import check_weights_argument, load_weights
from keraslite.backend import state
from keraslite.models.functional import Functional

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
_SIZES_WITH_WEIGHTS = (96, 128, 160, 192, 224)
_ALPHAS_WITH_WEIGHTS = (0.35, 0.50, 0.75, 1.0, 1.3, 1.4)
# (filters, stride, expansion) of the 17 inverted residual blocks.
_BLOCKS = [
    (16, 1, 1),
    (24, 2, 6),
    (24, 1, 6),
    (32, 2, 6),
    (32, 1, 6),
    (32, 1, 6),
    (64, 2, 6),
    (64, 1, 6),
    (64, 1, 6),
    (64, 1, 6),
    (96, 1, 6),
    (96, 1, 6),
    (96, 1, 6),
    (160, 2, 6),
    (160, 1, 6),
    (160, 1, 6),
    (320, 1, 6),
]


def _make_divisible(value: float, divisor: int = 8) -> int:
    """Round channels to a multiple of `divisor`, never below 90% of `value`."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def _batch_norm(name: str):
    # MobileNetV2's BatchNormalization settings, as trained (TF-slim defaults).
    axis = 1 if state.image_data_format() == "channels_first" else -1
    return layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999, name=name)


def _inverted_res_block(inputs, expansion: int, stride: int, alpha: float, filters: int, block_id: int):
    channel_axis = 1 if state.image_data_format() == "channels_first" else -1
    in_channels = inputs.shape[channel_axis]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(
            expansion * in_channels,
            kernel_size=1,
            padding="same",
            use_bias=False,
            activation=None,
            name=f"{prefix}expand",
        )(x)
        x = _batch_norm(f"{prefix}expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(
        kernel_size=3,
        strides=stride,
        activation=None,
        use_bias=False,
        padding="same" if stride == 1 else "valid",
        name=f"{prefix}depthwise",
    )(x)
    x = _batch_norm(f"{prefix}depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(
        pointwise_filters, kernel_size=1, padding="same", use_bias=False, activation=None, name=f"{prefix}project"
    )(x)
    x = _batch_norm(f"{prefix}project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def _square_size(shape) -> int:
    rows, cols = (shape[1], shape[2]) if state.image_data_format() == "channels_first" else (shape[0], shape[1])
    return rows if rows == cols and rows in _SIZES_WITH_WEIGHTS else 224


def MobileNetV2(
    input_shape: tuple | None = None,
    alpha: float = 1.0,
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str | None = None,
):
    """Instantiates the MobileNetV2 architecture.

    Args:
        input_shape: Shape without batch (at least 32x32); ImageNet weights exist for square
            inputs of 96, 128, 160, 192 or 224.
        alpha: Width multiplier: < 1 shrinks, > 1 widens every layer's filters
            (ImageNet weights for 0.35, 0.5, 0.75, 1.0, 1.3, 1.4).
        include_top: Whether to include the classifier (global average pooling + Dense).
        weights: `None`, `"imagenet"` (downloaded once into `~/.keras/models/`) or a file path.
        input_tensor: Optional KerasTensor to use as image input.
        pooling: With `include_top=False`: `None`, `"avg"` or `"max"`.
        classes: Number of classes, with `include_top=True` and no ImageNet weights.
        classifier_activation: Activation of the `predictions` layer.
        name: The model's name (default `mobilenetv2_<alpha>_<rows>`).

    Returns:
        A functional `keras.Model`. Inputs must be processed by `mobilenet_v2.preprocess_input`.
    """
    check_weights_argument(weights, include_top, classes)
    if input_shape is None and input_tensor is not None:
        default_size = _square_size(tuple(input_tensor.shape[1:]))
    elif input_shape is None:
        default_size = 224
    else:
        default_size = _square_size(tuple(input_shape))
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=default_size,
        min_size=32,
        data_format=state.image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    rows, cols = (
        (input_shape[1], input_shape[2])
        if state.image_data_format() == "channels_first"
        else (input_shape[0], input_shape[1])
    )
    if weights == "imagenet":
        if alpha not in _ALPHAS_WITH_WEIGHTS:
            raise ValueError(
                "If imagenet weights are being loaded, alpha must be one of `0.35`, `0.50`, `0.75`, `1.0`, `1.3` or "
                f"`1.4` only; Received `alpha={alpha}`"
            )
        if rows != cols or rows not in _SIZES_WITH_WEIGHTS:
            rows = 224
            warnings.warn(
                "`input_shape` is undefined or non-square, or `rows` is not in [96, 128, 160, 192, 224]. Weights for "
                "input shape (224, 224) will be loaded as the default.",
                stacklevel=2,
            )
    img_input = image_input(input_shape, input_tensor)
    x = layers.Conv2D(
        _make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2), padding="same", use_bias=False, name="Conv1"
    )(img_input)
    x = _batch_norm("bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride, expansion=expansion, block_id=block_id)
    x = layers.Conv2D(
        _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280, kernel_size=1, use_bias=False, name="Conv_1"
    )(x)
    x = _batch_norm("Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    if name is None:
        name = f"mobilenetv2_{alpha:0.2f}_{rows}"
    model = Functional(source_inputs(input_tensor, img_input), x, name=name)
    fname = (
        f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}{'' if include_top else '_no_top'}.h5"
    )
    # Keras publishes no hashes for these files.
    load_weights(model, weights, (fname, BASE_WEIGHT_PATH + fname, None))
    return model


def preprocess_input(x, data_format=None):
    """MobileNetV2 preprocessing: scale pixels to [-1, 1] (`mode="tf"`)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """See `keras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
