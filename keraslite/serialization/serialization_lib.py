"""Keras 3's object config schema: `{"module", "class_name", "config", "registered_name"}`.

`serialize_keras_object` writes it for any keraslite object (built-in objects under the
module name real Keras uses, so that Keras 3 reads our configs and we read its);
`deserialize_keras_object` resolves it back, looking in custom_objects, the registry and
the public keraslite namespaces.
"""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import torch

from keraslite.serialization import object_registry
from keraslite.serialization.function_code import load_function

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
    ("keraslite.models.functional", "keras.src.models.functional"),
    ("keraslite.models.model", "keras.src.models.functional"),
    ("keraslite.utils.feature_space", "keras.utils"),
    ("keraslite.distillation", "keras.distillation"),
    ("keraslite.quantizers", "keras.quantizers"),
    # ConvNeXt's own layers (LayerScale, StochasticDepth): Keras writes their defining module.
    ("keraslite.applications.convnext", "keras.src.applications.convnext"),
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
    "keras.utils": "keraslite.utils",
    "keras.distillation": "keraslite.distillation",
    "keras.quantizers": "keraslite.quantizers",
    "keras.src.applications.convnext": "keraslite.applications.convnext",
}


class UnknownObjectError(TypeError, ValueError):
    """A config names a class or function that is neither built in, registered, nor in
    `custom_objects`. Raised as is through the `from_config` of the objects that hold it
    (a functional model, a layer), so the message starts with the name that is missing.
    A `TypeError` as in Keras; a `ValueError` too, as unknown names were before."""


# tf.keras 2 classes that Keras 3 no longer exports (tf.keras 2 files name them): where they live.
_TF2_ONLY_CLASSES = {"SyncBatchNormalization": "keraslite.layers.normalization"}

# Built-in classes that Keras exports (and so writes in configs) under another name.
_KERAS_CLASS_NAMES = {"GroupedQueryAttention": "GroupQueryAttention"}


def _public_module(obj_type) -> tuple[str, bool]:
    """(Keras module name, whether the object is built in)."""
    module = getattr(obj_type, "__module__", None) or ""
    for prefix, public in _PUBLIC_MODULES:
        if module == prefix or module.startswith(prefix + "."):
            return public, True
    return module, False


def serialize_keras_object(obj):
    """An object (layer, initializer, loss, ...) -> Keras 3's config dict.

    The object's `get_config()` is serialized in turn, as Keras does: a custom layer whose
    config holds a layer, an initializer or a function saves as JSON and loads back."""
    if obj is None:
        return None
    if isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, tuple):
        return tuple(serialize_keras_object(x) for x in obj)
    if isinstance(obj, list):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray) and obj.ndim > 0:
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": str(obj.dtype)}}
    if isinstance(obj, np.generic) or isinstance(obj, np.ndarray):
        return obj.item()
    if isinstance(obj, torch.Tensor):
        value = obj.detach().cpu()
        return {"class_name": "__tensor__", "config": {"value": value.tolist(), "dtype": str(value.dtype)[6:]}}
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        module, builtin = _public_module(obj)
        if builtin and module == "keras.activations":
            return obj.__name__
        # Keras writes every plain function under its registered name ("package>name",
        # or its own name when it is not registered); the name is what loading looks up.
        return {
            "module": "builtins",
            "class_name": "function",
            "config": object_registry.get_registered_name(obj),
            "registered_name": "function",
        }
    if not hasattr(obj, "get_config"):
        raise TypeError(
            f"Cannot serialize object {obj!r} of type {type(obj).__name__}: it has no `get_config()` method. "
            "Give it one that returns its constructor arguments."
        )
    cls = type(obj)
    module, builtin = _public_module(cls)
    inner = obj.get_config()
    if not isinstance(inner, dict):
        raise TypeError(f"The `get_config()` method of {cls.__name__} must return a dict. Received: config={inner!r}")
    config = {
        # A class defined in a script has no module to import: Keras writes None.
        "module": module if builtin or module not in ("__main__", "") else None,
        "class_name": _KERAS_CLASS_NAMES.get(cls.__name__, cls.__name__) if builtin else cls.__name__,
        "config": _serialize_config(inner),
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


def _serialize_config(value):
    """A `get_config()` dict with the Keras objects in it serialized; values that are
    neither Keras objects nor plain data stay as they are."""
    if isinstance(value, dict):
        return {k: _serialize_config(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_serialize_config(v) for v in value)
    if isinstance(value, list):
        return [_serialize_config(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic, torch.Tensor)) or hasattr(value, "get_config"):
        return serialize_keras_object(value)
    if inspect.isfunction(value) or inspect.isbuiltin(value):
        return serialize_keras_object(value)
    return value


def _lookup_builtin(module: str | None, class_name: str):
    candidates = []
    if module in _NAMESPACES:
        candidates.append(_NAMESPACES[module])
    # Configs without a module (tf.keras 2) are looked up across the public namespaces.
    candidates += [
        "keraslite.layers",
        "keraslite.models",
        "keraslite",
        "keraslite.losses",
        "keraslite.metrics",
        "keraslite.optimizers",
        "keraslite.initializers",
        "keraslite.regularizers",
        "keraslite.constraints",
        "keraslite.activations",
    ]
    if class_name in _TF2_ONLY_CLASSES:
        candidates.append(_TF2_ONLY_CLASSES[class_name])
    for candidate in candidates:
        try:
            namespace = importlib.import_module(candidate)
        except ImportError:
            continue
        obj = getattr(namespace, class_name, None)
        if obj is not None:
            return obj
    return None


_UNSAFE_LAMBDA = (
    "Requested the deserialization of a Python lambda. This carries a potential risk of arbitrary code "
    "execution and thus it is disallowed by default. If you trust the source of the artifact, you can "
    "override this error by passing `safe_mode=False` to the loading function, or calling "
    "`keras.config.enable_unsafe_deserialization()`."
)


_UNSAFE_ENABLED = False


def enable_unsafe_deserialization() -> None:
    """Allow Python lambdas (e.g. in `Lambda` layers) to load from files in this process,
    as `safe_mode=False` does for one call. Only for files you trust."""
    global _UNSAFE_ENABLED
    _UNSAFE_ENABLED = True


def unsafe_deserialization_enabled() -> bool:
    """Whether `enable_unsafe_deserialization()` was called in this process."""
    return _UNSAFE_ENABLED


def _contains_lambda(value) -> bool:
    if isinstance(value, dict):
        return value.get("class_name") == "__lambda__" or any(_contains_lambda(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_contains_lambda(v) for v in value)
    return False


# Keras 3 config keys that keraslite's classes do not take, dropped when they hold
# the value that means "feature not used".
_KERAS_ONLY_DEFAULTS = {
    "quantization_config": None,
    "input_axes": None,
    "output_axes": None,
    "ragged": False,
    "lora_alpha": None,
    "lora_rank": None,
}
_DTYPE_POLICY_CLASSES = ("DTypePolicy", "FloatDTypePolicy", "Policy")


def _dtype_from_policy(value):
    """Keras 3 writes `dtype` as a DTypePolicy config; keraslite layers take its name."""
    if isinstance(value, dict) and value.get("class_name") in _DTYPE_POLICY_CLASSES:
        return value.get("config", {}).get("name")
    return value


def _accepted_arguments(cls):
    names, takes_kwargs = set(), False
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for name, parameter in inspect.signature(init).parameters.items():
            if parameter.kind is inspect.Parameter.VAR_KEYWORD:
                takes_kwargs = True
            else:
                names.add(name)
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in inspect.signature(init).parameters.values()):
            break
    return names, takes_kwargs


def keras_compatible_config(cls, config: dict, builtin: bool) -> dict:
    """Adapt a Keras 3 config to keraslite's constructor: DTypePolicy dicts become dtype
    names; keys only Keras knows are dropped when they hold their neutral value."""
    config = dict(config)
    if "dtype" in config:
        config["dtype"] = _dtype_from_policy(config["dtype"])
    if builtin:
        try:
            accepted, _ = _accepted_arguments(cls)
        except (TypeError, ValueError):
            return config
        for key, neutral in _KERAS_ONLY_DEFAULTS.items():
            if key in config and key not in accepted and config[key] == neutral:
                del config[key]
    return config


def deserialize_keras_object(config, custom_objects=None, safe_mode: bool = True, **kwargs):
    """Keras 3's config dict (or a plain name) -> the object.

    Classes and functions are looked up, in order, in the active `custom_object_scope`s,
    `custom_objects`, the registry (`register_keras_serializable`, by its "package>name"),
    then among keraslite's public objects."""
    if config is None:
        return None
    if isinstance(config, (int, float, bool)):
        return config
    if isinstance(config, str):
        obj = object_registry.get_registered_object(config, custom_objects)
        if obj is None:
            obj = _lookup_builtin(kwargs.get("module_name"), config)
        if obj is None:
            raise UnknownObjectError(
                f"Could not locate object '{config}'. Pass it in `custom_objects` or register it with "
                "`@keras.saving.register_keras_serializable()`."
            )
        return obj
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(c, custom_objects, safe_mode) for c in config]
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError(f"Could not parse config: {config!r}. Expected a dict with 'class_name' and 'config'.")
    class_name = config["class_name"]
    inner = config.get("config", {})
    safe_mode = safe_mode and not _UNSAFE_ENABLED
    if class_name == "__lambda__":
        if safe_mode:
            raise ValueError(_UNSAFE_LAMBDA)
        return load_function(inner)
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__tensor__":
        return torch.tensor(inner["value"], dtype=getattr(torch, inner["dtype"]))
    if class_name == "function":
        return _locate_function(config, custom_objects)
    cls = _locate_class(config, custom_objects)
    if safe_mode and _contains_lambda(inner):
        raise ValueError(f"{_UNSAFE_LAMBDA} (in a {class_name} config)")
    if isinstance(inner, dict):
        inner = keras_compatible_config(cls, inner, builtin=_public_module(cls)[1])
    if hasattr(cls, "from_config"):
        try:
            from_config = cls.from_config
            parameters = inspect.signature(from_config).parameters
            extra = {"safe_mode": safe_mode} if "safe_mode" in parameters else {}
            if "custom_objects" in parameters:
                obj = from_config(inner, custom_objects=custom_objects, **extra)
            else:
                with object_registry.custom_object_scope(custom_objects or {}):
                    obj = from_config(inner)
        except Exception as error:
            unknown = _unknown_object_in(error)
            if unknown is not None:
                # A class or function nested in this config is unknown: say which one
                # first, not that the objects holding it could not be rebuilt.
                raise unknown from None
            if not isinstance(error, TypeError):
                raise
            raise TypeError(
                f"{cls.__name__} could not be deserialized properly. Make sure that its `get_config()` returns the "
                f"arguments of its `__init__()` and that `from_config()` accepts them. config={inner}\n\n"
                f"Exception: {error}"
            ) from error
    else:
        obj = cls(**inner)
    build_config = config.get("build_config")
    if build_config and hasattr(obj, "build_from_config"):
        _build_from_config(obj, build_config)
    return obj


def _unknown_object_in(error: BaseException):
    """The `UnknownObjectError` that `error` is, or was raised from, if any."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, UnknownObjectError):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _how_to_provide(kind: str, name: str) -> str:
    short = name.split(">")[-1]
    return (
        f"It is not a built-in Keras {kind}: pass it to the loading function as "
        f"`custom_objects={{'{short}': {short}}}`, use `keras.saving.custom_object_scope`, or decorate it with "
        f"`@keras.saving.register_keras_serializable()` and make sure that code runs before loading."
    )


def _abridged(config, limit: int = 2000) -> str:
    """A config for an error message: whole when short, cut (and said so) when long."""
    text = str(config)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text) - limit} more characters)"


def _locate_class(config: dict, custom_objects):
    """The class a config names: by registered name ("package>Name"), then by class name
    among custom objects, then among keraslite's built-in classes."""
    class_name = config["class_name"]
    registered_name = config.get("registered_name") or class_name
    cls = object_registry.get_registered_object(
        registered_name, custom_objects
    ) or object_registry.get_registered_object(class_name, custom_objects)
    if cls is None:
        cls = _lookup_builtin(config.get("module"), class_name)
    if cls is None:
        inner = config.get("config")
        owner = inner.get("name") if isinstance(inner, dict) else None
        raise UnknownObjectError(
            f"Could not locate class '{class_name}'"
            + (f" (registered name '{registered_name}')" if registered_name != class_name else "")
            + (f", the class of '{owner}'" if isinstance(owner, str) else "")
            + f". {_how_to_provide('class', class_name)}\nFull object config: {_abridged(config)}"
        )
    return cls


def _locate_function(config: dict, custom_objects):
    """The function a `{"class_name": "function"}` config names. Keras writes its
    registered name ("package>name", or its own name if it was not registered) as
    `config`; keraslite 0.x wrote that name in `registered_name`."""
    inner = config.get("config")
    registered_name = config.get("registered_name")
    name = inner if isinstance(inner, str) else registered_name
    if not isinstance(name, str):
        raise TypeError(f"A function config must name the function in 'config'. Received: config={config}")
    names = [name]
    if registered_name not in (None, "function", name):
        names.append(registered_name)
    for candidate in names:
        fn = object_registry.get_registered_object(candidate, custom_objects)
        if fn is not None:
            return fn
    if ">" not in name:
        fn = _lookup_builtin(config.get("module"), name)
        if fn is not None:
            return fn
    # "package>name" against custom objects given by the bare name, and the bare name
    # (files of Keras <= 3.6) against objects registered as "package>name".
    short = name.split(">")[-1]
    for key, fn in object_registry.visible_custom_objects(custom_objects).items():
        if key == short or key.endswith(f">{short}"):
            return fn
    raise UnknownObjectError(
        f"Could not locate function '{name}'. {_how_to_provide('function', name)} Full object config: {config}"
    )


def _build_from_config(obj, build_config: dict) -> None:
    """Keras writes `{"input_shape": ...}` or, for layers whose `build` takes several
    shapes (attention), `{"shapes_dict": {"query_shape": ..., ...}}`."""
    if "input_shape" in build_config or "shapes_dict" not in build_config:
        obj.build_from_config(build_config)
        return
    if getattr(obj, "built", False):
        return
    shapes = {k: tuple(v) if isinstance(v, list) else v for k, v in build_config["shapes_dict"].items()}
    try:
        obj.build(**shapes)
        obj.built = True
    except TypeError:
        pass  # built on its first call instead (as in a functional model being rebuilt)
