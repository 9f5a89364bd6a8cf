"""Cropping1D/2D/3D: the shared harness against Keras 3."""

import pytest
import torch

from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

CF = "channels_first"
CASES = [
    (layers.Cropping1D, {}, (2, 5, 3), (2, 3, 3)),
    (layers.Cropping1D, {"cropping": (0, 2)}, (2, 5, 3), (2, 3, 3)),
    (layers.Cropping1D, {"cropping": 2}, (2, 5, 3), (2, 1, 3)),
    (layers.Cropping2D, {"cropping": ((1, 0), (0, 2))}, (2, 4, 5, 3), (2, 3, 3, 3)),
    (layers.Cropping2D, {"cropping": 1, "data_format": CF}, (2, 3, 4, 5), (2, 3, 2, 3)),
    (layers.Cropping2D, {"cropping": (1, 2)}, (2, 4, 5, 3), (2, 2, 1, 3)),
    (layers.Cropping3D, {}, (1, 4, 5, 6, 2), (1, 2, 3, 4, 2)),
    (layers.Cropping3D, {"cropping": ((0, 1), (1, 0), (2, 1)), "data_format": CF}, (1, 2, 4, 5, 6), (1, 2, 3, 4, 3)),
]


@pytest.mark.parametrize("cls, kwargs, shape, out_shape", CASES)
def test_cropping_parity(keras_oracle, cls, kwargs, shape, out_shape):
    run_layer_test(
        cls,
        kwargs,
        input_shape=shape,
        expected_output_shape=out_shape,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        compare_config_keys=True,
    )


def test_cropping_argument_errors():
    with pytest.raises(ValueError, match="cropping"):
        layers.Cropping2D(cropping=(1, 2, 3))
    with pytest.raises(ValueError, match="smaller"):
        layers.Cropping1D((2, 3))(torch.zeros(1, 4, 2))
