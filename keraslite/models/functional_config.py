"""A functional model's config, both ways: Keras 3's schema (`layers` with `inbound_nodes`,
`input_layers`, `output_layers`) and tf.keras 2's (for legacy `.h5` files).

Node indices in a config follow Keras: in `inbound_nodes`, a tensor's node index counts
only the producing layer's calls that belong to this model; in `input_layers` /
`output_layers` a nested functional model's own node counts too (node 0 is its own
graph). Legacy configs count a nested model's own node everywhere. Rebuilding calls the
deserialized layers on each other's outputs, in the order the config lists them.
"""

from __future__ import annotations

import copy

from keraslite.backend import tree
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.input_layer import InputLayer
from keraslite.models.model import Model
from keraslite.saving import layer_config, legacy_config, op_config
from keraslite.serialization import object_registry
from keraslite.serialization import serialization_lib as serialization


# ---------------------------------------------------------------------- writing
def own_node_index(layer, node_index: int, own_nodes: set) -> int:
    """A node's index among the layer's calls that belong to this model."""
    return sum(1 for node in layer._inbound_nodes[:node_index] if id(node) in own_nodes)


def _counts_own_node(layer) -> bool:
    # Keras's Sequential is not a Functional: only functional models start with their own node.
    return isinstance(layer, Model) and layer._obj_type() == "Functional"


def _serialize_call_value(value, own_nodes: set):
    if isinstance(value, KerasTensor):
        layer, node_index, tensor_index = value._keras_history
        return {
            "class_name": "__keras_tensor__",
            "config": {
                "shape": list(value._shape),
                "dtype": value._dtype,
                "keras_history": [layer.name, own_node_index(layer, node_index, own_nodes), tensor_index],
            },
        }
    if isinstance(value, slice):
        return {"class_name": "__slice__", "config": {"start": value.start, "stop": value.stop, "step": value.step}}
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(value, dict):
        return {k: _serialize_call_value(v, own_nodes) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_serialize_call_value(v, own_nodes) for v in value]
    return serialization.serialize_keras_object(value)


def _is_keras_ops_call(layer) -> bool:
    function = op_config.op_function(layer)
    return (
        function is not None
        and function.__name__ not in op_config.arithmetic_ops()
        and op_config.keras_op_module(function) is not None
    )


def functional_get_config(model) -> dict:
    """Keras 3's config of a functional model."""
    own_nodes = {id(node) for node in model._graph.nodes}
    layer_configs = []
    for layer in model._graph_layers:
        inbound = []
        entry = None
        for node in layer._inbound_nodes:
            if id(node) not in own_nodes or node.is_input:
                continue
            args, kwargs = op_config.call_arguments(layer, node)
            if _is_keras_ops_call(layer):
                # keras.ops functions: non-tensor arguments go to the op's config (Keras 3's form).
                entry, args = op_config.split_op_call(layer, args, kwargs)
                kwargs = {}
            inbound.append(
                {"args": _serialize_call_value(args, own_nodes), "kwargs": _serialize_call_value(kwargs, own_nodes)}
            )
        if entry is None:
            entry = layer_config.serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = inbound
        layer_configs.append(entry)

    def io_config(tensor):
        layer, node_index, tensor_index = tensor._keras_history
        index = own_node_index(layer, node_index, own_nodes)
        if _counts_own_node(layer):
            index += 1
        return [layer.name, index, tensor_index]

    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layer_configs,
        "input_layers": tree.map_structure(io_config, model._inputs_struct),
        "output_layers": tree.map_structure(io_config, model._outputs_struct),
    }


def legacy_entry(layer) -> dict:
    """A layer (a nested model included) as an entry of a tf.keras 2 config."""
    if isinstance(layer, Model):
        return layer._legacy_config()
    return legacy_config.legacy_layer_entry(layer)


def _legacy_history(tensor, own_nodes) -> list:
    # tf.keras 2 counted every nested model's own graph as its node 0.
    layer, node_index, tensor_index = tensor._keras_history
    index = own_node_index(layer, node_index, own_nodes)
    return [layer.name, index + (1 if isinstance(layer, Model) else 0), tensor_index]


# ---------------------------------------------------------------------- reading
class _Reconstruction:
    """Calls deserialized layers on each other's outputs, in the config's order."""

    def __init__(self, legacy: bool):
        self.legacy = legacy
        self.layers: dict = {}
        self.calls: dict = {}  # layer name -> [flat outputs of each call made here]

    def add_layer(self, name: str, layer) -> None:
        self.layers[name] = layer
        self.calls[name] = [list(layer._inbound_nodes[0].output_tensors)] if isinstance(layer, InputLayer) else []

    def tensor(self, name: str, node_index: int, tensor_index: int, io: bool = False):
        if name not in self.layers:
            raise ValueError(
                f"Invalid model config: a node refers to unknown layer '{name}'. Known layers: {sorted(self.layers)}"
            )
        layer = self.layers[name]
        if isinstance(layer, Model) and (self.legacy or (io and _counts_own_node(layer))):
            node_index -= 1  # skip the nested model's own graph node
        calls = self.calls[name]
        if node_index >= len(calls):
            raise IndexError(name)
        return calls[node_index][tensor_index]

    def revive(self, value):
        if isinstance(value, dict):
            class_name = value.get("class_name")
            if class_name == "__keras_tensor__":
                return self.tensor(*value["config"]["keras_history"])
            if class_name == "__slice__":
                c = value["config"]
                return slice(c.get("start"), c.get("stop"), c.get("step"))
            if class_name == "__ellipsis__":
                return Ellipsis
            if class_name == "__tuple__":
                return tuple(self.revive(v) for v in value["config"]["value"])
            if "class_name" in value and "config" in value:
                return serialization.deserialize_keras_object(value)
            return {k: self.revive(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.revive(v) for v in value]
        return value

    def call(self, name: str, node_data) -> None:
        layer = self.layers[name]
        if isinstance(node_data, list):  # legacy: [[name, node, tensor, kwargs], ...]
            inputs, kwargs = [], {}
            for item in node_data:
                inputs.append(self.tensor(item[0], item[1], item[2]))
                if len(item) > 3 and item[3]:
                    kwargs = self.revive(item[3])
            args = [inputs[0] if len(inputs) == 1 else inputs]
        else:
            args = self.revive(node_data.get("args", []))
            kwargs = self.revive(node_data.get("kwargs", {}))
            if (
                getattr(op_config.op_function(layer), "__name__", None) == "get_item"
                and len(args) == 2
                and isinstance(args[1], list)
            ):
                args[1] = tuple(args[1])
        kwargs = {k: v for k, v in kwargs.items() if not (k == "mask" and v is None)}
        outputs = layer(*args, **kwargs)
        self.calls[name].append(tree.flatten(outputs))


def functional_from_config(cls, config: dict, custom_objects=None, safe_mode: bool = True):
    """Rebuild a functional model (of class `cls`) from Keras 3's (or tf.keras 2's) config."""
    config = copy.deepcopy(config)
    for key in ("layers", "input_layers", "output_layers"):
        if key not in config:
            raise ValueError(f"Invalid functional model config: missing key '{key}'. Received keys: {sorted(config)}")
    layer_entries = config.pop("layers")
    # tf.keras 2 wrote each call as a list of [layer, node, tensor, kwargs] and counted a
    # nested model's own graph as its node 0.
    legacy = any(entry.get("inbound_nodes") and isinstance(entry["inbound_nodes"][0], list) for entry in layer_entries)
    rebuild = _Reconstruction(legacy)
    pending = {}
    with object_registry.custom_object_scope(custom_objects or {}):
        for entry in layer_entries:
            if "name" not in entry:
                raise ValueError(f"Invalid functional model config: a layer entry has no 'name'. Received: {entry}")
            layer = layer_config.deserialize_layer(entry, custom_objects, safe_mode)
            rebuild.add_layer(entry["name"], layer)
            pending[entry["name"]] = list(entry.get("inbound_nodes") or [])
        while any(pending.values()):
            progressed = False
            for entry in layer_entries:
                name = entry["name"]
                while pending[name]:
                    try:
                        rebuild.call(name, pending[name][0])
                    except IndexError:
                        break
                    pending[name].pop(0)
                    progressed = True
            if not progressed:
                unresolved = {k: v for k, v in pending.items() if v}
                raise ValueError(
                    "Invalid functional model config: the graph has cycles or disconnected nodes. "
                    f"These layer calls could not be resolved: {unresolved}"
                )

    def io_tensors(spec):
        if isinstance(spec, list) and len(spec) == 3 and isinstance(spec[0], str):
            return rebuild.tensor(spec[0], spec[1], spec[2], io=True)
        if isinstance(spec, dict):
            return {k: io_tensors(v) for k, v in spec.items()}
        return [io_tensors(v) for v in spec]

    inputs = io_tensors(config.pop("input_layers"))
    outputs = io_tensors(config.pop("output_layers"))
    if legacy and isinstance(outputs, list) and len(outputs) == 1:
        outputs = outputs[0]
    name = config.pop("name", None)
    trainable = config.pop("trainable", True)
    for key in ("dtype", "build_config", "compile_config"):
        config.pop(key, None)
    return cls(
        inputs=inputs, outputs=outputs, name=name, trainable=trainable if trainable is not None else True, **config
    )
