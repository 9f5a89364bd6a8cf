"""`keras.models.clone_model` (models/cloning.py)."""

import numpy as np

import keraslite as keras
from keraslite import layers


def summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return lines


def mnist_model():
    inputs = keras.Input(shape=(784,), name="img")
    x = layers.Dense(64, activation="relu")(inputs)
    y = layers.Dense(64, activation="relu")(x)
    z = layers.add([x, y])
    return keras.Model(inputs=inputs, outputs=layers.Dense(10)(z), name="mnist_model")


def test_clone_model_functional_and_sequential():
    model = mnist_model()
    clone = keras.models.clone_model(model)
    assert summary_lines(clone) == summary_lines(model)
    assert all(a is not b for a, b in zip(clone.layers, model.layers))
    assert not all(np.array_equal(a, b) for a, b in zip(clone.get_weights(), model.get_weights()))
    seq = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    seq_clone = keras.models.clone_model(seq)
    assert seq_clone.count_params() == 8 and seq_clone.layers[0] is not seq.layers[0]
    shared = keras.models.clone_model(model, clone_function=lambda layer: layer)
    assert shared.layers[1] is model.layers[1]


def test_clone_model_on_new_inputs():
    model = mnist_model()
    new_input = keras.Input(shape=(784,), name="new")
    clone = keras.models.clone_model(model, input_tensors=new_input)
    assert clone.inputs[0] is new_input


def test_clone_of_a_sequential_with_only_its_input_keeps_the_input():
    clone = keras.models.clone_model(keras.Sequential([keras.Input((3,))]))
    assert clone.layers == [] and not clone.built
    clone.add(layers.Dense(2))
    assert clone.output_shape == (None, 2)
