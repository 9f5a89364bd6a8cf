"""`serialize_keras_object` / `deserialize_keras_object` on custom objects: what a
`get_config()` holds is serialized in turn, functions are written under their registered
name as Keras 3 writes them, and an unknown class or function is reported by its name."""

import json

import numpy as np
import pytest

import keraslite as keras
from keraslite.serialization.serialization_lib import (
    UnknownObjectError,
    deserialize_keras_object,
    serialize_keras_object,
)


@keras.saving.register_keras_serializable(package="SerLibTest")
class Holder(keras.layers.Layer):
    """Keeps whatever it is given; its config returns the objects themselves."""

    def __init__(self, inner=None, scale=None, fn=None, **kwargs):
        super().__init__(**kwargs)
        self.inner, self.scale, self.fn = inner, scale, fn

    def get_config(self):
        return {**super().get_config(), "inner": self.inner, "scale": self.scale, "fn": self.fn}


@keras.saving.register_keras_serializable(package="SerLibTest", name="cube")
def cube_fn(x):
    return x**3


def test_objects_inside_a_custom_config_are_serialized():
    holder = Holder(inner=keras.layers.Dense(2, name="inside"), scale=np.float32(0.5), fn=cube_fn, name="h")
    config = serialize_keras_object(holder)
    json.dumps(config)  # a `.keras` file can hold it
    inner = config["config"]
    assert (inner["inner"]["class_name"], inner["inner"]["config"]["name"]) == ("Dense", "inside")
    assert inner["scale"] == 0.5 and type(inner["scale"]) is float
    assert inner["fn"]["config"] == "SerLibTest>cube"
    # A class defined in a script (module __main__) is written with module None, as Keras does.
    assert config["registered_name"] == "SerLibTest>Holder"


def test_numpy_arrays_in_configs_round_trip():
    config = serialize_keras_object({"table": np.arange(3, dtype="int32")})
    assert config["table"]["class_name"] == "__numpy__"
    restored = deserialize_keras_object(config["table"])
    assert restored.dtype == np.int32 and restored.tolist() == [0, 1, 2]


def test_functions_are_written_under_their_registered_name():
    config = serialize_keras_object(cube_fn)
    assert config == {
        "module": "builtins",
        "class_name": "function",
        "config": "SerLibTest>cube",
        "registered_name": "function",
    }
    assert deserialize_keras_object(config) is cube_fn


def test_function_found_by_bare_name_in_custom_objects():
    def halve(x):
        return x / 2

    saved = {"module": "builtins", "class_name": "function", "config": "pkg>halve", "registered_name": "function"}
    assert deserialize_keras_object(saved, custom_objects={"halve": halve}) is halve
    with keras.saving.custom_object_scope({"halve": halve}):
        assert deserialize_keras_object(saved) is halve
    # Files of Keras <= 3.6 wrote the bare name of a function registered as "package>name".
    old = {"module": "builtins", "class_name": "function", "config": "cube", "registered_name": "function"}
    assert deserialize_keras_object(old) is cube_fn


def test_unknown_class_is_named_first_not_its_container():
    class NotRegistered(keras.layers.Layer):
        def call(self, x):
            return x

    inputs = keras.Input((3,))
    model = keras.Model(inputs, NotRegistered(name="odd")(keras.layers.Dense(2)(inputs)))
    config = serialize_keras_object(model)
    with pytest.raises(UnknownObjectError) as info:
        deserialize_keras_object(config)
    message = str(info.value)
    assert message.startswith("Could not locate class 'NotRegistered', the class of 'odd'.")
    assert "custom_objects={'NotRegistered': NotRegistered}" in message
    assert "register_keras_serializable" in message
    assert isinstance(info.value, TypeError)  # Keras raises TypeError
    restored = deserialize_keras_object(config, custom_objects={"NotRegistered": NotRegistered})
    assert type(restored.get_layer("odd")).__name__ == "NotRegistered"


def test_unknown_function_nested_in_a_builtin_layer_is_named_first():
    def softer(x):
        return x

    dense = serialize_keras_object(keras.layers.Dense(2, activation=softer))
    assert dense["config"]["activation"]["config"] == "softer"
    with pytest.raises(UnknownObjectError, match=r"^Could not locate function 'softer'\. .*custom_objects="):
        deserialize_keras_object(dense)
    assert deserialize_keras_object(dense, custom_objects={"softer": softer}).activation is softer
