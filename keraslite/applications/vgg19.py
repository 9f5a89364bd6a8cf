"""`keras.applications.vgg19`."""

from __future__ import annotations

from keraslite.applications import imagenet_utils
from keraslite.applications.vgg import build_vgg


def VGG19(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "vgg19",
):
    """Instantiates the VGG19 model (16 convolutions in 5 blocks, then 3 dense layers).

    Args:
        include_top: Whether to include the 3 fully-connected layers at the top.
        weights: `None` (random initialization), `"imagenet"` (Keras's published
            weights, downloaded once into `~/.keras/models/`) or the path to a weights file.
        input_tensor: Optional KerasTensor (output of `keras.Input`) to use as image input.
        input_shape: Shape without batch; only with `include_top=False` may it differ from
            `(224, 224, 3)` (at least 32x32, 3 channels for ImageNet weights).
        pooling: With `include_top=False`: `None` (4D feature maps), `"avg"` or `"max"`
            (global pooling, 2D output).
        classes: Number of classes, with `include_top=True` and no ImageNet weights.
        classifier_activation: Activation of the `predictions` layer (`"softmax"` or
            `None` with pretrained weights).
        name: The model's name.

    Returns:
        A functional `keras.Model`. Inputs must be processed by `vgg19.preprocess_input`.
    """
    return build_vgg(
        "vgg19", include_top, weights, input_tensor, input_shape, pooling, classes, classifier_activation, name
    )


def preprocess_input(x, data_format=None):
    """VGG19 preprocessing: RGB -> BGR and ImageNet mean subtraction (`mode="caffe"`)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top: int = 5):
    """See `keras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
