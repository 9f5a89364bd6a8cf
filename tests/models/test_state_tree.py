"""Model.get_state_tree / set_state_tree (models/state_tree.py) against Keras 3."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers

_CODE = """
model = keras.Sequential([keras.Input((1,), name='my_input'),
                          keras.layers.Dense(1, activation='sigmoid', name='my_dense'),
                          keras.layers.BatchNormalization(name='bn')], name='my_sequential')
model.compile(optimizer='adam', loss='mse', metrics=['mae'])
model.fit(np.array([[1.0]]), np.array([[1.0]]), verbose=0)
tree = model.get_state_tree('numpy_array')
def flat(t, prefix=''):
    out = {}
    for k, v in t.items():
        out.update(flat(v, prefix + k + '/') if isinstance(v, dict) else {prefix + k: v.shape})
    return out
result['keys'] = sorted(tree)
result['flat'] = {k: list(v) for k, v in flat(tree).items()}
"""


def _flat(tree, prefix=""):
    out = {}
    for key, value in tree.items():
        out.update(_flat(value, prefix + key + "/") if isinstance(value, dict) else {prefix + key: list(value.shape)})
    return out


def test_state_tree_matches_keras(keras_oracle):
    expected = keras_oracle.run(_CODE)
    model = keras.Sequential(
        [
            keras.Input((1,), name="my_input"),
            layers.Dense(1, activation="sigmoid", name="my_dense"),
            layers.BatchNormalization(name="bn"),
        ],
        name="my_sequential",
    )
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(np.array([[1.0]]), np.array([[1.0]]), verbose=0)
    tree = model.get_state_tree("numpy_array")
    assert sorted(tree) == expected["keys"]
    flat = _flat(tree)
    assert set(flat) == set(expected["flat"])
    assert flat == expected["flat"]
    kernel = tree["trainable_variables"]["my_sequential"]["my_dense"]["kernel"]
    assert isinstance(kernel, np.ndarray)
    kernel += 1.0  # a copy: the model is unchanged
    assert not np.array_equal(model.layers[0].kernel.numpy(), kernel)
    tensors = model.get_state_tree()
    assert isinstance(tensors["trainable_variables"]["my_sequential"]["my_dense"]["kernel"], torch.Tensor)


def test_set_state_tree_assigns_by_path_and_rejects_unknown_groups():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(3, name="d")], name="s")
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 2)), np.ones((4, 3)), verbose=0)
    tree = model.get_state_tree("numpy_array")
    tree["trainable_variables"]["s"]["d"]["kernel"] = np.full((2, 3), 0.5, "float32")
    tree["optimizer_variables"]["sgd"]["iteration"] = np.array(7)
    model.set_state_tree(tree)
    np.testing.assert_array_equal(model.layers[0].kernel.numpy(), np.full((2, 3), 0.5))
    assert int(model.optimizer.iterations) == 7
    with pytest.raises(ValueError, match="Unknown variable name: weights"):
        model.set_state_tree({"weights": {}})
    with pytest.raises(AttributeError, match="compile the model first"):
        keras.Sequential([keras.Input((2,)), layers.Dense(1)]).get_state_tree()
    with pytest.raises(ValueError, match="value_format"):
        model.get_state_tree("lists")


def test_model_constructor_names_inputs_outputs_name():
    inputs = keras.Input((3,))
    outputs = layers.Dense(2)(inputs)
    model = keras.Model(inputs=inputs, outputs=outputs, name="named")
    assert type(model).__name__ == "Functional" and model.name == "named"
    assert keras.Model(inputs, outputs, "positional").name == "positional"
    with pytest.raises(TypeError, match="both `inputs` and `outputs`"):
        keras.Model(inputs)
