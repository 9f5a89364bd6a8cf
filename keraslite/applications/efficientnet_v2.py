"""EfficientNetV2 B0-B3, S, M, L (Tan & Le, "EfficientNetV2: Smaller Models and Faster
Training", ICML 2021), with Keras's layer names so Keras's weight files load.

With `include_preprocessing=True` (the default) the models take pixels in [0, 255]
and `preprocess_input` passes its input through unchanged.
"""

from __future__ import annotations

import copy
import math

from keraslite import initializers, layers
from keraslite.applications import imagenet_utils
from keraslite.applications.argument_checks import channel_axis, check_weights
from keraslite.applications.efficientnet import (
    CONV_KERNEL_INITIALIZER,
    DENSE_KERNEL_INITIALIZER,
    squeeze_excite,
)
from keraslite.applications.model_inputs import image_input, source_inputs
from keraslite.applications.weights import load_weights
from keraslite.backend import state
from keraslite.models.functional import Functional

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
# Variant -> md5 of the weight files with and without the top, as Keras publishes them.
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
_BLOCK_KEYS = (
    "kernel_size",
    "num_repeat",
    "input_filters",
    "output_filters",
    "expand_ratio",
    "se_ratio",
    "strides",
    "conv_type",
)


def _stages(*rows):
    return [dict(zip(_BLOCK_KEYS, row)) for row in rows]


# conv_type 1: fused MBConv (one full conv instead of expand + depthwise); 0: MBConv.
_B_STAGES = _stages(
    (3, 1, 32, 16, 1, 0, 1, 1),
    (3, 2, 16, 32, 4, 0, 2, 1),
    (3, 2, 32, 48, 4, 0, 2, 1),
    (3, 3, 48, 96, 4, 0.25, 2, 0),
    (3, 5, 96, 112, 6, 0.25, 1, 0),
    (3, 8, 112, 192, 6, 0.25, 2, 0),
)
DEFAULT_BLOCKS_ARGS = {
    "efficientnetv2-s": _stages(
        (3, 2, 24, 24, 1, 0.0, 1, 1),
        (3, 4, 24, 48, 4, 0.0, 2, 1),
        (3, 4, 48, 64, 4, 0, 2, 1),
        (3, 6, 64, 128, 4, 0.25, 2, 0),
        (3, 9, 128, 160, 6, 0.25, 1, 0),
        (3, 15, 160, 256, 6, 0.25, 2, 0),
    ),
    "efficientnetv2-m": _stages(
        (3, 3, 24, 24, 1, 0, 1, 1),
        (3, 5, 24, 48, 4, 0, 2, 1),
        (3, 5, 48, 80, 4, 0, 2, 1),
        (3, 7, 80, 160, 4, 0.25, 2, 0),
        (3, 14, 160, 176, 6, 0.25, 1, 0),
        (3, 18, 176, 304, 6, 0.25, 2, 0),
        (3, 5, 304, 512, 6, 0.25, 1, 0),
    ),
    "efficientnetv2-l": _stages(
        (3, 4, 32, 32, 1, 0, 1, 1),
        (3, 7, 32, 64, 4, 0, 2, 1),
        (3, 7, 64, 96, 4, 0, 2, 1),
        (3, 10, 96, 192, 4, 0.25, 2, 0),
        (3, 19, 192, 224, 6, 0.25, 1, 0),
        (3, 25, 224, 384, 6, 0.25, 2, 0),
        (3, 7, 384, 640, 6, 0.25, 1, 0),
    ),
    "efficientnetv2-b0": _B_STAGES,
    "efficientnetv2-b1": copy.deepcopy(_B_STAGES),
    "efficientnetv2-b2": copy.deepcopy(_B_STAGES),
    "efficientnetv2-b3": copy.deepcopy(_B_STAGES),
}
_CLASSES_ERROR = 'If using `weights="imagenet"` with `include_top` as true, `classes` should be 1000'


def round_filters(filters: float, width_coefficient: float, min_depth: int | None, depth_divisor: int) -> int:
    """Scale `filters` by `width_coefficient`, rounded to a multiple of `depth_divisor`."""
    filters *= width_coefficient
    minimum = min_depth or depth_divisor
    return int(max(minimum, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def round_repeats(repeats: int, depth_coefficient: float) -> int:
    """Scale a stage's block count by `depth_coefficient`, rounded up."""
    return int(math.ceil(depth_coefficient * repeats))


def _next_uid(prefix: str) -> int:
    # Keras's `backend.get_uid(prefix)`: 1, 2, ... per prefix until `clear_session()`.
    return int(state.unique_name(prefix, zero_based=False).rsplit("_", 1)[1])


def _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name):
    if strides == 1 and input_filters == output_filters:
        if survival_probability:
            # Keras passes this value as the dropout *rate* of the whole-branch dropout.
            x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def MBConvBlock(
    input_filters: int,
    output_filters: int,
    expand_ratio: int = 1,
    kernel_size: int = 3,
    strides: int = 1,
    se_ratio: float = 0.0,
    bn_momentum: float = 0.9,
    activation="swish",
    survival_probability: float = 0.8,
    name: str | None = None,
):
    """Mobile inverted bottleneck: expand 1x1, depthwise, squeeze-excite, project 1x1.
    Returns a function applying the block to a tensor."""
    bn_axis = channel_axis()
    if name is None:
        name = _next_uid("block0")

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = layers.Conv2D(
                filters=filters,
                kernel_size=1,
                strides=1,
                kernel_initializer=CONV_KERNEL_INITIALIZER,
                padding="same",
                data_format=state.image_data_format(),
                use_bias=False,
                name=f"{name}expand_conv",
            )(x)
            x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}expand_bn")(x)
            x = layers.Activation(activation, name=f"{name}expand_activation")(x)
        x = layers.DepthwiseConv2D(
            kernel_size=kernel_size,
            strides=strides,
            depthwise_initializer=CONV_KERNEL_INITIALIZER,
            padding="same",
            data_format=state.image_data_format(),
            use_bias=False,
            name=f"{name}dwconv2",
        )(x)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}bn")(x)
        x = layers.Activation(activation, name=f"{name}activation")(x)
        if 0 < se_ratio <= 1:
            x = squeeze_excite(x, input_filters, filters, se_ratio, activation, name)
        x = layers.Conv2D(
            filters=output_filters,
            kernel_size=1,
            strides=1,
            kernel_initializer=CONV_KERNEL_INITIALIZER,
            padding="same",
            data_format=state.image_data_format(),
            use_bias=False,
            name=f"{name}project_conv",
        )(x)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}project_bn")(x)
        return _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name)

    return apply


def FusedMBConvBlock(
    input_filters: int,
    output_filters: int,
    expand_ratio: int = 1,
    kernel_size: int = 3,
    strides: int = 1,
    se_ratio: float = 0.0,
    bn_momentum: float = 0.9,
    activation="swish",
    survival_probability: float = 0.8,
    name: str | None = None,
):
    """Fused MBConv: one full `kernel_size` conv replaces the expand and depthwise convs.
    Returns a function applying the block to a tensor."""
    bn_axis = channel_axis()
    if name is None:
        name = _next_uid("block0")

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = layers.Conv2D(
                filters,
                kernel_size=kernel_size,
                strides=strides,
                kernel_initializer=CONV_KERNEL_INITIALIZER,
                data_format=state.image_data_format(),
                padding="same",
                use_bias=False,
                name=f"{name}expand_conv",
            )(x)
            x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}expand_bn")(x)
            x = layers.Activation(activation=activation, name=f"{name}expand_activation")(x)
        if 0 < se_ratio <= 1:
            x = squeeze_excite(x, input_filters, filters, se_ratio, activation, name)
        x = layers.Conv2D(
            output_filters,
            kernel_size=1 if expand_ratio != 1 else kernel_size,
            strides=1 if expand_ratio != 1 else strides,
            kernel_initializer=CONV_KERNEL_INITIALIZER,
            padding="same",
            use_bias=False,
            name=f"{name}project_conv",
        )(x)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}project_bn")(x)
        if expand_ratio == 1:
            x = layers.Activation(activation=activation, name=f"{name}project_activation")(x)
        return _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name)

    return apply


def EfficientNetV2(
    width_coefficient: float,
    depth_coefficient: float,
    default_size: int,
    dropout_rate: float = 0.2,
    drop_connect_rate: float = 0.2,
    depth_divisor: int = 8,
    min_depth: int = 8,
    bn_momentum: float = 0.9,
    activation="swish",
    blocks_args="default",
    name: str = "efficientnetv2",
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    include_preprocessing: bool = True,
    weights_name: str | None = None,
):
    """An EfficientNetV2 scaled by `width_coefficient` (filters) and `depth_coefficient` (repeats).

    Args:
        width_coefficient, depth_coefficient: Scaling of the stages' width and depth.
        default_size: The input size the variant was trained at.
        dropout_rate: Dropout before the classifier.
        drop_connect_rate: Whole-branch dropout rate of the last block; earlier blocks get a
            linearly smaller rate.
        depth_divisor, min_depth: Filter counts are rounded to multiples of `depth_divisor`,
            and are at least `min_depth`.
        bn_momentum: Momentum of every BatchNormalization.
        activation: The activation of every block.
        blocks_args: `"default"` (the stages of `DEFAULT_BLOCKS_ARGS[name]`, so `name`
            must then be one of its keys) or a list of stage dicts.
        weights_name: `"b0"` ... `"b3"`, `"-s"`, `"-m"`, `"-l"`: which published weights
            `weights="imagenet"` loads.
        The other arguments are those of `EfficientNetV2B0`.
    """
    if blocks_args == "default":
        if name not in DEFAULT_BLOCKS_ARGS:
            raise ValueError(
                f"With blocks_args='default' the model name picks the stages; it must be one of "
                f"{sorted(DEFAULT_BLOCKS_ARGS)}. Received: name={name!r}"
            )
        blocks_args = DEFAULT_BLOCKS_ARGS[name]
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

    def scaled(filters):
        return round_filters(filters, width_coefficient, min_depth, depth_divisor)

    x = img_input
    if include_preprocessing:
        channels = input_shape[bn_axis - 1]
        if name.split("-")[-1].startswith("b") and channels == 3:
            # The B variants were trained on ImageNet-normalized inputs ...
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229**2, 0.224**2, 0.225**2], axis=bn_axis)(
                x
            )
        else:
            # ... S, M and L on inputs scaled to [-1, 1].
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)

    x = layers.Conv2D(
        filters=scaled(blocks_args[0]["input_filters"]),
        kernel_size=3,
        strides=2,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        padding="same",
        use_bias=False,
        name="stem_conv",
    )(x)
    x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    blocks_args = copy.deepcopy(blocks_args)
    total_blocks = float(sum(args["num_repeat"] for args in blocks_args))
    index = 0
    for stage, args in enumerate(blocks_args, start=1):
        if args["num_repeat"] <= 0:
            raise ValueError(
                f"The number of repeats in `EfficientNetV2` must be > 0. Received: num_repeat={args['num_repeat']}"
            )
        args["input_filters"] = scaled(args["input_filters"])
        args["output_filters"] = scaled(args["output_filters"])
        block = FusedMBConvBlock if args.pop("conv_type") == 1 else MBConvBlock
        for repeat in range(round_repeats(args.pop("num_repeat"), depth_coefficient)):
            if repeat > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = block(
                activation=activation,
                bn_momentum=bn_momentum,
                survival_probability=drop_connect_rate * index / total_blocks,
                name=f"block{stage}{chr(ord('a') + repeat)}_",
                **args,
            )(x)
            index += 1

    x = layers.Conv2D(
        filters=scaled(1280),
        kernel_size=1,
        strides=1,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        padding="same",
        data_format=state.image_data_format(),
        use_bias=False,
        name="top_conv",
    )(x)
    x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name="top_bn")(x)
    x = layers.Activation(activation=activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(
            classes,
            activation=classifier_activation,
            kernel_initializer=DENSE_KERNEL_INITIALIZER,
            bias_initializer=initializers.Constant(0.0),
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
        include_preprocessing: Whether the model starts with its input scaling, so that it
            takes pixels in [0, 255]; without it, inputs must already be scaled ({scaling}).
        name: The model's name (also the stem of the ImageNet weight file's name).

    Returns:
        A functional `keras.Model`.
"""

# Variant -> (width coefficient, depth coefficient, default size).
_VARIANTS = {
    "b0": (1.0, 1.0, 224),
    "b1": (1.0, 1.1, 240),
    "b2": (1.1, 1.2, 260),
    "b3": (1.2, 1.4, 300),
    "-s": (1.0, 1.0, 384),
    "-m": (1.0, 1.0, 480),
    "-l": (1.0, 1.0, 480),
}


def _variant(
    variant, include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, preprocess, name
):
    width, depth, size = _VARIANTS[variant]
    return EfficientNetV2(
        width_coefficient=width,
        depth_coefficient=depth,
        default_size=size,
        name=name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=preprocess,
        weights_name=variant,
    )


def EfficientNetV2B0(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    include_preprocessing: bool = True,
    name: str = "efficientnetv2-b0",
):
    return _variant(
        "b0",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        include_preprocessing,
        name,
    )


def EfficientNetV2B1(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    include_preprocessing: bool = True,
    name: str = "efficientnetv2-b1",
):
    return _variant(
        "b1",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        include_preprocessing,
        name,
    )


def EfficientNetV2B2(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    include_preprocessing: bool = True,
    name: str = "efficientnetv2-b2",
):
    return _variant(
        "b2",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        include_preprocessing,
        name,
    )


def EfficientNetV2B3(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    include_preprocessing: bool = True,
    name: str = "efficientnetv2-b3",
):
    return _variant(
        "b3",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        include_preprocessing,
        name,
    )


def EfficientNetV2S(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    include_preprocessing: bool = True,
    name: str = "efficientnetv2-s",
):
    return _variant(
        "-s",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        include_preprocessing,
        name,
    )


def EfficientNetV2M(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    include_preprocessing: bool = True,
    name: str = "efficientnetv2-m",
):
    return _variant(
        "-m",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        include_preprocessing,
        name,
    )


def EfficientNetV2L(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    include_preprocessing: bool = True,
    name: str = "efficientnetv2-l",
):
    return _variant(
        "-l",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        include_preprocessing,
        name,
    )


_B_SCALING = "ImageNet mean and std normalization of [0, 1] pixels"
for _function, _key, _scaling in (
    (EfficientNetV2B0, "b0", _B_SCALING),
    (EfficientNetV2B1, "b1", _B_SCALING),
    (EfficientNetV2B2, "b2", _B_SCALING),
    (EfficientNetV2B3, "b3", _B_SCALING),
    (EfficientNetV2S, "-s", "[-1, 1]"),
    (EfficientNetV2M, "-m", "[-1, 1]"),
    (EfficientNetV2L, "-l", "[-1, 1]"),
):
    _function.__doc__ = _DOC.format(name=_function.__name__, size=_VARIANTS[_key][2], scaling=_scaling)


def preprocess_input(x, data_format=None):
    """Returns `x` unchanged: EfficientNetV2 models preprocess inside the model (kept so code
    written for other applications runs as is)."""
    return x


def decode_predictions(preds, top: int = 5):
    """See `keras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
