"""`keras.legacy.saving` / `keras.utils.legacy`: tf.keras 2's object serialization, where an
object is `{"class_name": ..., "config": ...}` (no `module`), a function is its registered
name, and classes are found only among `module_objects`, `custom_objects` and registered
objects."""

from __future__ import annotations

import inspect

from keraslite.serialization import object_registry


def serialize_keras_object(instance):
    """tf.keras 2's config of `instance`: `{"class_name", "config"}` for objects with
    `get_config` (nested objects in the config serialized the same way and marked
    `__passive_serialization__`), the registered name for functions and classes."""
    instance = inspect.unwrap(instance) if callable(instance) else instance
    if instance is None:
        return None
    if hasattr(instance, "get_config") and not inspect.isclass(instance):
        config = {}
        for key, item in instance.get_config().items():
            if isinstance(item, str):
                config[key] = item
                continue
            try:
                serialized = serialize_keras_object(item)
            except ValueError:
                config[key] = item
                continue
            if isinstance(serialized, dict) and not isinstance(item, dict):
                serialized["__passive_serialization__"] = True
            config[key] = serialized
        return {"class_name": object_registry.get_registered_name(type(instance)), "config": config}
    if hasattr(instance, "__name__"):
        return object_registry.get_registered_name(instance)
    raise ValueError(f"Cannot serialize {instance} because it doesn't implement `get_config()`.")


def _unknown(kind: str, name: str) -> ValueError:
    return ValueError(
        f"Unknown {kind}: '{name}'. Please ensure you are using a `keras.utils.custom_object_scope` "
        "and that this object is included in the scope."
    )


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None, printable_module_name="object"):
    """The object a tf.keras 2 config describes. Names resolve through `custom_objects`,
    the custom object scopes and registry, then `module_objects`."""
    module_objects = module_objects or {}
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        if "class_name" not in identifier or "config" not in identifier:
            raise ValueError(
                f"Improper config format for {identifier}. Expecting python dict contains `class_name` and "
                "`config` as keys"
            )
        class_name = identifier["class_name"]
        cls = object_registry.get_registered_object(class_name, custom_objects, module_objects)
        if cls is None:
            raise _unknown(printable_module_name, class_name)
        config = identifier["config"]
        if isinstance(config, list):
            return cls.from_config(config) if hasattr(cls, "from_config") else cls(config)
        config = dict(config)
        for key, item in config.items():
            if key == "name":
                continue
            if isinstance(item, dict) and "__passive_serialization__" in item:
                item = {k: v for k, v in item.items() if k != "__passive_serialization__"}
                config[key] = deserialize_keras_object(item, module_objects, custom_objects, "config_item")
            elif isinstance(item, str) and inspect.isfunction(
                object_registry.get_registered_object(item, custom_objects, module_objects)
            ):
                config[key] = object_registry.get_registered_object(item, custom_objects, module_objects)
        with object_registry.custom_object_scope(custom_objects or {}):
            if hasattr(cls, "from_config"):
                return cls.from_config(config)
            return cls(**config)
    if isinstance(identifier, str):
        obj = object_registry.get_registered_object(identifier, custom_objects, module_objects)
        if obj is None:
            raise _unknown(printable_module_name, identifier)
        return obj() if inspect.isclass(obj) else obj
    if inspect.isfunction(identifier):
        return identifier
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier}")
