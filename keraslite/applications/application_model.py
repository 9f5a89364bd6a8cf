"""The parts every classification application shares, around its own feature extractor:
the input (checked against the architecture's sizes), the classifier head or global pooling,
and the model itself with its weights."""

from __future__ import annotations

from keraslite import layers
from keraslite.applications import imagenet_utils
from keraslite.applications.model_inputs import image_input, source_inputs
from keraslite.applications.weights import check_weights_argument, load_weights
from keraslite.backend import state
from keraslite.models.functional import Functional


def channel_axis() -> int:
    """The channel axis of a 4D image batch in the current `image_data_format`."""
    return 1 if state.image_data_format() == "channels_first" else 3


def checked_input_shape(
    weights, include_top: bool, classes: int, input_shape, default_size: int, min_size: int
) -> tuple:
    """Validate `weights`/`classes` and the input shape; return the input shape to use."""
    check_weights_argument(weights, include_top, classes)
    return imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=default_size,
        min_size=min_size,
        data_format=state.image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )


def checked_image_input(
    weights, include_top: bool, classes: int, input_tensor, input_shape, default_size: int, min_size: int
):
    """Validate `weights`/`classes` and the input shape, and return the image input."""
    input_shape = checked_input_shape(weights, include_top, classes, input_shape, default_size, min_size)
    return image_input(input_shape, input_tensor)


def classifier_top(
    x,
    include_top: bool,
    pooling,
    classes: int,
    classifier_activation,
    weights,
    pool_names: tuple[str | None, str | None] = (None, None),
    top_pool_name: str | None = "avg_pool",
):
    """With `include_top`: global average pooling then the `predictions` Dense layer;
    otherwise the `pooling` asked for (`"avg"`, `"max"` or none), named by `pool_names`."""
    if include_top:
        x = layers.GlobalAveragePooling2D(name=top_pool_name)(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=pool_names[0])(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=pool_names[1])(x)
    return x


def finished_model(input_tensor, img_input, outputs, name: str, weights, imagenet_file=None) -> Functional:
    """The functional model from the image input (or `input_tensor`'s own sources) to
    `outputs`, with `weights` applied; `imagenet_file` is `(file name, URL, hash)`."""
    model = Functional(source_inputs(input_tensor, img_input), outputs, name=name)
    load_weights(model, weights, imagenet_file)
    return model
