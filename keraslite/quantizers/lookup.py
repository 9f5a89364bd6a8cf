"""`keras.quantizers.serialize / deserialize / get`: quantizers and quantization configs
by config dict or by name (class name or its snake_case)."""

from __future__ import annotations

import inspect
import re

from keraslite.quantizers.calibration_configs import AWQConfig
from keraslite.quantizers.quantization_config import (
    Float8QuantizationConfig,
    Int4QuantizationConfig,
    Int8QuantizationConfig,
    QuantizationConfig,
)
from keraslite.quantizers.quantizers import AbsMaxQuantizer, Quantizer
from keraslite.serialization import serialization_lib as serialization

# As in Keras, GPTQConfig is not among the names `get` resolves.
_CLASSES = (
    Quantizer,
    AbsMaxQuantizer,
    QuantizationConfig,
    Int8QuantizationConfig,
    Int4QuantizationConfig,
    Float8QuantizationConfig,
    AWQConfig,
)


def _snake_case(name: str) -> str:
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


ALL_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS.update({_snake_case(cls.__name__): cls for cls in _CLASSES})


def serialize(initializer):
    """A quantizer or quantization config -> Keras's config dict."""
    return serialization.serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """A quantizer or quantization config from its config dict."""
    if (
        isinstance(config, dict)
        and config.get("class_name") in ALL_OBJECTS
        and not (custom_objects or {}).get(config["class_name"])
    ):
        return ALL_OBJECTS[config["class_name"]].from_config(config.get("config", {}))
    return serialization.deserialize_keras_object(config, custom_objects=custom_objects)


def get(identifier, **kwargs):
    """A quantizer from None, a config dict, a class name or an object (a class is called
    with `kwargs`, as Keras does)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS.get(identifier, None)
    else:
        obj = identifier
    if callable(obj):
        if inspect.isclass(obj):
            obj = obj(kwargs)
        return obj
    raise ValueError(f"Could not interpret quantizer identifier: {identifier}")
