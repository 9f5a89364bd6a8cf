"""Where each weight lives in a Keras 3 weights file, and loading them all-or-nothing.

Keras 3 addresses a layer's variables by the path of attributes that leads to it, not
by its name: `layers/dense/vars/0` is the first variable of the first `Dense` in
`model.layers`, `layers/dense_1/vars/0` the second Dense's (names made from the class
name, numbered within each container), `layers/lstm/cell/vars/1` an LSTM cell's
recurrent kernel, `optimizer/vars/3` the optimizer's fourth variable. `weight_groups`
walks a keraslite model the way Keras walks its own, so files cross both ways.
"""

from __future__ import annotations

import re

import numpy as np
import torch

from keraslite.distribution.sharded_variables import keras_variables
from keraslite.layers.base_layer import Layer
from keraslite.layers.layer_quantization import QuantizationMixin
from keraslite.layers.layer_state import LayerStateMethods
from keraslite.saving.op_config import op_function

# What models tell saving they are (`model._obj_type()`, Keras's names); a plain layer has no `_obj_type`.
_GRAPH_MODELS = ("Functional", "Sequential")
_MODELS = ("Model",) + _GRAPH_MODELS


def keras_snake_case(name: str) -> str:
    """Keras's own `to_snake_case` (the file layout depends on it exactly)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _name_key(name: str) -> str:
    # Keras visits private attributes last.
    return "~" + name if name.startswith("_") else name


def _join(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def own_variables(layer) -> list:
    """A layer's own variables in Keras's order (trainable first, then non-trainable; a
    quantized layer's in its mode's order), followed by parameters of plain torch
    submodules it holds."""
    result = layer._saved_variables()
    seen = {id(v) for v in result}
    for child in layer._modules.values():
        if child is not None and not isinstance(child, Layer) and not _holds_layers(child):
            for param in child.parameters():
                if id(param) not in seen:
                    result.append(param)
                    seen.add(id(param))
    return result


def obj_type(layer) -> str:
    """What saving walks `layer` as: a model says ("Model", "Functional", "Sequential"); else "Layer"."""
    method = getattr(layer, "_obj_type", None)
    return method() if method is not None else "Layer"


def is_model(layer) -> bool:
    return obj_type(layer) in _MODELS


def _holds_layers(module) -> bool:
    return isinstance(module, (torch.nn.ModuleList, torch.nn.ModuleDict, torch.nn.Sequential)) and any(
        isinstance(m, Layer) for m in module.children()
    )


def _is_op(layer) -> bool:
    return op_function(layer) is not None


def _children(layer):
    """(attribute, child) pairs in the order Keras visits them; a child is a layer or a
    list of layers (a container)."""
    kind = obj_type(layer)
    items = []
    if kind in _GRAPH_MODELS:
        items.append(("layers", [child for child in layer.layers if not _is_op(child)]))
        return items
    named = []
    for attribute, child in layer._modules.items():
        if child is None:
            continue
        if isinstance(child, Layer):
            named.append((attribute, child))
        elif _holds_layers(child):
            named.append((attribute, [m for m in child.children() if isinstance(m, Layer)]))
    # Keras walks every attribute, properties included: a sublayer kept as `_query_dense`
    # and exposed as the property `query_dense` is saved under `query_dense`.
    for attribute in _layer_properties(type(layer)):
        try:
            value = getattr(layer, attribute)
        except Exception:  # a property that cannot be read here is not state
            continue
        if isinstance(value, Layer) and value is not layer:
            named.append((attribute, value))
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Layer) for v in value):
            named.append((attribute, list(value)))
    if kind == "Model":
        named.append(("layers", [child for child in layer.layers if not _is_op(child)]))
    named.sort(key=lambda item: _name_key(item[0]))
    return named


# Properties a keraslite class has but its Keras counterpart lacks (so Keras saves the
# sublayer under its private name): keraslite's GroupedQueryAttention inherits them
# from MultiHeadAttention, Keras's does not.
_NOT_IN_KERAS = {"GroupedQueryAttention": {"query_dense", "key_dense", "value_dense", "output_dense"}}


def _layer_properties(cls) -> list[str]:
    """Properties defined by the layer's own classes (not by Layer, the model classes
    or Module)."""
    names = []
    hidden = set().union(
        *(_NOT_IN_KERAS.get(k.__name__, set()) for k in cls.__mro__ if k.__module__.startswith("keraslite."))
    )
    for klass in cls.__mro__:
        if klass in (
            Layer,
            QuantizationMixin,
            LayerStateMethods,
            torch.nn.Module,
            object,
        ) or klass.__module__.startswith(
            ("keraslite.graph", "keraslite.models.", "keraslite.training", "keraslite.saving")
        ):
            continue
        for name, value in vars(klass).items():
            if isinstance(value, property) and not name.startswith("__") and name not in names and name not in hidden:
                names.append(name)
    return names


def weight_groups(model, include_optimizer: bool = True) -> list[tuple[str, str, list]]:
    """[(group path, owner name, [variables])] for every layer (and the optimizer), in
    the order Keras writes them. The root's own variables are at path ''."""
    groups: list = []
    visited: set = set()

    def visit(layer, path):
        if id(layer) in visited:
            return
        visited.add(id(layer))
        groups.append((path, layer.name, own_variables(layer)))
        for attribute, child in _children(layer):
            if isinstance(child, list):
                container(child, _join(path, attribute))
            else:
                visit(child, _join(path, attribute))

    def container(layers, path):
        used: dict = {}
        for layer in layers:
            base = keras_snake_case(type(layer).__name__)
            if base in used:
                used[base] += 1
                name = f"{base}_{used[base]}"
            else:
                used[base] = 0
                name = base
            visit(layer, _join(path, name))

    visit(model, "")
    optimizer = getattr(model, "optimizer", None) if include_optimizer else None
    if optimizer is not None and hasattr(optimizer, "variables") and getattr(optimizer, "built", False):
        # Under ModelParallel a slot kept per shard is saved through its whole-shaped view.
        groups.append(("optimizer", getattr(optimizer, "name", "optimizer"), keras_variables(optimizer.variables)))
    return groups


def storage_key(variable, index: int) -> str:
    """The name a variable is stored under in its layer's `vars` group: its position, or
    the key its layer gave it (`_keras_store_key`: a TorchModuleWrapper's `state_dict` keys,
    which is how Keras stores that layer's variables)."""
    return getattr(variable, "_keras_store_key", None) or str(index)


class NamedArrays(list):
    """A `vars` group's arrays read from a file that stores them under names, not positions;
    `names[i]` is the name of the i-th array."""

    def __init__(self, names, arrays):
        super().__init__(arrays)
        self.names = list(names)


def _in_variable_order(variables, arrays: NamedArrays):
    """(`arrays` reordered to match the variables' storage keys, None) or (None, why not)."""
    by_name = dict(zip(arrays.names, arrays))
    keys = [storage_key(variable, index) for index, variable in enumerate(variables)]
    missing = [key for key in keys if key not in by_name]
    unexpected = [name for name in arrays.names if name not in keys]
    if missing or unexpected:
        return None, f"the file's variables are named {arrays.names}; missing {missing}, unexpected {unexpected}"
    return [by_name[key] for key in keys], None


def to_numpy(variable) -> np.ndarray:
    tensor = variable.detach() if isinstance(variable, torch.Tensor) else torch.as_tensor(variable)
    if tensor.dtype == torch.bfloat16:
        tensor = tensor.float()
    return tensor.cpu().numpy()


def assign_groups(groups, stored: dict, source: str, skip_mismatch: bool = False, what: str = "weights") -> list[str]:
    """Check every stored array against the model's variables, then copy them in.

    `stored` maps a group path to its list of arrays. Nothing is assigned unless every
    group fits (or `skip_mismatch` is set, in which case misfits are skipped and returned
    as warnings). Raises ValueError listing missing, unexpected and wrongly shaped weights.
    """
    missing, mismatched, pending = [], [], []
    expected_paths = set()
    for path, name, variables in groups:
        expected_paths.add(path)
        arrays = stored.get(path)
        label = f"{path or '<root>'} (layer '{name}')"
        if arrays is None:
            if variables:
                missing.append(f"{label}: {len(variables)} variable(s) not in the file")
            continue
        if isinstance(arrays, NamedArrays):
            arrays, problem = _in_variable_order(variables, arrays)
            if problem is not None:
                mismatched.append(f"{label}: {problem}")
                continue
        if len(arrays) != len(variables):
            mismatched.append(f"{label}: expected {len(variables)} variables, the file has {len(arrays)}")
            continue
        for index, (variable, array) in enumerate(zip(variables, arrays)):
            if tuple(array.shape) != tuple(variable.shape):
                mismatched.append(
                    f"{label} variable {index} ('{getattr(variable, 'name', '?')}'): expected shape "
                    f"{tuple(variable.shape)}, the file has shape {tuple(array.shape)}"
                )
                break
        else:
            pending.append((variables, arrays))
    unexpected = [
        f"{path}: {len(arrays)} variable(s)"
        for path, arrays in stored.items()
        if path not in expected_paths and len(arrays)
    ]
    problems = []
    if missing:
        problems.append("Missing (in the model, not in the file):\n  " + "\n  ".join(missing))
    if unexpected:
        problems.append("Unexpected (in the file, not in the model):\n  " + "\n  ".join(unexpected))
    if mismatched:
        problems.append("Wrong count or shape:\n  " + "\n  ".join(mismatched))
    if problems and not skip_mismatch:
        raise ValueError(
            f"Cannot load {what} from '{source}': the file does not match the model. The model was left "
            "unchanged.\n" + "\n".join(problems) + "\nPass `skip_mismatch=True` to load the weights that do fit."
        )
    # Convert everything first so that a failure cannot leave the model half-loaded.
    converted = []
    for variables, arrays in pending:
        for variable, array in zip(variables, arrays):
            converted.append(
                (variable, torch.as_tensor(np.array(array)).to(dtype=variable.dtype, device=variable.device))
            )
    with torch.no_grad():
        for variable, value in converted:
            variable.copy_(value)
    return problems
