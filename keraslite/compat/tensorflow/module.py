"""`tf.Module`: a container of variables and sub-modules found through its attributes.

`variables` / `trainable_variables` / `submodules` walk the attributes (lists, tuples and
dicts too) as TensorFlow does, in attribute-name order, each object once; `name_scope`
is entered by `with_name_scope`. Keras layers and models met on the way count as modules.
"""

from __future__ import annotations

import contextlib
import functools
import re

import torch

from keraslite.backend import name_scope as _name_scope
from keraslite.layers.base_layer import Layer

_VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def _camel_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _is_module(value) -> bool:
    return isinstance(value, (Module, Layer))


def _walk(value, seen, collect, recurse):
    """Objects under `value` (attributes of modules, items of containers) passing
    `collect`, depth first, each once."""
    if id(value) in seen:
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _walk(item, seen, collect, recurse)
        return
    if isinstance(value, dict):
        for key in sorted(value, key=str):
            _walk(value[key], seen, collect, recurse)
        return
    seen.add(id(value))
    if collect(value):
        recurse.append(value)
    if isinstance(value, Module):
        for key in sorted(vars(value)):
            if key not in ("_name", "_scope_name"):
                _walk(vars(value)[key], seen, collect, recurse)
    elif _is_module(value):
        for variable in getattr(value, "weights", []):
            _walk(variable, seen, collect, recurse)


class Module:
    """Base class for things that own variables: `tf.Module`."""

    def __init__(self, name=None):
        if name is None:
            name = _camel_to_snake(type(self).__name__)
        elif not _VALID_NAME.match(name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be valid Python identifiers.")
        self._name = name
        self._scope_name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self):
        return _name_scope.name_scope(self._scope_name)

    def _flatten(self, predicate) -> list:
        found: list = []
        seen = {id(self)}
        for key in sorted(vars(self)):
            if key not in ("_name", "_scope_name"):
                _walk(vars(self)[key], seen, predicate, found)
        return found

    @property
    def variables(self) -> tuple:
        return tuple(self._flatten(lambda v: isinstance(v, torch.nn.Parameter)))

    @property
    def trainable_variables(self) -> tuple:
        return tuple(self._flatten(lambda v: isinstance(v, torch.nn.Parameter) and v.requires_grad))

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(self._flatten(lambda v: isinstance(v, torch.nn.Parameter) and not v.requires_grad))

    @property
    def submodules(self) -> tuple:
        return tuple(self._flatten(_is_module))

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: `method` runs inside the module's name scope."""

        @functools.wraps(method)
        def scoped(self, *args, **kwargs):
            with self.name_scope if isinstance(self, Module) else contextlib.nullcontext():
                return method(self, *args, **kwargs)

        return scoped

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} object at {hex(id(self))}>"
