"""EinsumDense: the shared harness against Keras 3, and its equation errors."""

import pytest
import torch

import keraslite
from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

EINSUM_CASES = [
    # (kwargs, input shape, output shape, trainable weights)
    ({"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c"}, (2, 3), (2, 4), 2),
    ({"equation": "ab,bc->ac", "output_shape": 4}, (2, 3), (2, 4), 1),
    (
        {"equation": "abc,cd->abd", "output_shape": (None, 5), "bias_axes": "d", "activation": "relu"},
        (2, 3, 4),
        (2, 3, 5),
        2,
    ),
    ({"equation": "abc,cde->abde", "output_shape": (None, 2, 3), "bias_axes": "de"}, (2, 4, 5), (2, 4, 2, 3), 2),
    ({"equation": "abc,cde->abde", "output_shape": (None, 2, 3), "bias_axes": "d"}, (2, 4, 5), (2, 4, 2, 3), 2),
    ({"equation": "...b,bc->...c", "output_shape": 3, "bias_axes": "c"}, (2, 4, 5, 6), (2, 4, 5, 3), 2),
    ({"equation": "ab...,bc->ac...", "output_shape": 3, "bias_axes": "c"}, (2, 4, 5), (2, 3, 5), 2),
    ({"equation": "abcd,cde->abe", "output_shape": (None, 6), "bias_axes": "e"}, (2, 3, 4, 5), (2, 3, 6), 2),
]


@pytest.mark.parametrize("kwargs, shape, out_shape, n_train", EINSUM_CASES)
def test_einsum_dense_parity(keras_oracle, kwargs, shape, out_shape, n_train):
    partial = kwargs["output_shape"]
    has_unknown = isinstance(partial, tuple) and None in partial
    layer = run_layer_test(
        layers.EinsumDense,
        kwargs,
        input_shape=shape,
        expected_output_shape=None if has_unknown else out_shape,
        expected_num_trainable_weights=n_train,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        compare_config_keys=True,
    )
    assert tuple(layer(torch.zeros(shape)).shape) == out_shape
    if has_unknown:
        # As Keras: a `None` in `output_shape` stays unknown symbolically.
        symbolic = layers.EinsumDense(**kwargs)(keraslite.Input(shape[1:]))
        assert tuple(symbolic.shape) == (None,) + tuple(partial)


def test_einsum_dense_errors():
    with pytest.raises(ValueError, match="Invalid einsum equation"):
        layers.EinsumDense("ab->b", output_shape=3)(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="Bias dimension"):
        layers.EinsumDense("ab,bc->ac", output_shape=3, bias_axes="x")(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="do not match"):
        layers.EinsumDense("abc,cd->abd", output_shape=(7, 5))(torch.zeros(2, 3, 4))
