"""`keras.applications.nasnet`: NASNet-A Mobile and Large (Zoph et al., "Learning Transferable
Architectures for Scalable Image Recognition", CVPR 2018), with Keras's layer names so
Keras's weight files load. Channels-last only, as in Keras.

Keras 3.15.1 refuses `NASNetMobile` under its torch backend (an open bug of its own); here
it is built like every other model."""

from __future__ import annotations

from keraslite import layers
from keraslite.applications import imagenet_utils
from keraslite.applications.application_model import checked_image_input, classifier_top, finished_model
from keraslite.backend import state

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
# default size -> ((top file name, URL, md5), (no-top file name, URL, md5))
_WEIGHT_FILES = {
    224: (
        ("nasnet_mobile.h5", _BASE + "NASNet-mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
        ("nasnet_mobile_no_top.h5", _BASE + "NASNet-mobile-no-top.h5", "1ed92395b5b598bdda52abe5c0dbfd63"),
    ),
    331: (
        ("nasnet_large.h5", _BASE + "NASNet-large.h5", "11577c9a518f0070763c2b964a382f17"),
        ("nasnet_large_no_top.h5", _BASE + "NASNet-large-no-top.h5", "d81d89dc07e6e56530c4e77faddd61b5"),
    ),
}
# NASNet's BatchNormalization settings, as trained.
_BN_MOMENTUM, _BN_EPSILON = 0.9997, 1e-3
_CHANNEL_AXIS = -1


def _batch_norm(name: str | None = None):
    return layers.BatchNormalization(axis=_CHANNEL_AXIS, momentum=_BN_MOMENTUM, epsilon=_BN_EPSILON, name=name)


def _conv_1x1(filters: int, name: str):
    return layers.Conv2D(
        filters, (1, 1), strides=(1, 1), padding="same", use_bias=False, name=name, kernel_initializer="he_normal"
    )


def _separable_conv_block(x, filters: int, kernel_size=(3, 3), strides=(1, 1), block_id: str = ""):
    """ReLU -> separable conv (`strides`) -> BN -> ReLU -> separable conv -> BN."""
    x = layers.Activation("relu")(x)
    if strides == (2, 2):
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, kernel_size), name=f"separable_conv_1_pad_{block_id}"
        )(x)
        padding = "valid"
    else:
        padding = "same"
    x = layers.SeparableConv2D(
        filters, kernel_size, strides=strides, name=f"separable_conv_1_{block_id}", padding=padding, use_bias=False
    )(x)
    x = _batch_norm(f"separable_conv_1_bn_{block_id}")(x)
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(
        filters, kernel_size, name=f"separable_conv_2_{block_id}", padding="same", use_bias=False
    )(x)
    return _batch_norm(f"separable_conv_2_bn_{block_id}")(x)


def _adjust_block(p, ip, filters: int, block_id: str):
    """Make the previous cell's output `p` match `ip`: halve its resolution (two offset
    strided 1x1 paths, concatenated) or project its channels to `filters`."""
    if p is None:
        return ip
    if p.shape[-2] != ip.shape[-2]:
        p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid", name=f"adjust_avg_pool_1_{block_id}")(p)
        p1 = _conv_1x1(filters // 2, f"adjust_conv_1_{block_id}")(p1)
        p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid", name=f"adjust_avg_pool_2_{block_id}")(p2)
        p2 = _conv_1x1(filters // 2, f"adjust_conv_2_{block_id}")(p2)
        p = layers.concatenate([p1, p2], axis=_CHANNEL_AXIS)
        return _batch_norm(f"adjust_bn_{block_id}")(p)
    if p.shape[_CHANNEL_AXIS] != filters:
        p = layers.Activation("relu")(p)
        p = _conv_1x1(filters, f"adjust_conv_projection_{block_id}")(p)
        return _batch_norm(f"adjust_bn_{block_id}")(p)
    return p


def _same_pool(kind, name: str):
    return kind((3, 3), strides=(1, 1), padding="same", name=name)


def _normal_a_cell(ip, p, filters: int, block_id: str):
    p = _adjust_block(p, ip, filters, block_id)
    h = layers.Activation("relu")(ip)
    h = _conv_1x1(filters, f"normal_conv_1_{block_id}")(h)
    h = _batch_norm(f"normal_bn_1_{block_id}")(h)

    x1_1 = _separable_conv_block(h, filters, kernel_size=(5, 5), block_id=f"normal_left1_{block_id}")
    x1_2 = _separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}")
    x1 = layers.add([x1_1, x1_2], name=f"normal_add_1_{block_id}")

    x2_1 = _separable_conv_block(p, filters, (5, 5), block_id=f"normal_left2_{block_id}")
    x2_2 = _separable_conv_block(p, filters, (3, 3), block_id=f"normal_right2_{block_id}")
    x2 = layers.add([x2_1, x2_2], name=f"normal_add_2_{block_id}")

    x3 = _same_pool(layers.AveragePooling2D, f"normal_left3_{block_id}")(h)
    x3 = layers.add([x3, p], name=f"normal_add_3_{block_id}")

    x4_1 = _same_pool(layers.AveragePooling2D, f"normal_left4_{block_id}")(p)
    x4_2 = _same_pool(layers.AveragePooling2D, f"normal_right4_{block_id}")(p)
    x4 = layers.add([x4_1, x4_2], name=f"normal_add_4_{block_id}")

    x5 = _separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}")
    x5 = layers.add([x5, h], name=f"normal_add_5_{block_id}")

    x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=_CHANNEL_AXIS, name=f"normal_concat_{block_id}")
    return x, ip


def _reduction_a_cell(ip, p, filters: int, block_id: str):
    p = _adjust_block(p, ip, filters, block_id)
    h = layers.Activation("relu")(ip)
    h = _conv_1x1(filters, f"reduction_conv_1_{block_id}")(h)
    h = _batch_norm(f"reduction_bn_1_{block_id}")(h)
    h3 = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(h, 3), name=f"reduction_pad_1_{block_id}")(h)

    x1_1 = _separable_conv_block(h, filters, (5, 5), strides=(2, 2), block_id=f"reduction_left1_{block_id}")
    x1_2 = _separable_conv_block(p, filters, (7, 7), strides=(2, 2), block_id=f"reduction_right1_{block_id}")
    x1 = layers.add([x1_1, x1_2], name=f"reduction_add_1_{block_id}")

    x2_1 = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid", name=f"reduction_left2_{block_id}")(h3)
    x2_2 = _separable_conv_block(p, filters, (7, 7), strides=(2, 2), block_id=f"reduction_right2_{block_id}")
    x2 = layers.add([x2_1, x2_2], name=f"reduction_add_2_{block_id}")

    x3_1 = layers.AveragePooling2D((3, 3), strides=(2, 2), padding="valid", name=f"reduction_left3_{block_id}")(h3)
    x3_2 = _separable_conv_block(p, filters, (5, 5), strides=(2, 2), block_id=f"reduction_right3_{block_id}")
    x3 = layers.add([x3_1, x3_2], name=f"reduction_add3_{block_id}")

    x4 = _same_pool(layers.AveragePooling2D, f"reduction_left4_{block_id}")(x1)
    x4 = layers.add([x2, x4])

    # Keras's names: this separable block reuses "reduction_left4", the pool is "right5".
    x5_1 = _separable_conv_block(x1, filters, (3, 3), block_id=f"reduction_left4_{block_id}")
    x5_2 = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid", name=f"reduction_right5_{block_id}")(h3)
    x5 = layers.add([x5_1, x5_2], name=f"reduction_add4_{block_id}")

    x = layers.concatenate([x2, x3, x4, x5], axis=_CHANNEL_AXIS, name=f"reduction_concat_{block_id}")
    return x, ip


def _nasnet(
    input_shape,
    penultimate_filters: int,
    num_blocks: int,
    stem_block_filters: int,
    skip_reduction: bool,
    filter_multiplier: int,
    include_top: bool,
    weights,
    input_tensor,
    pooling,
    classes: int,
    default_size: int,
    classifier_activation,
    name: str,
):
    if state.image_data_format() == "channels_first":
        raise ValueError(
            "NASNet does not support the `channels_first` image data format. Switch to `channels_last` with "
            '`keras.config.set_image_data_format("channels_last")` or in ~/.keras/keras.json.'
        )
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError(
            "When specifying the input shape of a NASNet and loading `ImageNet` weights, the input_shape argument "
            f"must be static (no None entries). Got: `input_shape={input_shape}`."
        )
    img_input = checked_image_input(
        weights, include_top, classes, input_tensor, input_shape, default_size=default_size, min_size=32
    )
    if penultimate_filters % (24 * (filter_multiplier**2)) != 0:
        raise ValueError(
            "For NASNet-A models, the `penultimate_filters` must be a multiple of 24 * (`filter_multiplier` ** 2). "
            f"Current value: {penultimate_filters}"
        )
    filters = penultimate_filters // 24
    x = layers.Conv2D(
        stem_block_filters,
        (3, 3),
        strides=(2, 2),
        padding="valid",
        use_bias=False,
        name="stem_conv1",
        kernel_initializer="he_normal",
    )(img_input)
    x = _batch_norm("stem_bn1")(x)

    p = None
    x, p = _reduction_a_cell(x, p, filters // (filter_multiplier**2), block_id="stem_1")
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier, block_id="stem_2")
    for stage in range(3):
        if stage:
            x, p0 = _reduction_a_cell(x, p, filters * filter_multiplier**stage, block_id=f"reduce_{stage * num_blocks}")
            p = p if skip_reduction else p0
        for index in range(num_blocks):
            # Keras numbers the normal cells 0..n-1, then n+1..2n, then 2n+1..3n.
            block_id = f"{stage * num_blocks + index + (1 if stage else 0)}"
            x, p = _normal_a_cell(x, p, filters * filter_multiplier**stage, block_id=block_id)
    x = layers.Activation("relu")(x)

    x = classifier_top(x, include_top, pooling, classes, classifier_activation, weights, top_pool_name=None)
    imagenet_file = None
    if weights == "imagenet":
        if default_size not in _WEIGHT_FILES:
            raise ValueError("ImageNet weights can only be loaded with NASNetLarge or NASNetMobile")
        imagenet_file = _WEIGHT_FILES[default_size][0 if include_top else 1]
    return finished_model(input_tensor, img_input, x, name, weights, imagenet_file)


def NASNetMobile(
    input_shape: tuple | None = None,
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "nasnet_mobile",
):
    """Instantiates the NASNet-A Mobile architecture (4 normal cells per stage, 224x224).

    Args:
        input_shape: Shape without batch; only with `include_top=False` may it differ from
            `(224, 224, 3)` (at least 32x32). Without a top it defaults to `(224, 224, 3)`.
        include_top: Whether to include the classifier (global average pooling + Dense).
        weights: `None` (random initialization), `"imagenet"` (Keras's published weights,
            downloaded once into `~/.keras/models/`) or the path to a weights file.
        input_tensor: Optional KerasTensor (output of `keras.Input`) to use as image input.
        pooling: With `include_top=False`: `None` (4D feature maps), `"avg"` or `"max"`.
        classes: Number of classes, with `include_top=True` and no ImageNet weights.
        classifier_activation: Activation of the `predictions` layer (`None` or
            `"softmax"` with pretrained weights).
        name: The model's name.

    Returns:
        A functional `keras.Model`. Inputs must be processed by
        `nasnet.preprocess_input` (pixels scaled to [-1, 1]).
    """
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return _nasnet(
        input_shape,
        penultimate_filters=1056,
        num_blocks=4,
        stem_block_filters=32,
        skip_reduction=False,
        filter_multiplier=2,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        pooling=pooling,
        classes=classes,
        default_size=224,
        classifier_activation=classifier_activation,
        name=name,
    )


def NASNetLarge(
    input_shape: tuple | None = None,
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "nasnet_large",
):
    """Instantiates the NASNet-A Large architecture (6 normal cells per stage, 331x331).

    Args:
        input_shape: Shape without batch; only with `include_top=False` may it differ from
            `(331, 331, 3)` (at least 32x32).
        include_top: Whether to include the classifier (global average pooling + Dense).
        weights: `None` (random initialization), `"imagenet"` (Keras's published weights,
            downloaded once into `~/.keras/models/`) or the path to a weights file.
        input_tensor: Optional KerasTensor (output of `keras.Input`) to use as image input.
        pooling: With `include_top=False`: `None` (4D feature maps), `"avg"` or `"max"`.
        classes: Number of classes, with `include_top=True` and no ImageNet weights.
        classifier_activation: Activation of the `predictions` layer (`None` or
            `"softmax"` with pretrained weights).
        name: The model's name.

    Returns:
        A functional `keras.Model`. Inputs must be processed by
        `nasnet.preprocess_input` (pixels scaled to [-1, 1]).
    """
    return _nasnet(
        input_shape,
        penultimate_filters=4032,
        num_blocks=6,
        stem_block_filters=96,
        skip_reduction=True,
        filter_multiplier=2,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        pooling=pooling,
        classes=classes,
        default_size=331,
        classifier_activation=classifier_activation,
        name=name,
    )


def preprocess_input(x, data_format=None):
    """NASNet preprocessing: pixels scaled from [0, 255] to [-1, 1] (`mode="tf"`)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """See `keras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
