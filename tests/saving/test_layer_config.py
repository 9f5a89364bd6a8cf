"""Layers as entries of model configs (saving/layer_config.py): the seed's CustomDense,
and custom layers without `get_config`."""

import pytest

import keraslite as keras
from keraslite import layers


class CustomDense(layers.Layer):
    """The seed guide's custom layer (get_config returns only `units`)."""

    def __init__(self, units=32):
        super(CustomDense, self).__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal", trainable=True)

    def call(self, inputs):
        return inputs @ self.w + self.b

    def get_config(self):
        return {"units": self.units}


def test_seed_custom_dense_from_config():
    inputs = keras.Input((4,))
    outputs = CustomDense(10)(inputs)
    model = keras.Model(inputs, outputs)
    config = model.get_config()
    assert config["layers"][1]["registered_name"] == "CustomDense"
    new_model = keras.Model.from_config(config, custom_objects={"CustomDense": CustomDense})
    assert new_model.count_params() == 50
    assert isinstance(new_model.layers[1], CustomDense) and new_model.layers[1].units == 10
    with pytest.raises(TypeError, match="Could not locate class 'CustomDense'"):
        keras.Model.from_config(config)


def test_custom_layer_without_get_config_explains_how():
    class Scale(layers.Layer):
        def __init__(self, factor, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, inputs):
            return inputs * self.factor

    inputs = keras.Input((4,))
    model = keras.Model(inputs, Scale(2.0)(inputs))
    with pytest.raises(NotImplementedError, match="must override `get_config\\(\\)`"):
        model.get_config()
