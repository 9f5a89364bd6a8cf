"""Lowers a functional graph (ordered `Node`s) to one `torch.fx.GraphModule`.

One handler per kind of node, so the lowering reads like a table:

    input node           -> placeholder (one per model input, named after it)
    layer call           -> call_module (the layer is a leaf submodule; a shared
                            layer is one submodule called twice; a nested model too)
    operation (keras.ops
    on KerasTensors)     -> call_function
    several outputs      -> operator.getitem on the call's result
    implicit mask        -> call_function keras_mask_of(producer output), passed as
                            `mask=` (each layer call attaches `compute_mask`'s result
                            to its outputs as `_keras_mask`, as Keras does)
    model outputs        -> output

Every call_module receives `training=training` from the GraphModule's own `training`
argument, so `fit` and inference run the same graph. Set `KERASLITE_DEBUG_FX=1` to print
the generated code of each model as it is lowered.
"""

from __future__ import annotations

import keyword
import operator
import os
import re

import torch.fx

from keraslite.backend import tree
from keraslite.graph.keras_tensor import KerasTensor


def module_attribute_name(name: str, taken: set) -> str:
    """A layer name as a valid, unused Python attribute name (`dense_1` stays `dense_1`)."""
    candidate = re.sub(r"\W", "_", name)
    if not candidate or candidate[0].isdigit() or keyword.iskeyword(candidate):
        candidate = "layer_" + candidate
    base, index = candidate, 1
    while candidate in taken:
        candidate = f"{base}_{index}"
        index += 1
    taken.add(candidate)
    return candidate


def _output_paths(structure, prefix=()):
    """(path, KerasTensor) for every leaf of a layer's output structure."""
    if isinstance(structure, KerasTensor):
        return [(prefix, structure)]
    if isinstance(structure, dict):
        items = structure.items()
    else:
        items = enumerate(structure)
    paths = []
    for key, value in items:
        paths.extend(_output_paths(value, prefix + (key,)))
    return paths


def keras_mask_of(tensor):
    """The mask a layer call attached to `tensor` (`tensor._keras_mask`), or None."""
    return getattr(tensor, "_keras_mask", None)


class _Lowering:
    def __init__(self, targets: dict):
        self.graph = torch.fx.Graph()
        self.env: dict[int, torch.fx.Node] = {}
        self.targets = targets  # layer -> attribute name in the GraphModule

    def value(self, structure):
        return tree.map_structure(lambda v: self.env[id(v)] if isinstance(v, KerasTensor) else v, structure)

    def placeholder(self, tensor: KerasTensor, name: str) -> None:
        self.env[id(tensor)] = self.graph.placeholder(name)

    def layer_call(self, node, training) -> None:
        layer = node.layer
        fn = getattr(layer, "_keraslite_op_function", None)
        args = self.value(list(node.call_args))
        kwargs = {k: self.value(v) for k, v in node.call_kwargs.items()}
        if getattr(node, "input_masks", None) is not None and "mask" not in kwargs:
            # Keras's implicit masking: the layer takes its input's mask, which the
            # producing layer's call attached to its output tensor.
            kwargs["mask"] = tree.map_structure(
                lambda t: (
                    self.graph.call_function(keras_mask_of, (self.env[id(t)],))
                    if isinstance(t, KerasTensor) and t._keras_mask is not None
                    else None
                ),
                node.call_args[0],
            )
        if fn is not None:
            result = self.graph.call_function(fn, tuple(args), kwargs)
        else:
            kwargs["training"] = training
            result = self.graph.call_module(self.targets[layer], tuple(args), kwargs)
        self.bind_outputs(node.outputs, result)

    def bind_outputs(self, outputs, result) -> None:
        if isinstance(outputs, KerasTensor):
            self.env[id(outputs)] = result
            return
        for path, tensor in _output_paths(outputs):
            value = result
            for key in path:
                value = self.graph.call_function(operator.getitem, (value, key))
            self.env[id(tensor)] = value


def lower_to_fx(
    inputs: list[KerasTensor],
    input_names: list[str],
    outputs: list[KerasTensor],
    nodes,
    targets: dict,
    class_name: str = "FunctionalGraph",
) -> torch.fx.GraphModule:
    """Build the GraphModule computing `outputs` (a flat list) from `inputs` (a flat list)."""
    lowering = _Lowering(targets)
    taken = set()
    for tensor, name in zip(inputs, input_names):
        lowering.placeholder(tensor, module_attribute_name(name, taken))
    training = lowering.graph.placeholder("training", default_value=None)
    input_ids = {id(t) for t in inputs}
    for node in nodes:
        if node.is_input:
            if not any(id(t) in input_ids for t in node.output_tensors):
                raise ValueError(f"Input layer {node.layer.name} is not an input of this model.")
            continue
        lowering.layer_call(node, training)
    lowering.graph.output(tuple(lowering.env[id(t)] for t in outputs))
    lowering.graph.lint()
    root = {target: layer for layer, target in targets.items()}
    graph_module = torch.fx.GraphModule(root, lowering.graph, class_name=re.sub(r"\W", "_", class_name))
    if os.environ.get("KERASLITE_DEBUG_FX"):
        print(graph_module.code)
    return graph_module
