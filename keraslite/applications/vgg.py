"""VGG16 and VGG19 (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale
Image Recognition", ICLR 2015), with Keras's layer names so Keras's weight files load."""

from __future__ import annotations

from keraslite import layers
from keraslite.applications import imagenet_utils
from keraslite.applications.model_inputs import image_input, source_inputs
from keraslite.applications.weights import check_weights_argument, load_weights
from keraslite.backend import state
from keraslite.models.functional import Functional

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"
# name -> (convolutions per block, (top file, md5), (no-top file, md5))
_VARIANTS = {
    "vgg16": (
        (2, 2, 3, 3, 3),
        ("vgg16_weights_tf_dim_ordering_tf_kernels.h5", "64373286793e3c8b2b4e3219cbf3544b"),
        ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "6d6bbae143d832006294945121d1f1fc"),
    ),
    "vgg19": (
        (2, 2, 4, 4, 4),
        ("vgg19_weights_tf_dim_ordering_tf_kernels.h5", "cbe5617147190e668d6c5d5026f83318"),
        ("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", "253f8cb515780f3b799900260a226db6"),
    ),
}
_FILTERS = (64, 128, 256, 512, 512)


def build_vgg(variant, include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name):
    blocks, top_file, notop_file = _VARIANTS[variant]
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
    x = img_input
    for block, (convs, filters) in enumerate(zip(blocks, _FILTERS), start=1):
        for index in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same", name=f"block{block}_conv{index}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    model = Functional(source_inputs(input_tensor, img_input), x, name=name)
    fname, md5 = top_file if include_top else notop_file
    load_weights(model, weights, (fname, f"{_BASE}{variant}/{fname}", md5))
    return model
