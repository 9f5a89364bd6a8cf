"""keras.layers.serialize / deserialize."""

import pytest

import keraslite as keras
from keraslite import layers


def test_serialize_round_trips_a_layer():
    dense = layers.Dense(3, activation="relu", name="d")
    config = layers.serialize(dense)
    assert config["class_name"] == "Dense" and config["module"] == "keras.layers"
    clone = layers.deserialize(config)
    assert isinstance(clone, layers.Dense) and clone.get_config() == dense.get_config()


def test_deserialize_takes_tf_keras_2_configs_and_custom_objects():
    assert layers.deserialize({"class_name": "Dropout", "config": {"rate": 0.25}}).rate == 0.25

    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    config = {"class_name": "Scale", "config": {"factor": 3.0}}
    assert layers.deserialize(config, custom_objects={"Scale": Scale}).factor == 3.0


def test_deserialize_refuses_what_is_not_a_layer():
    with pytest.raises(ValueError, match="not describe a layer"):
        layers.deserialize(keras.saving.serialize_keras_object(keras.optimizers.Adam()))
