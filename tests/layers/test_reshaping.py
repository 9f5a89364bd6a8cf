"""Reshaping layers (Flatten, Reshape, RepeatVector, Permute, Cropping1D/2D/3D,
UpSampling1D/2D/3D, ZeroPadding1D/2D/3D): the shared harness against Keras 3."""
import pytest
import torch

from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

CF = "channels_first"
CASES = [
    (layers.Flatten, {}, (2, 3, 4), (2, 12)),
    (layers.Flatten, {"data_format": CF}, (2, 3, 4, 2), (2, 24)),
    (layers.Reshape, {"target_shape": (4, 3)}, (2, 3, 4), (2, 4, 3)),
    (layers.Reshape, {"target_shape": (-1, 2)}, (2, 3, 4), (2, 6, 2)),
    (layers.RepeatVector, {"n": 3}, (2, 4), (2, 3, 4)),
    (layers.Permute, {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3)),
    (layers.Permute, {"dims": (3, 1, 2)}, (2, 3, 4, 5), (2, 5, 3, 4)),
    (layers.Cropping1D, {}, (2, 5, 3), (2, 3, 3)),
    (layers.Cropping1D, {"cropping": (0, 2)}, (2, 5, 3), (2, 3, 3)),
    (layers.Cropping1D, {"cropping": 2}, (2, 5, 3), (2, 1, 3)),
    (layers.Cropping2D, {"cropping": ((1, 0), (0, 2))}, (2, 4, 5, 3), (2, 3, 3, 3)),
    (layers.Cropping2D, {"cropping": 1, "data_format": CF}, (2, 3, 4, 5), (2, 3, 2, 3)),
    (layers.Cropping2D, {"cropping": (1, 2)}, (2, 4, 5, 3), (2, 2, 1, 3)),
    (layers.Cropping3D, {}, (1, 4, 5, 6, 2), (1, 2, 3, 4, 2)),
    (layers.Cropping3D, {"cropping": ((0, 1), (1, 0), (2, 1)), "data_format": CF}, (1, 2, 4, 5, 6), (1, 2, 3, 4, 3)),
    (layers.UpSampling1D, {"size": 3}, (2, 3, 4), (2, 9, 4)),
    (layers.UpSampling2D, {}, (2, 3, 4, 2), (2, 6, 8, 2)),
    (layers.UpSampling2D, {"size": (2, 3), "data_format": CF}, (2, 2, 3, 4), (2, 2, 6, 12)),
    (layers.UpSampling2D, {"size": 2, "interpolation": "bilinear"}, (2, 3, 4, 2), (2, 6, 8, 2)),
    (layers.UpSampling3D, {}, (1, 2, 3, 2, 2), (1, 4, 6, 4, 2)),
    (layers.UpSampling3D, {"size": (1, 2, 3), "data_format": CF}, (1, 2, 2, 3, 2), (1, 2, 2, 6, 6)),
    (layers.ZeroPadding1D, {}, (2, 3, 4), (2, 5, 4)),
    (layers.ZeroPadding1D, {"padding": (2, 0)}, (2, 3, 4), (2, 5, 4)),
    (layers.ZeroPadding1D, {"padding": 1, "data_format": CF}, (2, 3, 4), (2, 3, 6)),
    (layers.ZeroPadding2D, {}, (2, 3, 4, 2), (2, 5, 6, 2)),
    (layers.ZeroPadding2D, {"padding": ((1, 0), (2, 1)), "data_format": CF}, (2, 2, 3, 4), (2, 2, 4, 7)),
    (layers.ZeroPadding2D, {"padding": (1, 2)}, (2, 3, 4, 2), (2, 5, 8, 2)),
    (layers.ZeroPadding3D, {}, (1, 2, 3, 2, 2), (1, 4, 5, 4, 2)),
    (layers.ZeroPadding3D, {"padding": ((0, 1), (1, 0), (2, 2)), "data_format": CF}, (1, 2, 2, 3, 2), (1, 2, 3, 4, 6)),
    (layers.ZeroPadding3D, {"padding": (1, 0, 2)}, (1, 2, 3, 2, 2), (1, 4, 3, 6, 2)),
]


@pytest.mark.parametrize("cls, kwargs, shape, out_shape", CASES)
def test_reshaping_parity(keras_oracle, cls, kwargs, shape, out_shape):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=out_shape, expected_num_trainable_weights=0, expected_num_non_trainable_weights=0, oracle=keras_oracle, compare_config_keys=True)


def test_reshaping_argument_errors():
    with pytest.raises(ValueError, match="consecutive"):
        layers.Permute((1, 3))
    with pytest.raises(ValueError, match="cropping"):
        layers.Cropping2D(cropping=(1, 2, 3))
    with pytest.raises(ValueError, match="smaller"):
        layers.Cropping1D((2, 3))(torch.zeros(1, 4, 2))
    with pytest.raises(ValueError, match="padding"):
        layers.ZeroPadding3D(padding=((1, 2), (1,), 3))
    with pytest.raises(TypeError):
        layers.RepeatVector(2.5)
