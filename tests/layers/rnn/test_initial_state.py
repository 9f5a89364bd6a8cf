"""Cells' `get_initial_state` in each dialect: Keras 3 takes `batch_size` only; tf.keras 2
also `inputs` (its first positional argument) and `dtype`."""

import numpy as np
import pytest
import torch

from keraslite import layers


def test_keras3_takes_batch_size_only_as_keras_does(keras_oracle):
    expected = keras_oracle.run(
        "try:\n"
        "    keras.layers.LSTMCell(3).get_initial_state(batch_size=2, dtype='float32')\n"
        "    result['error'] = ''\n"
        "except TypeError as e:\n"
        "    result['error'] = str(e)\n"
        "result['shapes'] = [list(s.shape) for s in keras.layers.LSTMCell(3).get_initial_state(batch_size=2)]\n"
    )
    assert "dtype" in expected["error"] and expected["shapes"] == [[2, 3], [2, 3]]
    states = layers.LSTMCell(3).get_initial_state(batch_size=2)
    assert [tuple(s.shape) for s in states] == [(2, 3), (2, 3)]
    with pytest.raises(TypeError, match="dtype"):
        layers.LSTMCell(3).get_initial_state(batch_size=2, dtype="float32")


def test_tf2_takes_inputs_and_dtype(tf2_dialect):
    # tf.keras 2: `LSTMCell(13).get_initial_state(batch_size=b, dtype=tf.float32)` -> [h, c].
    states = layers.LSTMCell(13).get_initial_state(batch_size=4, dtype="float64")
    assert [tuple(s.shape) for s in states] == [(4, 13), (4, 13)] and states[0].dtype == torch.float64
    from_inputs = layers.GRUCell(5).get_initial_state(np.zeros((3, 7), "float32"))
    assert tuple(from_inputs[0].shape) == (3, 5)
    stacked = layers.StackedRNNCells([layers.SimpleRNNCell(2), layers.LSTMCell(4)])
    nested = stacked.get_initial_state(inputs=torch.zeros(6, 3), dtype="float32")
    assert tuple(nested[0][0].shape) == (6, 2) and [tuple(s.shape) for s in nested[1]] == [(6, 4), (6, 4)]
