"""EfficientNetB0-B7 (Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional
Neural Networks", ICML 2019), with Keras's layer names so Keras's weight files load.

Input preprocessing is part of the model (`Rescaling` to [0, 1] and a `Normalization`
layer whose statistics come with the weights): the models take pixels in [0, 255] and
`preprocess_input` passes its input through unchanged.
"""

from __future__ import annotations

import copy
import math

from keraslite import layers
from keraslite.applications import imagenet_utils
from keraslite.applications.argument_checks import channel_axis, check_weights
from keraslite.applications.model_inputs import image_input, source_inputs
from keraslite.applications.weights import load_weights
from keraslite.backend import state
from keraslite.models.functional import Functional

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/"
# Variant -> md5 of the weight files with and without the top, as Keras publishes them.
WEIGHTS_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}
_BLOCK_KEYS = ("kernel_size", "repeats", "filters_in", "filters_out", "expand_ratio", "id_skip", "strides", "se_ratio")
# The seven stages of EfficientNet-B0; the other variants scale filters and repeats.
DEFAULT_BLOCKS_ARGS = [
    dict(zip(_BLOCK_KEYS, row))
    for row in (
        (3, 1, 32, 16, 1, True, 1, 0.25),
        (3, 2, 16, 24, 6, True, 2, 0.25),
        (5, 2, 24, 40, 6, True, 2, 0.25),
        (3, 3, 40, 80, 6, True, 2, 0.25),
        (5, 3, 80, 112, 6, True, 1, 0.25),
        (5, 4, 112, 192, 6, True, 2, 0.25),
        (3, 1, 192, 320, 6, True, 1, 0.25),
    )
]
# Initializers of the original TPU implementation (Keras uses them too).
CONV_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"},
}
DENSE_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"},
}
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]
_CLASSES_ERROR = 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000'


def squeeze_excite(x, filters_in: int, filters: int, se_ratio: float, activation, name: str):
    """Squeeze-and-excitation: channel weights from a global average, multiplied into `x`."""
    filters_se = max(1, int(filters_in * se_ratio))
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se_shape = (filters, 1, 1) if channel_axis() == 1 else (1, 1, filters)
    se = layers.Reshape(se_shape, name=f"{name}se_reshape")(se)
    se = layers.Conv2D(
        filters_se,
        1,
        padding="same",
        activation=activation,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name=f"{name}se_reduce",
    )(se)
    se = layers.Conv2D(
        filters,
        1,
        padding="same",
        activation="sigmoid",
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name=f"{name}se_expand",
    )(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def block(
    inputs,
    activation="swish",
    drop_rate: float = 0.0,
    name: str = "",
    filters_in: int = 32,
    filters_out: int = 16,
    kernel_size: int = 3,
    strides: int = 1,
    expand_ratio: int = 1,
    se_ratio: float = 0.0,
    id_skip: bool = True,
):
    """Inverted residual (MBConv) block: expand 1x1, depthwise, squeeze-excite, project 1x1."""
    bn_axis = channel_axis()
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = layers.Conv2D(
            filters,
            1,
            padding="same",
            use_bias=False,
            kernel_initializer=CONV_KERNEL_INITIALIZER,
            name=f"{name}expand_conv",
        )(x)
        x = layers.BatchNormalization(axis=bn_axis, name=f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    if strides == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size), name=f"{name}dwconv_pad")(x)
    x = layers.DepthwiseConv2D(
        kernel_size,
        strides=strides,
        padding="valid" if strides == 2 else "same",
        use_bias=False,
        depthwise_initializer=CONV_KERNEL_INITIALIZER,
        name=f"{name}dwconv",
    )(x)
    x = layers.BatchNormalization(axis=bn_axis, name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, filters_in, filters, se_ratio, activation, name)
    x = layers.Conv2D(
        filters_out,
        1,
        padding="same",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name=f"{name}project_conv",
    )(x)
    x = layers.BatchNormalization(axis=bn_axis, name=f"{name}project_bn")(x)
    if id_skip and strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            # Drops the whole residual branch per sample (stochastic depth).
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def EfficientNet(
    width_coefficient: float,
    depth_coefficient: float,
    default_size: int,
    dropout_rate: float = 0.2,
    drop_connect_rate: float = 0.2,
    depth_divisor: int = 8,
    activation="swish",
    blocks_args="default",
    name: str = "efficientnet",
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    weights_name: str | None = None,
):
    """An EfficientNet scaled by `width_coefficient` (filters) and `depth_coefficient` (repeats).

    Args:
        width_coefficient, depth_coefficient: Scaling of the B0 network's width and depth.
        default_size: The input size the variant was trained at.
        dropout_rate: Dropout before the classifier.
        drop_connect_rate: Stochastic-depth rate of the last block; earlier blocks get a
            linearly smaller rate.
        depth_divisor: Filter counts are rounded to multiples of this.
        activation: The activation of every block.
        blocks_args: `"default"` or a list of block dicts like `DEFAULT_BLOCKS_ARGS`.
        weights_name: `"b0"` ... `"b7"`: which published weights `weights="imagenet"` loads.
        The other arguments are those of `EfficientNetB0`.
    """
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS
    check_weights(weights, include_top, classes, _CLASSES_ERROR)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=default_size,
        min_size=32,
        data_format=state.image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    img_input = image_input(input_shape, input_tensor)
    bn_axis = channel_axis()

    def round_filters(filters: float) -> int:
        filters *= width_coefficient
        rounded = max(depth_divisor, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor)
        # Never round down by more than 10%.
        return int(rounded + depth_divisor if rounded < 0.9 * filters else rounded)

    def round_repeats(repeats: int) -> int:
        return int(math.ceil(depth_coefficient * repeats))

    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=bn_axis)(x)
    if weights == "imagenet":
        # The published weights hold the ImageNet variance in this Normalization layer but
        # were trained dividing by the variance, not its square root: divide once more.
        x = layers.Rescaling([1.0 / math.sqrt(stddev) for stddev in IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name="stem_conv_pad")(x)
    x = layers.Conv2D(
        round_filters(32),
        3,
        strides=2,
        padding="valid",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name="stem_conv",
    )(x)
    x = layers.BatchNormalization(axis=bn_axis, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    blocks_args = copy.deepcopy(blocks_args)
    total_blocks = float(sum(round_repeats(args["repeats"]) for args in blocks_args))
    index = 0
    for stage, args in enumerate(blocks_args, start=1):
        if args["repeats"] <= 0:
            raise ValueError(
                f"The number of repeats in `EfficientNet` must be > 0. Received: repeats={args['repeats']}"
            )
        args["filters_in"] = round_filters(args["filters_in"])
        args["filters_out"] = round_filters(args["filters_out"])
        for repeat in range(round_repeats(args.pop("repeats"))):
            if repeat > 0:
                args["strides"] = 1
                args["filters_in"] = args["filters_out"]
            x = block(
                x,
                activation,
                drop_connect_rate * index / total_blocks,
                name=f"block{stage}{chr(ord('a') + repeat)}_",
                **args,
            )
            index += 1

    x = layers.Conv2D(
        round_filters(1280),
        1,
        padding="same",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name="top_conv",
    )(x)
    x = layers.BatchNormalization(axis=bn_axis, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(
            classes,
            activation=classifier_activation,
            kernel_initializer=DENSE_KERNEL_INITIALIZER,
            name="predictions",
        )(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = Functional(source_inputs(input_tensor, img_input), x, name=name)
    imagenet_file = None
    if weights == "imagenet":
        top_md5, notop_md5 = WEIGHTS_HASHES[weights_name]
        # Keras names the file after the model's name.
        fname = name + (".h5" if include_top else "_notop.h5")
        imagenet_file = (fname, BASE_WEIGHTS_PATH + fname, top_md5 if include_top else notop_md5)
    load_weights(model, weights, imagenet_file)
    return model


_DOC = """Instantiates the {name} architecture (trained at {size}x{size}).

    Preprocessing is part of the model: it takes pixels in [0, 255].

    Args:
        include_top: Whether to include the classifier (pooling, dropout, Dense).
        weights: `None` (random initialization), `"imagenet"` (Keras's published weights,
            downloaded once into `~/.keras/models/`) or the path to a weights file.
        input_tensor: Optional KerasTensor (output of `keras.Input`) to use as image input.
        input_shape: Shape without batch; only with `include_top=False` may it differ from
            `({size}, {size}, 3)` (at least 32x32).
        pooling: With `include_top=False`: `None` (4D feature maps), `"avg"` or `"max"`.
        classes: Number of classes, with `include_top=True` and no ImageNet weights.
        classifier_activation: Activation of the `predictions` layer (`None` or `"softmax"`
            with pretrained weights).
        name: The model's name (also the stem of the ImageNet weight file's name).

    Returns:
        A functional `keras.Model`.
"""

# Variant -> (width coefficient, depth coefficient, default size, dropout rate).
_VARIANTS = {
    "b0": (1.0, 1.0, 224, 0.2),
    "b1": (1.0, 1.1, 240, 0.2),
    "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3),
    "b4": (1.4, 1.8, 380, 0.4),
    "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5),
    "b7": (2.0, 3.1, 600, 0.5),
}


def _build(variant, include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name):
    width, depth, size, dropout = _VARIANTS[variant]
    return EfficientNet(
        width,
        depth,
        size,
        dropout,
        name=name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        weights_name=variant,
    )


def EfficientNetB0(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "efficientnetb0",
):
    return _build("b0", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name)


def EfficientNetB1(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "efficientnetb1",
):
    return _build("b1", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name)


def EfficientNetB2(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "efficientnetb2",
):
    return _build("b2", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name)


def EfficientNetB3(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "efficientnetb3",
):
    return _build("b3", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name)


def EfficientNetB4(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "efficientnetb4",
):
    return _build("b4", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name)


def EfficientNetB5(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "efficientnetb5",
):
    return _build("b5", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name)


def EfficientNetB6(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "efficientnetb6",
):
    return _build("b6", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name)


def EfficientNetB7(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "efficientnetb7",
):
    return _build("b7", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name)


for _function, _key in (
    (EfficientNetB0, "b0"),
    (EfficientNetB1, "b1"),
    (EfficientNetB2, "b2"),
    (EfficientNetB3, "b3"),
    (EfficientNetB4, "b4"),
    (EfficientNetB5, "b5"),
    (EfficientNetB6, "b6"),
    (EfficientNetB7, "b7"),
):
    _function.__doc__ = _DOC.format(name=_function.__name__, size=_VARIANTS[_key][2])


def preprocess_input(x, data_format=None):
    """Returns `x` unchanged: EfficientNet models preprocess inside the model (kept so code
    written for other applications runs as is)."""
    return x


def decode_predictions(preds, top: int = 5):
    """See `keras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
