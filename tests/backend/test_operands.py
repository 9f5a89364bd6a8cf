"""Keras variables take Python lists and NumPy arrays as operands, and NumPy functions on
them compute on their values (as Keras 3's variables do)."""

import numpy as np
import torch

import keraslite as keras


def test_lists_and_arrays_on_either_side():
    w = keras.Variable(np.ones((3, 2), "float32"))
    assert ([[1.0, 2.0, 3.0]] @ w).tolist() == [[6.0, 6.0]]
    assert (w @ [1.0, 1.0]).tolist() == [2.0, 2.0, 2.0]
    assert (np.full((3, 2), 2.0) - w).dtype == torch.float32
    assert (w * [2, 2]).dtype == torch.float32


def test_tensor_operands_are_unchanged_and_differentiable():
    w = keras.Variable(np.ones((2,), "float32"))
    x = torch.tensor([3.0, 4.0])
    y = (w * x).sum()
    y.backward()
    assert w.grad.tolist() == [3.0, 4.0]


def test_numpy_functions_on_variables():
    w = keras.Variable(np.arange(6, dtype="float32").reshape(2, 3))
    assert np.mean(w, axis=0).tolist() == [1.5, 2.5, 3.5]
    assert np.concatenate([w, w]).shape == (4, 3)
