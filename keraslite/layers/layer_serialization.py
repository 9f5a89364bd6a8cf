"""`keras.layers.serialize` / `keras.layers.deserialize`: a layer to and from its
config dict (Keras 3's object schema: module, class_name, config, registered_name,
build_config)."""

from __future__ import annotations

from keraslite.layers.base_layer import Layer
from keraslite.serialization import serialization_lib


def serialize(layer: Layer) -> dict:
    """The config dict of `layer`, as `keras.saving.serialize_keras_object` writes it."""
    return serialization_lib.serialize_keras_object(layer)


def deserialize(config, custom_objects=None) -> Layer:
    """A layer rebuilt from its config dict (custom classes through `custom_objects`,
    a `custom_object_scope` or the serializable registry)."""
    layer = serialization_lib.deserialize_keras_object(config, custom_objects=custom_objects)
    if not isinstance(layer, Layer):
        raise ValueError(
            "`keras.layers.deserialize` was passed a config that does not describe a layer; it gave "
            f"{type(layer).__name__}. Received: config={config!r}"
        )
    return layer
