"""Model configs as tf.keras 2 wrote them (for legacy `.h5` files): objects are
`{"class_name", "config"}` without `module`/`registered_name`, InputLayer takes
`batch_input_shape`, each layer call is a list of `[layer, node, tensor, kwargs]`, and a
nested model's own graph is its node 0."""
from __future__ import annotations

from keraslite.graph.keras_tensor import KerasTensor
from keraslite.saving import model_config
from keraslite.serialization import serialization_lib as serialization
from keraslite.saving.op_config import op_function
from keraslite.backend import tree

_NEW_FORMAT_KEYS = ("module", "registered_name", "build_config", "compile_config", "shared_object_id")


def strip_new_format(value):
    """Drop the Keras 3-only keys from every nested object config."""
    if isinstance(value, dict):
        if "class_name" in value and "config" in value:
            return {k: strip_new_format(v) for k, v in value.items() if k not in _NEW_FORMAT_KEYS}
        return {k: strip_new_format(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strip_new_format(v) for v in value]
    return value


def _is_model(layer) -> bool:
    from keraslite.models.model import Model

    return isinstance(layer, Model)


def _layer_entry(layer) -> dict:
    from keraslite.layers.input_layer import InputLayer

    if op_function(layer) is not None:
        raise NotImplementedError(
            f"The model uses the operation '{layer.name}' on symbolic tensors, which the legacy tf.keras 2 `.h5` "
            "format cannot describe. Save it as `.keras` instead, or wrap the operation in a layer."
        )
    if _is_model(layer):
        return legacy_model_config(layer)
    entry = strip_new_format(model_config.serialize_layer(layer))
    if isinstance(layer, InputLayer):
        inner = dict(entry["config"])
        inner["batch_input_shape"] = inner.pop("batch_shape")
        inner.setdefault("ragged", False)
        entry["config"] = inner
    return entry


def _history(tensor, own_nodes) -> list:
    layer, node_index, tensor_index = tensor._keras_history
    index = model_config._own_node_index(layer, node_index, own_nodes)
    return [layer.name, index + (1 if _is_model(layer) else 0), tensor_index]


def legacy_model_config(model) -> dict:
    """`{"class_name": "Functional" | "Sequential", "config": {...}}` in tf.keras 2's format."""
    from keraslite.models.sequential import Sequential

    if isinstance(model, Sequential):
        layers = []
        if model._is_graph_network:
            layers.append(_layer_entry(model.inputs[0]._keras_history.layer))
        layers += [_layer_entry(layer) for layer in model._stack]
        return {"class_name": "Sequential", "config": {"name": model.name, "layers": layers}}
    if not getattr(model, "_is_graph_network", False):
        raise NotImplementedError(
            f"Model {model.name} is a subclassed model: the legacy `.h5` format can only hold functional and "
            "Sequential models. Save it as `.keras` (with a `get_config()`), or save its weights alone."
        )
    own_nodes = {id(node) for node in model._graph.nodes}
    layers = []
    for layer in model._graph_layers:
        calls = []
        for node in layer._inbound_nodes:
            if id(node) not in own_nodes or node.is_input:
                continue
            extra = {k: serialization.serialize_keras_object(v) for k, v in node.call_kwargs.items() if not isinstance(v, KerasTensor)}
            calls.append([_history(t, own_nodes) + [extra] for t in tree.flatten(node.call_args) if isinstance(t, KerasTensor)])
        entry = _layer_entry(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = calls
        layers.append(entry)
    return {
        "class_name": "Functional",
        "config": {
            "name": model.name,
            "trainable": model.trainable,
            "layers": layers,
            "input_layers": [_history(t, own_nodes) for t in model.inputs],
            "output_layers": [_history(t, own_nodes) for t in model.outputs],
        },
    }
