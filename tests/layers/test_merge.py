"""Merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot) and
their functional forms: the shared harness against Keras 3, broadcasting, masks."""

import numpy as np
import pytest
import torch

import keraslite
from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

CASES = [
    (layers.Add, {}, [(2, 3), (2, 3)], (2, 3)),
    (layers.Add, {}, [(2, 3, 4), (2, 3, 4), (2, 3, 4)], (2, 3, 4)),
    (layers.Subtract, {}, [(2, 3, 4), (2, 3, 4)], (2, 3, 4)),
    (layers.Multiply, {}, [(2, 3), (2, 3), (2, 3)], (2, 3)),
    (layers.Average, {}, [(2, 3, 4), (2, 3, 4)], (2, 3, 4)),
    (layers.Maximum, {}, [(2, 5), (2, 5), (2, 5)], (2, 5)),
    (layers.Minimum, {}, [(2, 3, 2), (2, 3, 2)], (2, 3, 2)),
    (layers.Add, {}, [(2, 3, 4), (2, 1, 4)], (2, 3, 4)),
    (layers.Concatenate, {}, [(2, 3), (2, 4)], (2, 7)),
    (layers.Concatenate, {"axis": 1}, [(2, 3, 4), (2, 2, 4), (2, 1, 4)], (2, 6, 4)),
    (layers.Concatenate, {"axis": -2}, [(2, 3, 4), (2, 5, 4)], (2, 8, 4)),
    (layers.Dot, {"axes": 1}, [(2, 4), (2, 4)], (2, 1)),
    (layers.Dot, {"axes": (2, 2)}, [(2, 3, 4), (2, 5, 4)], (2, 3, 5)),
    (layers.Dot, {"axes": [1, 1], "normalize": True}, [(2, 3, 4), (2, 3, 5)], (2, 4, 5)),
    (layers.Dot, {"axes": -1, "normalize": True}, [(2, 6), (2, 6)], (2, 1)),
]


@pytest.mark.parametrize("cls, kwargs, shapes, out_shape", CASES)
def test_merge_parity(keras_oracle, cls, kwargs, shapes, out_shape):
    run_layer_test(
        cls,
        kwargs,
        input_shape=shapes,
        expected_output_shape=out_shape,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        compare_config_keys=True,
    )


def test_functional_forms_and_masks(keras_oracle):
    a, b = keraslite.Input((3,)), keraslite.Input((3,))
    for fn, op in (
        (layers.add, np.add),
        (layers.subtract, np.subtract),
        (layers.multiply, np.multiply),
        (layers.maximum, np.maximum),
        (layers.minimum, np.minimum),
    ):
        model = keraslite.Model([a, b], fn([a, b]))
        x, y = np.random.rand(2, 3).astype("float32"), np.random.rand(2, 3).astype("float32")
        np.testing.assert_allclose(model([torch.tensor(x), torch.tensor(y)]).detach().numpy(), op(x, y), rtol=1e-6)
    assert tuple(layers.concatenate([a, b]).shape) == (None, 6)
    assert tuple(layers.dot([a, b], axes=1).shape) == (None, 1)
    assert tuple(layers.average([a, b]).shape) == (None, 3)
    # Output masks as Keras computes them.
    m1 = np.array([[1, 1, 0], [1, 0, 0]], bool)
    m2 = np.array([[1, 0, 1], [0, 0, 1]], bool)
    x = np.random.rand(2, 3, 4).astype("float32")
    code = """
import torch
m = [torch.tensor(inputs['m1']), torch.tensor(inputs['m2'])]
x = [torch.tensor(inputs['x']), torch.tensor(inputs['x'])]
result['add'] = keras.layers.Add().compute_mask(x, m).numpy()
result['concat'] = keras.layers.Concatenate(axis=1).compute_mask(x, m).numpy()
result['concat_none'] = keras.layers.Concatenate(axis=1).compute_mask(x, [torch.tensor(inputs['m1']), None]).numpy()
"""
    expected = keras_oracle.run(code, m1=m1, m2=m2, x=x)
    xs = [torch.tensor(x), torch.tensor(x)]
    np.testing.assert_array_equal(
        layers.Add().compute_mask(xs, [torch.tensor(m1), torch.tensor(m2)]).numpy(), expected["add"]
    )
    np.testing.assert_array_equal(
        layers.Concatenate(axis=1).compute_mask(xs, [torch.tensor(m1), torch.tensor(m2)]).numpy(), expected["concat"]
    )
    np.testing.assert_array_equal(
        layers.Concatenate(axis=1).compute_mask(xs, [torch.tensor(m1), None]).numpy(), expected["concat_none"]
    )


def test_merge_errors():
    with pytest.raises(ValueError):
        layers.Subtract()([keraslite.Input((3,)), keraslite.Input((3,)), keraslite.Input((3,))])
    with pytest.raises(ValueError):
        layers.Concatenate()([keraslite.Input((3, 2)), keraslite.Input((4, 2))])
    with pytest.raises(ValueError):
        layers.Add()([keraslite.Input((3,)), keraslite.Input((4,))])
