"""`keras.losses.get/serialize/deserialize`: identifiers (strings, configs, callables) -> losses."""

from __future__ import annotations

import inspect

from keraslite.losses import classes, functions
from keraslite.losses.loss import Loss, LossFunctionWrapper
from keraslite.serialization import object_registry
from keraslite.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object

_CLASSES = {
    name: obj
    for name, obj in vars(classes).items()
    if inspect.isclass(obj) and issubclass(obj, Loss) and not name.startswith("_") and obj is not LossFunctionWrapper
}
_FUNCTIONS = {
    name: obj
    for name, obj in vars(functions).items()
    if inspect.isfunction(obj) and not name.startswith("_") and obj.__module__ == functions.__name__
}
ALL_OBJECTS = {**_CLASSES, **_FUNCTIONS, "Loss": Loss, "LossFunctionWrapper": LossFunctionWrapper}


def serialize(loss):
    """A loss (object or function) -> its Keras config."""
    return serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    """A Keras loss config or name -> the loss."""
    if isinstance(name, str):
        return _from_string(name, custom_objects)
    return deserialize_keras_object(name, custom_objects=custom_objects)


def _from_string(identifier: str, custom_objects=None):
    if custom_objects and identifier in custom_objects:
        return custom_objects[identifier]
    registered = (
        object_registry.get_registered_object(identifier) if hasattr(object_registry, "get_registered_object") else None
    )
    if registered is not None:
        return registered
    if identifier in ALL_OBJECTS:
        return ALL_OBJECTS[identifier]
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


def get(identifier):
    """A loss from a name (`"mse"`, `"categorical_crossentropy"`, `"CategoricalCrossentropy"`),
    a config dict, a `Loss` object or a function; `None` stays `None`."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _from_string(identifier)
    else:
        obj = identifier
    if inspect.isclass(obj) and issubclass(obj, Loss):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret loss identifier: {identifier}")
