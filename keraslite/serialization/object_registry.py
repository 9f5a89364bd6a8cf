"""Custom objects known by name: `register_keras_serializable`, `custom_object_scope`."""

from __future__ import annotations

import threading

_GLOBAL_CUSTOM_OBJECTS: dict = {}
_GLOBAL_CUSTOM_NAMES: dict = {}
_scope = threading.local()


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator registering a class/function as `package>name` for deserialization."""

    def decorator(obj):
        registered_name = f"{package}>{name or obj.__name__}"
        if hasattr(obj, "get_config") is False and isinstance(obj, type):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered_name
        return obj

    return decorator


def get_registered_name(obj) -> str:
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name, custom_objects=None, module_objects=None):
    for source in (_scope_objects(), custom_objects or {}, _GLOBAL_CUSTOM_OBJECTS, module_objects or {}):
        if name in source:
            return source[name]
    return None


def visible_custom_objects(custom_objects=None) -> dict:
    """Every object loading can see by name: registered, in a scope, or passed in."""
    return {**_GLOBAL_CUSTOM_OBJECTS, **(custom_objects or {}), **_scope_objects()}


def _scope_objects() -> dict:
    merged = {}
    for objects in getattr(_scope, "stack", []):
        merged.update(objects)
    return merged


class custom_object_scope:
    """`with custom_object_scope({"CustomDense": CustomDense}): load_model(...)`."""

    def __init__(self, custom_objects):
        self.custom_objects = custom_objects or {}

    def __enter__(self):
        if not hasattr(_scope, "stack"):
            _scope.stack = []
        _scope.stack.append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scope.stack.pop()


CustomObjectScope = custom_object_scope


def get_custom_objects() -> dict:
    return _GLOBAL_CUSTOM_OBJECTS
