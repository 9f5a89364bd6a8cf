"""Keras 3's object config schema: `{"module", "class_name", "config", "registered_name"}`.

`serialize_keras_object` writes it for any keraslite object (built-in objects under the
module name real Keras uses, so that Keras 3 reads our configs and we read its);
`deserialize_keras_object` resolves it back, looking in custom_objects, the registry and
the public keraslite namespaces.
"""
from __future__ import annotations

import importlib
import inspect

from keraslite.saving import object_registry

# keraslite module prefix -> the public Keras module that names the same objects.
_PUBLIC_MODULES = (
    ("keraslite.initializers", "keras.initializers"),
    ("keraslite.regularizers", "keras.regularizers"),
    ("keraslite.constraints", "keras.constraints"),
    ("keraslite.activations", "keras.activations"),
    ("keraslite.layers", "keras.layers"),
    ("keraslite.losses", "keras.losses"),
    ("keraslite.metrics", "keras.metrics"),
    ("keraslite.optimizers.schedules", "keras.optimizers.schedules"),
    ("keraslite.optimizers", "keras.optimizers"),
    ("keraslite.models.sequential", "keras"),
    ("keraslite.models.model", "keras.src.models.functional"),
)
# Keras module -> where keraslite's public objects of that module live.
_NAMESPACES = {
    "keras.initializers": "keraslite.initializers",
    "keras.regularizers": "keraslite.regularizers",
    "keras.constraints": "keraslite.constraints",
    "keras.activations": "keraslite.activations",
    "keras.layers": "keraslite.layers",
    "keras.losses": "keraslite.losses",
    "keras.metrics": "keraslite.metrics",
    "keras.optimizers": "keraslite.optimizers",
    "keras.optimizers.schedules": "keraslite.optimizers.schedules",
    "keras": "keraslite",
    "keras.models": "keraslite.models",
    "keras.src.models.functional": "keraslite.models",
    "keras.src.models.model": "keraslite.models",
    "keras.src.models.sequential": "keraslite.models",
}


def _public_module(obj_type) -> tuple[str, bool]:
    """(Keras module name, whether the object is built in)."""
    module = getattr(obj_type, "__module__", "")
    for prefix, public in _PUBLIC_MODULES:
        if module == prefix or module.startswith(prefix + "."):
            return public, True
    return module, False


def serialize_keras_object(obj):
    """An object (layer, initializer, loss, ...) -> Keras 3's config dict."""
    if obj is None:
        return None
    if isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        module, builtin = _public_module(obj)
        if builtin and module == "keras.activations":
            return obj.__name__
        return {
            "module": module,
            "class_name": "function",
            "config": obj.__name__,
            "registered_name": object_registry.get_registered_name(obj) if not builtin else obj.__name__,
        }
    if not hasattr(obj, "get_config"):
        raise TypeError(
            f"Cannot serialize object {obj!r} of type {type(obj).__name__}: it has no `get_config()` method. "
            "Give it one that returns its constructor arguments."
        )
    cls = type(obj)
    module, builtin = _public_module(cls)
    config = {
        "module": module,
        "class_name": cls.__name__ if builtin else cls.__name__,
        "config": obj.get_config(),
        "registered_name": None if builtin else object_registry.get_registered_name(cls),
    }
    if hasattr(obj, "get_build_config"):
        build_config = obj.get_build_config()
        if build_config is not None:
            config["build_config"] = build_config
    if hasattr(obj, "_get_compile_config"):
        compile_config = obj._get_compile_config()
        if compile_config is not None:
            config["compile_config"] = compile_config
    return config


def _lookup_builtin(module: str | None, class_name: str):
    candidates = []
    if module in _NAMESPACES:
        candidates.append(_NAMESPACES[module])
    candidates += ["keraslite.layers", "keraslite.models", "keraslite"]
    for candidate in candidates:
        try:
            namespace = importlib.import_module(candidate)
        except ImportError:
            continue
        obj = getattr(namespace, class_name, None)
        if obj is not None:
            return obj
    return None


def deserialize_keras_object(config, custom_objects=None, safe_mode: bool = True, **kwargs):
    """Keras 3's config dict (or a plain name) -> the object."""
    if config is None:
        return None
    if isinstance(config, (int, float, bool)):
        return config
    if isinstance(config, str):
        obj = object_registry.get_registered_object(config, custom_objects)
        if obj is None:
            obj = _lookup_builtin(kwargs.get("module_name"), config)
        if obj is None:
            raise ValueError(f"Could not locate object '{config}'. Pass it in `custom_objects` or register it with `@keras.saving.register_keras_serializable()`.")
        return obj
    if isinstance(config, list):
        return [deserialize_keras_object(c, custom_objects, safe_mode) for c in config]
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError(f"Could not parse config: {config!r}. Expected a dict with 'class_name' and 'config'.")
    class_name = config["class_name"]
    inner = config.get("config", {})
    module = config.get("module")
    registered_name = config.get("registered_name") or class_name
    if class_name == "function":
        name = inner if isinstance(inner, str) else registered_name
        fn = object_registry.get_registered_object(registered_name, custom_objects) or object_registry.get_registered_object(name, custom_objects)
        if fn is None:
            fn = _lookup_builtin(module, name)
        if fn is None:
            raise ValueError(f"Could not locate function '{name}' (module {module!r}). Pass it in `custom_objects`.")
        return fn
    cls = object_registry.get_registered_object(registered_name, custom_objects) or object_registry.get_registered_object(class_name, custom_objects)
    if cls is None:
        cls = _lookup_builtin(module, class_name)
    if cls is None:
        raise TypeError(
            f"Could not locate class '{class_name}'. Make sure custom classes are decorated with "
            f"`@keras.saving.register_keras_serializable()` or passed in `custom_objects`. Full object config: {config}"
        )
    if hasattr(cls, "from_config"):
        try:
            from_config = cls.from_config
            if "custom_objects" in inspect.signature(from_config).parameters:
                obj = from_config(inner, custom_objects=custom_objects)
            else:
                with object_registry.custom_object_scope(custom_objects or {}):
                    obj = from_config(inner)
        except TypeError as error:
            raise TypeError(
                f"{cls.__name__} could not be deserialized properly. Make sure that its `get_config()` returns the "
                f"arguments of its `__init__()` and that `from_config()` accepts them. config={inner}\n\nException: {error}"
            ) from error
    else:
        obj = cls(**inner)
    build_config = config.get("build_config")
    if build_config and hasattr(obj, "build_from_config"):
        obj.build_from_config(build_config)
    return obj
