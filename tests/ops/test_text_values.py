"""Text given to `keras.ops.convert_to_tensor` stays a NumPy array of str (torch has no
string tensors), for string model inputs."""

import numpy as np

import keraslite as keras


def test_convert_to_tensor_keeps_text():
    text = keras.ops.convert_to_tensor([["a message"]])
    assert isinstance(text, np.ndarray) and text.dtype.kind == "U" and text.shape == (1, 1)
    inputs = keras.Input(shape=(1,), dtype="string")
    lookup = keras.layers.StringLookup(vocabulary=["a message"])
    model = keras.Model(inputs, lookup(inputs))
    assert model(text).tolist() == [[1]]
    assert keras.ops.convert_to_tensor([1.0, 2.0]).dtype == keras.ops.convert_to_tensor(np.ones(2, "float32")).dtype
