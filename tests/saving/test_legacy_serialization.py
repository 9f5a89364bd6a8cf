"""keras.legacy.saving / keras.utils.legacy: tf.keras 2's {"class_name", "config"} format."""

import pytest

import keraslite as keras
from keraslite.legacy import saving as legacy


def test_serialize_matches_keras(keras_oracle):
    expected = keras_oracle.run(
        "L = keras.legacy.saving\n"
        "result['init'] = L.serialize_keras_object(keras.initializers.GlorotUniform(seed=1))\n"
        "result['reg'] = L.serialize_keras_object(keras.regularizers.L1L2(0.1, 0.2))\n"
        "result['fn'] = L.serialize_keras_object(keras.activations.relu)\n"
        "result['none'] = L.serialize_keras_object(None)\n"
    )
    assert legacy.serialize_keras_object(keras.initializers.GlorotUniform(seed=1)) == expected["init"]
    assert legacy.serialize_keras_object(keras.regularizers.L1L2(0.1, 0.2)) == expected["reg"]
    assert legacy.serialize_keras_object(keras.activations.relu) == expected["fn"] == "relu"
    assert legacy.serialize_keras_object(None) is expected["none"] is None
    with pytest.raises(ValueError, match="doesn't implement `get_config\\(\\)`"):
        legacy.serialize_keras_object(object())


def test_deserialize_from_module_objects_and_custom_objects():
    dense = legacy.deserialize_keras_object(
        {"class_name": "Dense", "config": {"units": 3, "name": "x", "activation": "relu"}},
        module_objects={"Dense": keras.layers.Dense},
    )
    assert isinstance(dense, keras.layers.Dense) and dense.units == 3 and dense.name == "x"

    def my_act(x):
        return x

    assert legacy.deserialize_keras_object("my_act", custom_objects={"my_act": my_act}) is my_act
    ones = legacy.deserialize_keras_object("Ones", module_objects={"Ones": keras.initializers.Ones})
    assert isinstance(ones, keras.initializers.Ones)
    config = legacy.serialize_keras_object(keras.initializers.RandomNormal(stddev=0.5))
    restored = legacy.deserialize_keras_object(config, module_objects=vars(keras.initializers))
    assert restored.get_config()["stddev"] == 0.5
    with pytest.raises(ValueError, match="Unknown object: 'Nope'"):
        legacy.deserialize_keras_object({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match="Improper config format"):
        legacy.deserialize_keras_object({"config": {}})
    assert keras.utils.legacy.serialize_keras_object is legacy.serialize_keras_object
