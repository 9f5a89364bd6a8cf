"""`Model` (models/model.py): what every model has; subclassed models and their configs."""

import json

import numpy as np
import pytest
import torch

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


def test_get_layer_by_name_and_index():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, layers.Dense(2, name="head")(x))
    assert model.get_layer("head") is model.get_layer(index=1)
    with pytest.raises(ValueError, match="No such layer: tail"):
        model.get_layer("tail")
    with pytest.raises(ValueError, match="only has 2 layers"):
        model.get_layer(index=5)


@pytest.mark.usefixtures("tf2_dialect")
def test_subclassed_model_from_the_guide():
    class MLP(keras.Model):
        def __init__(self, **kwargs):
            super(MLP, self).__init__(**kwargs)
            self.dense_1 = layers.Dense(64, activation="relu")
            self.dense_2 = layers.Dense(10)

        def call(self, inputs):
            x = self.dense_1(inputs)
            return self.dense_2(x)

    mlp = MLP()
    _ = mlp(torch.zeros((1, 32)))
    assert mlp.name == "mlp" and len(mlp.weights) == 4 and tuple(_.shape) == (1, 10)
    assert [layer.name for layer in mlp.layers] == ["dense", "dense_1"]
    printed = []
    mlp.summary(print_fn=printed.append)
    assert printed[4].startswith("dense (Dense)") and "multiple" in printed[4]
    assert "Total params: 2,762" in printed


def test_model_moves_with_to():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, layers.Dense(2)(x))
    model.to(torch.float64)
    assert model.layers[1].kernel.dtype == torch.float64
    model.to("cpu")
    assert model(np.ones((1, 3))).device.type == "cpu"


class SubclassedWithArgs(keras.Model):
    def __init__(self, units=3, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(units, activation=activation)

    def call(self, inputs):
        return self.dense(inputs)


class SubclassedWithObject(keras.Model):
    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.inner = layer

    def call(self, inputs):
        return self.inner(inputs)


def test_subclassed_model_config_from_constructor_arguments():
    model = SubclassedWithArgs(units=5, name="sub")
    config = model.get_config()
    assert config == {"name": "sub", "trainable": True, "units": 5, "activation": "relu"}
    clone = SubclassedWithArgs.from_config(config)
    assert clone.dense.units == 5 and clone.name == "sub"


def test_subclassed_model_with_object_argument_explains_get_config():
    model = SubclassedWithObject(layers.Dense(2))
    with pytest.raises(NotImplementedError, match="Override `get_config\\(\\)`"):
        model.get_config()


def test_to_json_and_model_from_json():
    model = mnist_model()
    text = model.to_json()
    payload = json.loads(text)
    assert payload["module"] == "keras.src.models.functional" and payload["class_name"] == "Functional"
    rebuilt = keras.models.model_from_json(text)
    assert summary_lines(rebuilt) == summary_lines(model)
    with pytest.raises(ValueError, match="not valid JSON"):
        keras.models.model_from_json("{not json")


class PassesItselfUp(keras.Model):
    """tf.keras 2 tutorials write `super().__init__(self)` (effective_tf2's DynamicRNN)."""

    def __init__(self):
        super().__init__(self)
        self.dense = keras.layers.Dense(2)

    def call(self, x):
        return self.dense(x)


def test_a_stray_positional_argument_is_ignored_in_tf2_and_refused_clearly_in_keras3(tf2_dialect):
    model = PassesItselfUp()
    assert model.name == "passes_itself_up" and model(np.ones((1, 3), "float32")).shape == (1, 2)
    keras.config.set_dialect("keras3")
    with pytest.raises(TypeError, match=r"Received: inputs=<PassesItselfUp object>, outputs=None"):
        PassesItselfUp()


def test_auto_name_of_a_class_with_a_leading_underscore_follows_the_dialect(tf2_dialect):
    class _Private(keras.layers.Layer):
        pass

    assert _Private().name.startswith("private__private")  # tf.keras 2's to_snake_case
    keras.config.set_dialect("keras3")
    assert _Private().name == "__private"  # Keras 3 keeps the underscore
