"""Convolutions (Conv1D/2D/3D, transposes, depthwise, separable): the shared harness
against Keras 3 over a table of argument combinations."""

import pytest
import torch

from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

CF = "channels_first"
CONV_CASES = [
    # (class, kwargs, input shape, output shape, trainable weights)
    (layers.Conv1D, {"filters": 3, "kernel_size": 2}, (2, 5, 4), (2, 4, 3), 2),
    (layers.Conv1D, {"filters": 4, "kernel_size": 3, "padding": "causal", "dilation_rate": 2}, (2, 7, 2), (2, 7, 4), 2),
    (
        layers.Conv1D,
        {"filters": 4, "kernel_size": 3, "padding": "same", "strides": 2, "groups": 2},
        (2, 7, 4),
        (2, 4, 4),
        2,
    ),
    (layers.Conv1D, {"filters": 2, "kernel_size": 2, "data_format": CF, "use_bias": False}, (2, 3, 6), (2, 2, 5), 1),
    (layers.Conv2D, {"filters": 3, "kernel_size": 3, "activation": "relu"}, (2, 6, 5, 2), (2, 4, 3, 3), 2),
    (
        layers.Conv2D,
        {"filters": 3, "kernel_size": (2, 3), "strides": 2, "padding": "same"},
        (2, 7, 6, 2),
        (2, 4, 3, 3),
        2,
    ),
    (
        layers.Conv2D,
        {"filters": 4, "kernel_size": 3, "padding": "same", "dilation_rate": 2, "groups": 2},
        (2, 6, 6, 4),
        (2, 6, 6, 4),
        2,
    ),
    (
        layers.Conv2D,
        {"filters": 2, "kernel_size": 2, "strides": (2, 1), "data_format": CF},
        (2, 3, 5, 4),
        (2, 2, 2, 3),
        2,
    ),
    (
        layers.Conv3D,
        {"filters": 2, "kernel_size": 2, "padding": "same", "strides": 2},
        (1, 5, 4, 3, 2),
        (1, 3, 2, 2, 2),
        2,
    ),
    (layers.Conv1DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2}, (2, 4, 2), (2, 9, 3), 2),
    (
        layers.Conv2DTranspose,
        {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"},
        (2, 3, 4, 3),
        (2, 6, 8, 2),
        2,
    ),
    (
        layers.Conv2DTranspose,
        {"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 1},
        (2, 3, 3, 2),
        (2, 8, 8, 2),
        2,
    ),
    (
        layers.Conv2DTranspose,
        {"filters": 2, "kernel_size": 2, "dilation_rate": 2, "data_format": CF},
        (2, 3, 4, 4),
        (2, 2, 6, 6),
        2,
    ),
    (
        layers.Conv3DTranspose,
        {"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same"},
        (1, 2, 3, 2, 2),
        (1, 4, 6, 4, 2),
        2,
    ),
    (layers.DepthwiseConv1D, {"kernel_size": 3}, (2, 6, 3), (2, 4, 3), 2),
    (
        layers.DepthwiseConv1D,
        {"kernel_size": 2, "depth_multiplier": 2, "padding": "same", "strides": 2, "use_bias": False},
        (2, 7, 3),
        (2, 4, 6),
        1,
    ),
    (layers.DepthwiseConv2D, {"kernel_size": 3}, (2, 5, 5, 3), (2, 3, 3, 3), 2),
    (
        layers.DepthwiseConv2D,
        {"kernel_size": 3, "strides": 2, "padding": "same", "depth_multiplier": 2, "activation": "relu6"},
        (2, 6, 7, 2),
        (2, 3, 4, 4),
        2,
    ),
    (layers.DepthwiseConv2D, {"kernel_size": 2, "dilation_rate": 2, "data_format": CF}, (2, 3, 5, 5), (2, 3, 3, 3), 2),
    (layers.SeparableConv1D, {"filters": 4, "kernel_size": 3}, (2, 6, 3), (2, 4, 4), 3),
    (
        layers.SeparableConv1D,
        {"filters": 2, "kernel_size": 2, "depth_multiplier": 3, "padding": "same", "strides": 2},
        (2, 7, 2),
        (2, 4, 2),
        3,
    ),
    (
        layers.SeparableConv2D,
        {"filters": 4, "kernel_size": 3, "padding": "same", "use_bias": False},
        (2, 5, 5, 3),
        (2, 5, 5, 4),
        2,
    ),
    (
        layers.SeparableConv2D,
        {"filters": 3, "kernel_size": (3, 2), "strides": 2, "depth_multiplier": 2},
        (2, 7, 6, 2),
        (2, 3, 3, 3),
        3,
    ),
    (
        layers.SeparableConv2D,
        {"filters": 3, "kernel_size": 2, "data_format": CF, "dilation_rate": 2},
        (2, 2, 5, 5),
        (2, 3, 3, 3),
        3,
    ),
]


@pytest.mark.parametrize("cls, kwargs, shape, out_shape, n_train", CONV_CASES)
def test_conv_parity(keras_oracle, cls, kwargs, shape, out_shape, n_train):
    run_layer_test(
        cls,
        kwargs,
        input_shape=shape,
        expected_output_shape=out_shape,
        expected_num_trainable_weights=n_train,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        compare_config_keys=True,
        rtol=1e-5,
        atol=1e-5,
    )


def test_depthwise_weight_layout_and_errors():
    layer = layers.SeparableConv2D(5, 3, depth_multiplier=2)
    layer.build((None, 8, 8, 3))
    assert [tuple(w.shape) for w in layer.weights] == [(3, 3, 3, 2), (1, 1, 6, 5), (5,)]
    assert [w.path for w in layer.weights] == [
        f"{layer.name}/depthwise_kernel",
        f"{layer.name}/pointwise_kernel",
        f"{layer.name}/bias",
    ]
    with pytest.raises(ValueError, match="depth_multiplier"):
        layers.DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ValueError, match="padding"):
        layers.DepthwiseConv1D(3, padding="causal")
    with pytest.raises(ValueError, match="negative"):
        layers.DepthwiseConv2D(5)(torch.zeros(1, 3, 3, 2))
