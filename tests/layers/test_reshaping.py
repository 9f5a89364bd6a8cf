"""Reshaping layers (Flatten, Reshape, RepeatVector, Permute): the shared harness against Keras 3."""

import pytest

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
]


@pytest.mark.parametrize("cls, kwargs, shape, out_shape", CASES)
def test_reshaping_parity(keras_oracle, cls, kwargs, shape, out_shape):
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


def test_reshaping_argument_errors():
    with pytest.raises(ValueError, match="consecutive"):
        layers.Permute((1, 3))
    with pytest.raises(TypeError):
        layers.RepeatVector(2.5)
