"""Describe a Keras-shaped package's public API as JSON: every dotted path under its public
modules, its kind, and the signatures of its callables (plus the members of the core classes).

    python api_surface_describe.py keras      # real Keras 3 (run with KERAS_BACKEND=torch)
    python api_surface_describe.py keraslite  # keraslite, walked at the paths given on stdin

Used by `test_api_surface.py`, which runs it in fresh processes so that real Keras and
keraslite never share one. Keras is walked by attribute from the top (its installed package is
the generated API tree); `keras.src` and `keras._tf_keras` are internals, left out.
"""

from __future__ import annotations

import importlib
import inspect
import json
import sys
import types

INTERNAL_MODULES = ("src", "_tf_keras", "api")

# The classes whose public members (methods and properties) are part of the surface, and how
# to make an instance (some members are attributes set in __init__ or by compile()).
CORE_CLASSES = {
    "Model": "i = K.Input((3,)); m = K.Model(i, K.layers.Dense(2)(i))",
    "Sequential": "m = K.Sequential([K.Input((3,)), K.layers.Dense(2)])",
    "layers.Layer": "m = K.layers.Layer()",
    "losses.Loss": "m = K.losses.MeanSquaredError()",
    "metrics.Metric": "m = K.metrics.Mean()",
    "optimizers.Optimizer": "m = K.optimizers.SGD()",
    "callbacks.Callback": "m = K.callbacks.Callback()",
    "Variable": "m = K.Variable(1.0)",
    "KerasTensor": "m = K.KerasTensor((2, 3))",
    "utils.PyDataset": "m = K.utils.PyDataset()",
    "optimizers.schedules.LearningRateSchedule": "m = K.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)",
    "initializers.Initializer": "m = K.initializers.Zeros()",
    "regularizers.Regularizer": "m = K.regularizers.L2()",
    "constraints.Constraint": "m = K.constraints.NonNeg()",
}


def describe_default(value):
    """A JSON-comparable form of a parameter default: plain values as themselves, anything
    else by its type's name (two objects of one class count as the same default)."""
    if value is inspect.Parameter.empty:
        return {"none": True}
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    if isinstance(value, (tuple, list)) and all(v is None or isinstance(v, (bool, int, float, str)) for v in value):
        return {"value": list(value)}
    if isinstance(value, type):
        return {"type": value.__name__}
    return {"object": type(value).__name__}


def signature_of(obj, owner_is_class=False):
    """The parameters of `obj` as [name, kind, default] triples, or None when Python cannot
    say (C callables). Classes are described by the signature their constructor accepts."""
    target = obj
    if isinstance(obj, type):
        target = obj.__init__
        params = _parameters(target)
        if params is not None and all(p[1] in ("VAR_POSITIONAL", "VAR_KEYWORD") for p in params[1:]):
            # __init__ passes everything on: __new__ may be the one that names the arguments.
            constructor = _parameters(obj.__new__)
            if constructor and any(p[1] not in ("VAR_POSITIONAL", "VAR_KEYWORD") for p in constructor[1:]):
                params = constructor
        return params[1:] if params else params
    params = _parameters(target)
    if params and owner_is_class and params[0][0] in ("self", "cls"):
        params = params[1:]
    return params


def _parameters(fn):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    return [[p.name, p.kind.name, describe_default(p.default)] for p in sig.parameters.values()]


def kind_of(obj):
    if isinstance(obj, types.ModuleType):
        return "module"
    if isinstance(obj, type):
        return "class"
    if callable(obj):
        return "function"
    return "value"


def walk_keras(package):
    """Every public path under `package`, found by attribute from the top."""
    root = importlib.import_module(package)
    found = {}
    pending = [(package, root)]
    seen_modules = set()
    while pending:
        prefix, module = pending.pop()
        if id(module) in seen_modules:
            continue
        seen_modules.add(id(module))
        for name in sorted(dir(module)):
            if name.startswith("_") and name != "__version__":
                continue
            if prefix == package and name in INTERNAL_MODULES:
                continue
            obj = getattr(module, name)
            path = f"{prefix}.{name}"
            if isinstance(obj, types.ModuleType):
                if not obj.__name__.startswith(package + ".") or ".src" in obj.__name__:
                    continue
                found[path] = {"kind": "module"}
                pending.append((path, obj))
                continue
            found[path] = describe(obj)
    # `keras.Model(inputs, outputs)` builds a Functional model: Model itself only declares
    # (*args, **kwargs), so the constructor users call is Functional's.
    functional = importlib.import_module(package + ".src.models.functional").Functional
    found[package + ".Model"]["signature"] = signature_of(functional)
    return found


def describe(obj):
    entry = {"kind": kind_of(obj)}
    if entry["kind"] in ("class", "function"):
        entry["signature"] = signature_of(obj)
    return entry


def resolve(root_name, path):
    """The object at a dotted Keras path in the package `root_name`, or None."""
    obj = importlib.import_module(root_name)
    for part in path.split(".")[1:]:  # the first part names the package
        if not hasattr(obj, part):
            return None
        obj = getattr(obj, part)
    return obj


def members_of(root_name, class_path, recipe):
    """Public members a core class defines (torch.nn.Module's own names left out)."""
    cls = resolve(root_name, f"{root_name}.{class_path}")
    if cls is None:
        return None
    import torch

    torch_names = set(dir(torch.nn.Module))
    namespace = {"K": importlib.import_module(root_name)}
    try:
        exec(recipe, namespace)  # noqa: S102 (our own snippets above)
        instance = namespace["m"]
    except Exception:  # the class exists but this recipe fails: members by class only
        instance = None
    out = {}
    names = set(dir(cls)) | (set(dir(instance)) if instance is not None else set())
    for name in sorted(names):
        if name.startswith("_") or name in torch_names:
            continue
        raw = inspect.getattr_static(cls, name, None)
        if isinstance(raw, property) or raw is None:
            out[name] = {"kind": "attribute"}
            continue
        member = getattr(cls, name, None)
        if callable(member) and not isinstance(member, type):
            static = isinstance(raw, staticmethod)
            out[name] = {"kind": "method", "signature": signature_of(member, owner_is_class=not static)}
        else:
            out[name] = {"kind": "attribute"}
    return out


def main():
    root_name = sys.argv[1]
    if root_name == "keras":
        paths = walk_keras("keras")
        classes = {c: members_of("keras", c, recipe) for c, recipe in CORE_CLASSES.items()}
        json.dump({"paths": paths, "classes": classes}, sys.stdout)
        return
    wanted = json.load(sys.stdin)
    paths = {}
    for path in wanted:
        obj = resolve(root_name, path)
        if obj is None:
            try:  # a submodule that needs its own import
                obj = importlib.import_module(root_name + path[len("keras") :])
            except ImportError:
                obj = None
        paths[path] = None if obj is None else describe(obj)
    classes = {c: members_of(root_name, c, recipe) for c, recipe in CORE_CLASSES.items()}
    json.dump({"paths": paths, "classes": classes}, sys.stdout)


if __name__ == "__main__":
    main()
