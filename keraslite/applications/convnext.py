"""ConvNeXt Tiny/Small/Base/Large/XLarge (Liu et al., "A ConvNet for the 2020s", CVPR 2022),
with Keras's layer names so Keras's weight files load.

Input preprocessing is part of the model (a `Normalization` layer with ImageNet's
statistics): the models take pixels in [0, 255] and `preprocess_input` passes its input
through unchanged. The stem and the three downsampling steps are nested `Sequential`
models, as in Keras.
"""

from __future__ import annotations

import numpy as np
import torch

from keraslite import initializers, layers
from keraslite.applications import imagenet_utils
from keraslite.applications.argument_checks import check_weights, require_channels_last
from keraslite.applications.model_inputs import image_input, source_inputs
from keraslite.applications.weights import load_weights
from keraslite.backend import state
from keraslite.models.functional import Functional
from keraslite.models.sequential import Sequential

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
# Variant -> sha256 of the weight files with and without the top, as Keras publishes them.
WEIGHTS_HASHES = {
    "convnext_tiny": (
        "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
        "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1",
    ),
    "convnext_small": (
        "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
        "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab",
    ),
    "convnext_base": (
        "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
        "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45",
    ),
    "convnext_large": (
        "070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
        "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd",
    ),
    "convnext_xlarge": (
        "c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05",
    ),
}
MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "small": {"depths": [3, 3, 27, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "base": {"depths": [3, 3, 27, 3], "projection_dims": [128, 256, 512, 1024], "default_size": 224},
    "large": {"depths": [3, 3, 27, 3], "projection_dims": [192, 384, 768, 1536], "default_size": 224},
    "xlarge": {"depths": [3, 3, 27, 3], "projection_dims": [256, 512, 1024, 2048], "default_size": 224},
}
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)
_CLASSES_ERROR = (
    'If using `weights="imagenet"` with `include_top=True`, `classes` should be 1000. Received classes={classes}'
)


class StochasticDepth(layers.Layer):
    """Drops the whole residual branch of a sample with probability `drop_path_rate` while
    training (scaling the kept ones by 1 / (1 - rate)); the identity at inference."""

    def __init__(self, drop_path_rate: float, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if not training:
            return x
        keep_prob = 1 - self.drop_path_rate
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        mask = torch.floor(keep_prob + torch.rand(shape, dtype=x.dtype, device=x.device))
        return x / keep_prob * mask

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["drop_path_rate"] = self.drop_path_rate
        return config


class LayerScale(layers.Layer):
    """Multiplies the last axis by a learned per-channel scale `gamma`, initialized to
    `init_values` (Touvron et al., "Going deeper with Image Transformers", 2021)."""

    def __init__(self, init_values: float, projection_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape) -> None:
        self.gamma = self.add_weight(
            shape=(self.projection_dim,), initializer=initializers.Constant(self.init_values), trainable=True
        )

    def call(self, x):
        return x * self.gamma

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"init_values": self.init_values, "projection_dim": self.projection_dim})
        return config


def _next_uid(prefix: str) -> int:
    # Keras's `backend.get_uid(prefix)`: 1, 2, ... per prefix until `clear_session()`.
    return int(state.unique_name(prefix, zero_based=False).rsplit("_", 1)[1])


def ConvNeXtBlock(
    projection_dim: int, drop_path_rate: float = 0.0, layer_scale_init_value: float | None = 1e-6, name=None
):
    """Depthwise 7x7 conv, LayerNorm, pointwise MLP (as Dense layers), layer scale, residual.
    Returns a function applying the block to a tensor."""
    if name is None:
        name = f"prestem{_next_uid('prestem')}"

    def apply(inputs):
        x = layers.Conv2D(
            filters=projection_dim,
            kernel_size=7,
            padding="same",
            groups=projection_dim,
            name=f"{name}_depthwise_conv",
        )(inputs)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_layernorm")(x)
        x = layers.Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
        x = layers.Activation("gelu", name=f"{name}_gelu")(x)
        x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
        if layer_scale_init_value is not None:
            x = LayerScale(layer_scale_init_value, projection_dim, name=f"{name}_layer_scale")(x)
        if drop_path_rate:
            branch = StochasticDepth(drop_path_rate, name=f"{name}_stochastic_depth")
        else:
            branch = layers.Activation("linear", name=f"{name}_identity")
        # A plain `+` on KerasTensors: an op node, not a layer (as in Keras).
        return inputs + branch(x)

    return apply


def PreStem(name=None):
    """Normalizes [0, 255] pixels with ImageNet's per-channel mean and std."""
    if name is None:
        name = f"prestem{_next_uid('prestem')}"

    def apply(x):
        return layers.Normalization(
            mean=[m * 255 for m in _IMAGENET_MEAN],
            variance=[(s * 255) ** 2 for s in _IMAGENET_STD],
            name=f"{name}_prestem_normalization",
        )(x)

    return apply


def Head(num_classes: int = 1000, classifier_activation=None, name=None):
    """Global average pooling, LayerNorm, Dense classifier."""
    if name is None:
        name = str(_next_uid("head"))

    def apply(x):
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_head_layernorm")(x)
        return layers.Dense(num_classes, activation=classifier_activation, name=f"{name}_head_dense")(x)

    return apply


def ConvNeXt(
    depths,
    projection_dims,
    drop_path_rate: float = 0.0,
    layer_scale_init_value: float | None = 1e-6,
    default_size: int = 224,
    name: str = "convnext",
    include_preprocessing: bool = True,
    include_top: bool = True,
    weights=None,
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    weights_name: str | None = None,
):
    """A ConvNeXt with `depths[i]` blocks of width `projection_dims[i]` in stage i.

    Args:
        depths, projection_dims: Blocks and channels of the four stages.
        drop_path_rate: Stochastic-depth rate of the last block (earlier blocks get a
            linearly smaller one); 0 means no stochastic depth.
        layer_scale_init_value: Initial layer scale; `None` means no `LayerScale`.
        default_size: The input size the variant was trained at.
        weights_name: `"convnext_tiny"` ... `"convnext_xlarge"`: which published weights
            `weights="imagenet"` loads (`name` must contain it).
        The other arguments are those of `ConvNeXtTiny`.
    """
    require_channels_last("ConvNeXt")
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
    x = img_input
    if include_preprocessing and input_shape[-1] == 3:
        x = PreStem(name=name)(x)

    stem = Sequential(
        [
            layers.Conv2D(projection_dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv"),
            layers.LayerNormalization(epsilon=1e-6, name=f"{name}_stem_layernorm"),
        ],
        name=f"{name}_stem",
    )
    downsampling = [stem] + [
        Sequential(
            [
                layers.LayerNormalization(epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"),
                layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2, name=f"{name}_downsampling_conv_{i}"),
            ],
            name=f"{name}_downsampling_block_{i}",
        )
        for i in range(3)
    ]
    # Stochastic depth grows linearly over all blocks, as in the original implementation.
    drop_rates = [float(rate) for rate in np.linspace(0.0, drop_path_rate, sum(depths))]
    first = 0
    for stage in range(4):
        x = downsampling[stage](x)
        for j in range(depths[stage]):
            x = ConvNeXtBlock(
                projection_dim=projection_dims[stage],
                drop_path_rate=drop_rates[first + j],
                layer_scale_init_value=layer_scale_init_value,
                name=f"{name}_stage_{stage}_block_{j}",
            )(x)
        first += depths[stage]

    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = Head(num_classes=classes, classifier_activation=classifier_activation, name=name)(x)
    else:
        if pooling == "avg":
            x = layers.GlobalAveragePooling2D()(x)
        elif pooling == "max":
            x = layers.GlobalMaxPooling2D()(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    sources = source_inputs(input_tensor, img_input)
    model = Functional(sources[0] if isinstance(sources, list) else sources, x, name=name)

    imagenet_file = None
    if weights == "imagenet":
        variant = weights_name.split("convnext_")[-1]
        expected = MODEL_CONFIGS[variant]
        if list(depths) != expected["depths"] or list(projection_dims) != expected["projection_dims"]:
            raise ValueError(
                f"Architecture configuration does not match {weights_name} variant. When using pre-trained weights, "
                f"the model architecture must match the pre-trained configuration exactly. Expected depths: "
                f"{expected['depths']}, got: {list(depths)}. Expected projection_dims: {expected['projection_dims']}, "
                f"got: {list(projection_dims)}."
            )
        if weights_name not in name:
            raise ValueError(
                f'Model name "{name}" does not match weights variant "{weights_name}". When using imagenet weights, '
                f'model name must contain the weights variant (e.g., "convnext_{variant}").'
            )
        top_hash, notop_hash = WEIGHTS_HASHES[weights_name]
        # Keras names the file after the model's name.
        fname = name + (".h5" if include_top else "_notop.h5")
        imagenet_file = (fname, BASE_WEIGHTS_PATH + fname, top_hash if include_top else notop_hash)
    load_weights(model, weights, imagenet_file)
    return model


_DOC = """Instantiates the {name} architecture.

    Preprocessing is part of the model (`include_preprocessing=True`): it takes pixels in
    [0, 255].

    Args:
        include_top: Whether to include the classifier (pooling, LayerNorm, Dense).
        include_preprocessing: Whether the model starts with its ImageNet normalization;
            keep it with `weights="imagenet"`.
        weights: `None` (random initialization), `"imagenet"` (Keras's published weights,
            downloaded once into `~/.keras/models/`) or the path to a weights file.
        input_tensor: Optional KerasTensor (output of `keras.Input`) to use as image input.
        input_shape: Shape without batch; only with `include_top=False` may it differ from
            `(224, 224, 3)` (at least 32x32). Channels-last only.
        pooling: With `include_top=False`: `None` (4D feature maps), `"avg"` or `"max"`;
            a LayerNormalization follows in every case.
        classes: Number of classes, with `include_top=True` and no ImageNet weights.
        classifier_activation: Activation of the classifier (`None` or `"softmax"` with
            pretrained weights).
        name: The model's name (with ImageNet weights it must contain `{weights_name}`;
            it is also the stem of the weight file's name).

    Returns:
        A functional `keras.Model`.
"""


def _variant(
    variant, include_top, include_preprocessing, weights, input_tensor, input_shape, pooling, classes, activation, name
):
    config = MODEL_CONFIGS[variant]
    return ConvNeXt(
        weights_name=f"convnext_{variant}",
        depths=config["depths"],
        projection_dims=config["projection_dims"],
        drop_path_rate=0.0,
        layer_scale_init_value=1e-6,
        default_size=config["default_size"],
        name=name,
        include_top=include_top,
        include_preprocessing=include_preprocessing,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=activation,
    )


def ConvNeXtTiny(
    include_top: bool = True,
    include_preprocessing: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "convnext_tiny",
):
    return _variant(
        "tiny",
        include_top,
        include_preprocessing,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def ConvNeXtSmall(
    include_top: bool = True,
    include_preprocessing: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "convnext_small",
):
    return _variant(
        "small",
        include_top,
        include_preprocessing,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def ConvNeXtBase(
    include_top: bool = True,
    include_preprocessing: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "convnext_base",
):
    return _variant(
        "base",
        include_top,
        include_preprocessing,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def ConvNeXtLarge(
    include_top: bool = True,
    include_preprocessing: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "convnext_large",
):
    return _variant(
        "large",
        include_top,
        include_preprocessing,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def ConvNeXtXLarge(
    include_top: bool = True,
    include_preprocessing: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape: tuple | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation="softmax",
    name: str = "convnext_xlarge",
):
    return _variant(
        "xlarge",
        include_top,
        include_preprocessing,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


for _function, _variant_name in (
    (ConvNeXtTiny, "tiny"),
    (ConvNeXtSmall, "small"),
    (ConvNeXtBase, "base"),
    (ConvNeXtLarge, "large"),
    (ConvNeXtXLarge, "xlarge"),
):
    _function.__doc__ = _DOC.format(name=_function.__name__, weights_name=f"convnext_{_variant_name}")


def preprocess_input(x, data_format=None):
    """Returns `x` unchanged: ConvNeXt models normalize inside the model (kept so code
    written for other applications runs as is)."""
    return x


def decode_predictions(preds, top: int = 5):
    """See `keras.applications.imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top)
