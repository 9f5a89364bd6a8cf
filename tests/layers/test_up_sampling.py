"""UpSampling1D/2D/3D: the shared harness against Keras 3."""

import pytest

from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

CF = "channels_first"
CASES = [
    (layers.UpSampling1D, {"size": 3}, (2, 3, 4), (2, 9, 4)),
    (layers.UpSampling2D, {}, (2, 3, 4, 2), (2, 6, 8, 2)),
    (layers.UpSampling2D, {"size": (2, 3), "data_format": CF}, (2, 2, 3, 4), (2, 2, 6, 12)),
    (layers.UpSampling2D, {"size": 2, "interpolation": "bilinear"}, (2, 3, 4, 2), (2, 6, 8, 2)),
    (layers.UpSampling3D, {}, (1, 2, 3, 2, 2), (1, 4, 6, 4, 2)),
    (layers.UpSampling3D, {"size": (1, 2, 3), "data_format": CF}, (1, 2, 2, 3, 2), (1, 2, 2, 6, 6)),
]


@pytest.mark.parametrize("cls, kwargs, shape, out_shape", CASES)
def test_up_sampling_parity(keras_oracle, cls, kwargs, shape, out_shape):
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
