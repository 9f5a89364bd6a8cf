"""Layers take their arguments in Keras 3's positional order, accept Keras's parameters
at their defaults, and name the ones keraslite cannot honour."""

import inspect

import numpy as np
import pytest

import keraslite as keras
from keraslite import layers

# (keraslite call with positional arguments in Keras's order, attribute -> expected)
POSITIONAL = [
    (lambda: layers.Conv2D(8, 3, 1, "same", "channels_first", 1, 2), {"data_format": "channels_first", "groups": 2}),
    (lambda: layers.Conv1D(4, 3, 1, "causal", "channels_last", 2), {"padding": "causal", "dilation_rate": (2,)}),
    (lambda: layers.Conv3D(4, 2, 1, "valid", "channels_last", 1, 1, "relu"), {"data_format": "channels_last"}),
    (
        lambda: layers.Conv2DTranspose(4, 3, 2, "same", 1, "channels_last", 1, "relu", False),
        {"output_padding": (1, 1), "use_bias": False},
    ),
    (lambda: layers.Conv3DTranspose(4, 2, 1, "valid", "channels_first", None), {"data_format": "channels_first"}),
    (lambda: layers.Conv1DTranspose(4, 3, 1, "valid", None, None, 1, "tanh"), {"activation": keras.activations.tanh}),
    (lambda: layers.Convolution1DTranspose(4, 3), {"filters": 4}),
    (lambda: layers.Convolution3DTranspose(4, 3), {"filters": 4}),
    (lambda: layers.MaxPooling2D(2, None, "valid", None, "pool"), {"name": "pool"}),
    (lambda: layers.AveragePooling1D(2, 1, "same", "channels_last", "avg"), {"name": "avg", "padding": "same"}),
    (lambda: layers.MaxPool3D(2, 2, "valid", None, "p3"), {"name": "p3"}),
    (lambda: layers.Embedding(10, 3, "uniform", None, None, True, None), {"mask_zero": True}),
    (
        lambda: layers.BatchNormalization(
            -1,
            0.9,
            1e-3,
            True,
            True,
            "zeros",
            "ones",
            "zeros",
            "ones",
            None,
            None,
            None,
            None,
            False,
            None,
            0.99,
            False,
        ),
        {"momentum": 0.9, "renorm": False, "synchronized": False},
    ),
    (
        lambda: layers.GroupQueryAttention(
            4, 2, 1, 0.0, True, None, None, "glorot_uniform", "zeros", None, None, None, None, None, True
        ),
        {"use_gate": True},
    ),
    (
        lambda: layers.Dense(3, None, True, "glorot_uniform", "zeros", None, None, None, None, None, None, None, None),
        {"units": 3},
    ),
    (
        lambda: layers.EinsumDense(
            "ab,bc->ac", 4, None, None, "glorot_uniform", "zeros", None, None, None, None, None, None, None, None
        ),
        {"partial_output_shape": (4,)},
    ),
]


@pytest.mark.parametrize("make,expected", POSITIONAL)
def test_positional_arguments_follow_keras(make, expected):
    layer = make()
    for attribute, value in expected.items():
        assert getattr(layer, attribute) == value, attribute


def test_keras_positional_conv_computes_what_keywords_compute():
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 5)).astype("float32")
    positional = layers.Conv2D(8, 3, 1, "same", "channels_first")
    keyword = layers.Conv2D(8, 3, strides=1, padding="same", data_format="channels_first")
    assert positional(x).shape == (2, 8, 6, 5)
    keyword.build(x.shape)
    keyword.set_weights(positional.get_weights())
    np.testing.assert_allclose(positional(x).detach().numpy(), keyword(x).detach().numpy(), rtol=1e-6)


def test_transposed_conv_keeps_output_padding_in_its_config():
    layer = layers.Conv2DTranspose(2, 3, 2, "valid", 1)
    config = layer.get_config()
    assert config["output_padding"] == (1, 1) and "groups" not in config
    assert layers.Conv2DTranspose.from_config(config).output_padding == (1, 1)
    with pytest.raises(ValueError, match="output_padding"):
        layers.Conv2D(2, 3, output_padding=1)  # only the transposed convolutions take it


def test_embedding_takes_initial_weights_like_keras():
    matrix = np.arange(12, dtype="float32").reshape(4, 3)
    layer = layers.Embedding(4, 3, weights=matrix)
    np.testing.assert_array_equal(layer.get_weights()[0], matrix)  # set at construction, as Keras
    np.testing.assert_array_equal(layer(np.array([[1, 3]])).detach().numpy()[0], matrix[[1, 3]])
    listed = layers.Embedding(4, 3, weights=[matrix])
    np.testing.assert_array_equal(listed(np.array([2])).detach().numpy()[0], matrix[2])


@pytest.mark.parametrize(
    "make,argument",
    [
        (lambda: layers.Dense(2, lora_rank=4), "lora_rank"),
        (lambda: layers.Dense(2, lora_alpha=8), "lora_alpha"),
        (lambda: layers.EinsumDense("ab,bc->ac", 2, gptq_unpacked_column_size=4), "gptq_unpacked_column_size"),
    ],
)
def test_unsupported_keras_parameters_are_named(make, argument):
    with pytest.raises(NotImplementedError, match=argument):
        make()


def test_input_takes_ragged_in_keras_position():
    x = keras.Input((3,), None, "float32", False, False)
    assert tuple(x.shape) == (None, 3)
    assert isinstance(layers.InputLayer((2,), None, None, None, None, name="i"), layers.InputLayer)
    with pytest.raises(ValueError, match="ragged=True"):
        keras.Input((3,), ragged=True)
    with pytest.raises(ValueError, match="ragged=True"):
        layers.InputLayer(shape=(3,), ragged=True)


def test_signatures_list_keras_parameters_in_order():
    def names(cls):
        return list(inspect.signature(cls.__init__).parameters)[1:]

    assert names(layers.Conv2D)[:7] == [
        "filters",
        "kernel_size",
        "strides",
        "padding",
        "data_format",
        "dilation_rate",
        "groups",
    ]
    assert names(layers.Conv2DTranspose)[:8] == [
        "filters",
        "kernel_size",
        "strides",
        "padding",
        "output_padding",
        "data_format",
        "dilation_rate",
        "activation",
    ]
    assert names(layers.Conv3DTranspose)[4:6] == ["data_format", "output_padding"]  # Keras's own quirk
    assert names(layers.Embedding)[6] == "weights"
    assert names(layers.BatchNormalization)[13:17] == ["renorm", "renorm_clipping", "renorm_momentum", "synchronized"]
    assert list(inspect.signature(keras.Input).parameters)[4] == "ragged"
