"""`serialization.function_code`: Python lambdas as Keras's `__lambda__` config."""

import numpy as np
import pytest

import keraslite
from keraslite.serialization import function_code
from keraslite.serialization.serialization_lib import deserialize_keras_object


def test_only_lambdas_are_saved_as_code():
    assert function_code.is_python_lambda(lambda x: x)
    assert not function_code.is_python_lambda(np.sum)
    assert not function_code.is_python_lambda(keraslite.activations.relu)


def test_dump_and_load_keep_code_defaults_and_closure():
    offset = 1.5

    def make():
        return lambda x, scale=2.0: x * scale + offset

    config = function_code.dump_function(make())
    assert config["class_name"] == "__lambda__"
    assert config["config"]["defaults"] == (2.0,) and config["config"]["closure"] == (1.5,)
    loaded = function_code.load_function(config["config"])
    assert loaded(1.0) == 3.5 and loaded(1.0, scale=1.0) == 2.5
    # Defaults written as a JSON list come back as a tuple.
    loaded = function_code.load_function(dict(config["config"], defaults=[3.0]))
    assert loaded(1.0) == 4.5


def test_loaded_lambdas_see_the_keras_namespace():
    config = function_code.dump_function(lambda x: keras.ops.sum(x) + K.epsilon() * 0)  # noqa: F821
    loaded = function_code.load_function(config["config"])
    assert float(loaded(np.ones(3, "float32"))) == 3.0


def test_the_deserializer_refuses_lambdas_in_safe_mode():
    config = function_code.dump_function(lambda x: x + 1)
    with pytest.raises(ValueError, match="safe_mode"):
        deserialize_keras_object(config)
    assert deserialize_keras_object(config, safe_mode=False)(1) == 2
