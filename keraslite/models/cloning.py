"""`keras.models.clone_model`: a new model with the same architecture and fresh weights."""

from __future__ import annotations

from keraslite.backend import tree
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.graph.symbolic_ops import OpLayer
from keraslite.layers.input_layer import Input, InputLayer
from keraslite.models.functional import Functional
from keraslite.models.model import Model
from keraslite.models.sequential import Sequential
from keraslite.saving.op_config import has_tensor_constants, op_function


def clone_model(model, input_tensors=None, clone_function=None, call_function=None, recursive: bool = False, **kwargs):
    """A copy of `model` built from its config: same layers and graph, newly initialized
    weights (copy them with `new.set_weights(model.get_weights())`). A compiled model's
    clone is compiled from its compile config (a new optimizer of the same config), as in Keras.

    Args:
        model: a functional or Sequential model (a subclassed model needs `get_config`).
        input_tensors: optional `keras.Input` tensors to build the clone on (functional models).
        clone_function: `fn(layer) -> layer` applied to each layer instead of cloning it from
            its config (e.g. `lambda layer: layer` shares layers).
        recursive: accepted for Keras compatibility; nested models are always cloned
            from their config (fresh weights), as with `recursive=True`.
    """
    unsupported = (["call_function"] if call_function is not None else []) + sorted(kwargs)
    if unsupported:
        raise ValueError(f"clone_model: these arguments are not supported yet: {unsupported}")
    clone = _clone_uncompiled(model, input_tensors, clone_function)
    if getattr(model, "compiled", False):
        clone.compile_from_config(model.get_compile_config())
    return clone


def _clone_uncompiled(model, input_tensors, clone_function):

    def default_clone(layer):
        return type(layer).from_config(layer.get_config())

    clone_layer = clone_function or default_clone
    if isinstance(model, Sequential):
        layers = [clone_layer(layer) for layer in model._stack]
        if input_tensors is not None:
            tensors = input_tensors if not isinstance(input_tensors, (list, tuple)) else input_tensors[0]
            return Sequential([tensors] + layers, name=model.name)
        if model._input_layer is not None:
            source = model._input_layer
            layers = [InputLayer(batch_shape=source.batch_shape, dtype=source.dtype, name=source.name)] + layers
        return Sequential(layers, name=model.name, trainable=model.trainable)
    if not isinstance(model, Functional):
        if clone_function is not None:
            raise ValueError("clone_model with `clone_function` needs a functional or Sequential model.")
        return type(model).from_config(model.get_config())
    return _clone_functional(model, input_tensors, clone_layer)


def _clone_functional(model, input_tensors, clone_layer):
    mapping: dict = {}
    if input_tensors is not None:
        given = tree.flatten(input_tensors)
        if len(given) != len(model.inputs):
            raise ValueError(
                f"clone_model: the model has {len(model.inputs)} inputs; received {len(given)} input tensors."
            )
        for old, new in zip(model.inputs, given):
            mapping[id(old)] = new
    else:
        for old in model.inputs:
            layer = old._keras_history.layer
            mapping[id(old)] = Input(
                batch_shape=layer.batch_shape, dtype=layer.dtype, sparse=layer.sparse, name=layer.name
            )
    cloned_layers: dict = {}
    for node in model._graph.nodes:
        if node.is_input:
            continue
        layer = node.layer
        if op_function(layer) is not None:
            if has_tensor_constants(layer):
                new_layer = layer  # holds no weights; its constants are shared as they are
            else:
                new_layer = cloned_layers.setdefault(id(layer), OpLayer(op_function(layer), name=layer.name))
        else:
            if id(layer) not in cloned_layers:
                cloned_layers[id(layer)] = clone_layer(layer)
            new_layer = cloned_layers[id(layer)]
        swap = lambda v: mapping[id(v)] if isinstance(v, KerasTensor) else v  # noqa: E731
        args = tree.map_structure(swap, list(node.call_args))
        kwargs = {k: tree.map_structure(swap, v) for k, v in node.call_kwargs.items()}
        outputs = new_layer(*args, **kwargs)
        for old, new in zip(node.output_tensors, tree.flatten(outputs)):
            mapping[id(old)] = new
    inputs = tree.pack_sequence_as(model._inputs_struct, [mapping[id(t)] for t in model.inputs])
    outputs = tree.pack_sequence_as(model._outputs_struct, [mapping[id(t)] for t in model.outputs])
    return Model(inputs, outputs, name=model.name, trainable=model.trainable)
