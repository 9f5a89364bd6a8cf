"""`serialize_keras_object` / `deserialize_keras_object` (Keras 3's schema), the custom
object registry and scopes, and the `keras.saving` namespace."""

import pytest

import keraslite as keras
from keraslite import layers
from keraslite.saving import deserialize_keras_object, serialize_keras_object


def test_namespace_exports():
    for name in (
        "register_keras_serializable",
        "custom_object_scope",
        "serialize_keras_object",
        "deserialize_keras_object",
        "load_model",
        "save_model",
        "get_custom_objects",
        "get_registered_name",
        "get_registered_object",
    ):
        assert hasattr(keras.saving, name), name
    for name in ("load_model", "save_model", "model_from_json", "clone_model"):
        assert hasattr(keras.models, name), name


def test_builtin_objects_use_keras_module_names():
    config = serialize_keras_object(keras.initializers.GlorotUniform(seed=3))
    assert config["module"] == "keras.initializers" and config["class_name"] == "GlorotUniform"
    assert config["registered_name"] is None and config["config"]["seed"] == 3
    dense = serialize_keras_object(layers.Dense(3, activation="relu"))
    assert (dense["module"], dense["class_name"], dense["config"]["activation"]) == ("keras.layers", "Dense", "relu")
    restored = deserialize_keras_object(dense)
    assert isinstance(restored, layers.Dense) and restored.units == 3
    assert serialize_keras_object(keras.activations.relu) == "relu"


def test_round_trip_of_regularizer_and_constraint():
    regularizer = deserialize_keras_object(serialize_keras_object(keras.regularizers.L2(0.01)))
    assert isinstance(regularizer, keras.regularizers.L2) and regularizer.l2 == pytest.approx(0.01)
    constraint = deserialize_keras_object(serialize_keras_object(keras.constraints.MaxNorm(2.0)))
    assert isinstance(constraint, keras.constraints.MaxNorm)


def test_registered_class_and_function():
    @keras.saving.register_keras_serializable(package="TestPkg")
    class Doubler(layers.Layer):
        def call(self, inputs):
            return inputs * 2

    @keras.saving.register_keras_serializable(package="TestPkg")
    def my_activation(x):
        return x

    config = serialize_keras_object(Doubler(name="dbl"))
    assert config["registered_name"] == "TestPkg>Doubler"
    assert keras.saving.get_registered_name(Doubler) == "TestPkg>Doubler"
    assert keras.saving.get_registered_object("TestPkg>Doubler") is Doubler
    restored = deserialize_keras_object(config)
    assert isinstance(restored, Doubler) and restored.name == "dbl"
    fn_config = serialize_keras_object(my_activation)
    # Keras 3's form: the registered name is the config; `registered_name` is "function".
    assert fn_config == {
        "module": "builtins",
        "class_name": "function",
        "config": "TestPkg>my_activation",
        "registered_name": "function",
    }
    assert deserialize_keras_object(fn_config) is my_activation
    # keraslite's earlier form (the registered name in `registered_name`) still loads.
    earlier = {"module": "__main__", "class_name": "function", "config": "my_activation"}
    assert deserialize_keras_object({**earlier, "registered_name": "TestPkg>my_activation"}) is my_activation


def test_custom_object_scope_and_custom_objects():
    class Halver(layers.Layer):
        def call(self, inputs):
            return inputs / 2

    config = serialize_keras_object(Halver(name="h"))
    with pytest.raises(TypeError, match="Could not locate class 'Halver'"):
        deserialize_keras_object(config)
    with keras.saving.custom_object_scope({"Halver": Halver}):
        assert isinstance(deserialize_keras_object(config), Halver)
    assert isinstance(deserialize_keras_object(config, custom_objects={"Halver": Halver}), Halver)


def test_python_lambda_needs_safe_mode_false():
    layer = layers.Lambda(lambda x: x + 1)
    config = serialize_keras_object(layer)
    assert config["config"]["function"]["class_name"] == "__lambda__"
    with pytest.raises(ValueError, match="Python lambda"):
        deserialize_keras_object(config)
    restored = deserialize_keras_object(config, safe_mode=False)
    assert restored.function(1) == 2


def test_keras3_dtype_policy_and_extra_keys_are_understood():
    config = {
        "module": "keras.layers",
        "class_name": "Dense",
        "config": {
            "name": "d",
            "units": 2,
            "dtype": {
                "module": "keras",
                "class_name": "DTypePolicy",
                "config": {"name": "float32"},
                "registered_name": None,
            },
            "quantization_config": None,
        },
        "registered_name": None,
        "build_config": {"input_shape": [None, 5]},
    }
    layer = deserialize_keras_object(config)
    assert layer.dtype == "float32" and layer.built and tuple(layer.kernel.shape) == (5, 2)


def test_unparseable_config():
    with pytest.raises(TypeError, match="Could not parse config"):
        deserialize_keras_object({"config": {}})
    with pytest.raises(ValueError, match="Could not locate object 'nope'"):
        deserialize_keras_object("nope")
