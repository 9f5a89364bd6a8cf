"""`keras.ops` calls recorded in a functional graph, in Keras 3's config form.

Keras 3 records `ops.concatenate([a, b], axis=1)` on KerasTensors as an operation of
class `Concatenate` (module `keras.src.ops.numpy`) whose config holds the non-tensor
arguments (`{"name": ..., "axis": 1}`) and whose node holds the tensor arguments. keraslite
records the op's function with all its arguments; this module converts both ways.
"""

from __future__ import annotations

import inspect
import re

from keraslite import ops
from keraslite.backend import tree
from keraslite.graph import symbolic_ops
from keraslite.graph.keras_tensor import KerasTensor

# keraslite.ops implementation modules -> the Keras module holding the op classes.
_KERAS_OP_MODULES = (
    ("keraslite.ops.nn", "keras.src.ops.nn"),
    ("keraslite.ops.core", "keras.src.ops.core"),
    ("keraslite.ops.math", "keras.src.ops.math"),
    ("keraslite.ops.linalg", "keras.src.ops.linalg"),
    ("keraslite.ops.image", "keras.src.ops.image"),
    ("keraslite.ops.numpy", "keras.src.ops.numpy"),
)
# Parameters that Keras passes to an op's call (tensors or tensor-like operands) rather
# than to its constructor, even when they hold a plain number (`ops.maximum(x, 0.0)`).
_CALL_PARAMETERS = {
    "x",
    "x1",
    "x2",
    "xs",
    "y",
    "a",
    "b",
    "inputs",
    "tensors",
    "arrays",
    "array",
    "condition",
    "indices",
    "values",
    "updates",
    "target",
    "output",
    "query",
    "key",
    "value",
    "mask",
    "kernel",
    "bias",
    "logits",
    "labels",
    "scores",
    "elements",
    "test_elements",
    "weights",
    "input",
    "images",
    "start_indices",
    "inputs_1",
}


def op_function(layer):
    """The function an op node (`OpLayer`) records, or None for a real layer."""
    return getattr(layer, "_op_function", None) or getattr(layer, "_keraslite_op_function", None)


def has_tensor_constants(layer) -> bool:
    """An op called with fixed tensors besides KerasTensors (`ops.matmul(x, w)`)."""
    return getattr(layer, "_template", None) is not None


def call_arguments(layer, node) -> tuple[list, dict]:
    """The arguments an op node's function is called with: the node's KerasTensors with the
    op's fixed tensors put back where they were passed (Keras writes those into the config
    as `__tensor__` values)."""
    if has_tensor_constants(layer):
        args, kwargs = layer._fill_template(list(node.call_args))
        return list(args), dict(kwargs)
    return list(node.call_args), dict(node.call_kwargs)


def arithmetic_ops() -> dict:
    """{function name: (function, Keras class name)} for the operators on KerasTensors
    (`x + y`, `x[:, 0]`, `x > 0` ...)."""
    return {fn.__name__: (fn, _camel(fn.__name__)) for fn in symbolic_ops._FUNCTIONS.values()}


def keras_class_name(layer) -> str:
    """The class Keras 3 gives an op node (`ops.mean` -> `Mean`, `x + y` -> `Add`), or the
    layer's own class name for a real layer."""
    function = op_function(layer)
    if function is None:
        return type(layer).__name__
    return _camel(getattr(function, "__name__", "op").strip("_"))


def keras_op_module(function) -> str | None:
    module = getattr(function, "__module__", "") or ""
    for prefix, keras_module in _KERAS_OP_MODULES:
        if module.startswith(prefix):
            return keras_module
    return None


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _snake(name: str) -> str:
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def _has_tensor(value) -> bool:
    return isinstance(value, KerasTensor) or (
        isinstance(value, (list, tuple, dict)) and any(isinstance(v, KerasTensor) for v in tree.flatten(value))
    )


def _plain(value):
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def split_op_call(layer, args, kwargs):
    """(config entry without nodes, call args) for an op node of a `keras.ops` function
    called with `args`/`kwargs`, or None when the function is not one of keraslite.ops."""
    function = op_function(layer)
    module = keras_op_module(function)
    if module is None:
        return None
    try:
        bound = inspect.signature(function).bind(*args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    call_args, config = [], {"name": layer.name}
    for parameter, value in bound.arguments.items():
        kind = inspect.signature(function).parameters[parameter].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            call_args.extend(value)
        elif kind is inspect.Parameter.VAR_KEYWORD:
            config.update({k: _plain(v) for k, v in value.items()})
        elif _has_tensor(value) or parameter in _CALL_PARAMETERS:
            call_args.append(value)
        else:
            config[parameter] = _plain(value)
    class_name = _camel(function.__name__)
    entry = {"module": module, "class_name": class_name, "config": config, "registered_name": class_name}
    return entry, call_args


class OpCall:
    """Stands for a Keras op class while a functional config is rebuilt: calling it calls
    the keraslite op with the config's arguments, which records the op node."""

    def __init__(self, function, config: dict, name: str):
        self.function = function
        self.config = {k: v for k, v in config.items() if k != "name"}
        self.name = name
        self._inbound_nodes = []

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs, **self.config)


def op_from_config(layer_data: dict):
    """An `OpCall` for a Keras op entry (`module` under keras.src.ops), or None."""
    module = layer_data.get("module") or ""
    if not module.startswith("keras.src.ops"):
        return None
    function = getattr(ops, _snake(layer_data["class_name"]), None)
    if function is None:
        raise ValueError(
            f"The model config uses the Keras operation '{layer_data['class_name']}' ({module}), which keraslite.ops "
            f"does not provide (looked for `keras.ops.{_snake(layer_data['class_name'])}`)."
        )
    return OpCall(function, dict(layer_data.get("config") or {}), layer_data.get("name", layer_data["class_name"]))
