"""ZeroPadding1D/2D/3D: the shared harness against Keras 3."""

import pytest

from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

CF = "channels_first"
CASES = [
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
def test_zero_padding_parity(keras_oracle, cls, kwargs, shape, out_shape):
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


def test_zero_padding_argument_errors():
    with pytest.raises(ValueError, match="padding"):
        layers.ZeroPadding3D(padding=((1, 2), (1,), 3))
