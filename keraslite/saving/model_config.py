"""Model configs in Keras 3's schema: the functional graph as `layers` (each with
`name` and `inbound_nodes`), `input_layers`, `output_layers`; Sequential as a list of
layers. Reads Keras 3 configs and legacy tf.keras 2 ones (`inbound_nodes` as lists of
`[layer_name, node_index, tensor_index, kwargs]`).

Node indices follow Keras: in `inbound_nodes`, a tensor's node index counts only the
producing layer's calls that belong to this model; in `input_layers`/`output_layers`
a nested functional model's calls count from 1 (its node 0 is its own graph). Legacy
configs count a nested model's own node everywhere.
"""
from __future__ import annotations

import copy
import inspect

from keraslite.graph.keras_tensor import KerasTensor
from keraslite.saving import op_config
from keraslite.serialization import serialization_lib as serialization
from keraslite.backend import tree



# ---------------------------------------------------------------------- writing
def _is_functional_class(layer) -> bool:
    from keraslite.models.model import Functional

    return isinstance(layer, Functional)


def _own_node_index(layer, node_index: int, own_nodes: set) -> int:
    """A node's index among the layer's calls that belong to this model."""
    return sum(1 for node in layer._inbound_nodes[:node_index] if id(node) in own_nodes)


def _serialize_call_value(value, own_nodes: set):
    if isinstance(value, KerasTensor):
        layer, node_index, tensor_index = value._keras_history
        return {
            "class_name": "__keras_tensor__",
            "config": {
                "shape": list(value._shape),
                "dtype": value._dtype,
                "keras_history": [layer.name, _own_node_index(layer, node_index, own_nodes), tensor_index],
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
    return function is not None and function.__name__ not in op_config.arithmetic_ops() and op_config.keras_op_module(function) is not None


def serialize_layer(layer) -> dict:
    """One layer (or recorded operator) as an entry of a model config's `layers`."""
    function = op_config.op_function(layer)
    if function is not None:
        op_name = getattr(function, "__name__", "")
        arithmetic = op_config.arithmetic_ops()
        if op_config.has_tensor_constants(layer) or op_name not in arithmetic:
            raise NotImplementedError(
                f"The operation '{op_name}' (node {layer.name}) cannot be written to a model config"
                + (" because it holds fixed tensors" if op_config.has_tensor_constants(layer) else "")
                + ". Wrap it in a layer with a `get_config()` method (or use a Lambda layer)."
            )
        class_name = arithmetic[op_name][1]
        return {"module": "keras.src.ops.numpy", "class_name": class_name, "config": {"name": layer.name}, "registered_name": class_name}
    config = serialization.serialize_keras_object(layer)
    shapes_dict = _shapes_dict(layer)
    if shapes_dict is not None:
        config["build_config"] = {"shapes_dict": shapes_dict}
    inner = config.get("config")
    if isinstance(inner, dict):
        # Keras 3 layers do not take the legacy `batch_input_shape` argument.
        inner.pop("batch_input_shape", None)
    return config


def _shapes_dict(layer):
    """Keras's build config for a layer whose `build` takes several shapes (as
    `MultiHeadAttention.build(query_shape, value_shape, key_shape)`): the shape of each
    call argument it was built from, keyed `<argument>_shape`."""
    try:
        build_parameters = [p for p in inspect.signature(type(layer).build).parameters if p != "self"]
    except (TypeError, ValueError):
        return None
    if len(build_parameters) < 2 or not all(p.endswith("_shape") for p in build_parameters):
        return None
    node = next((n for n in layer._inbound_nodes if getattr(n, "input_tensors", None)), None)
    if node is None:
        return None
    try:
        bound = inspect.signature(layer.call).bind_partial(*node.call_args, **node.call_kwargs).arguments
    except TypeError:
        return None
    shapes = {}
    for parameter in build_parameters:
        value = bound.get(parameter[: -len("_shape")])
        if isinstance(value, KerasTensor):
            shapes[parameter] = list(value._shape)
    return shapes or None


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
            args, kwargs = list(node.call_args), dict(node.call_kwargs)
            if _is_keras_ops_call(layer):
                # keras.ops functions: non-tensor arguments go to the op's config (Keras 3's form).
                entry, args = op_config.split_op_call(layer, node)
                kwargs = {}
            inbound.append({"args": _serialize_call_value(args, own_nodes), "kwargs": _serialize_call_value(kwargs, own_nodes)})
        if entry is None:
            entry = serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = inbound
        layer_configs.append(entry)

    def io_config(tensor):
        layer, node_index, tensor_index = tensor._keras_history
        index = _own_node_index(layer, node_index, own_nodes)
        if _is_functional_class(layer):
            index += 1
        return [layer.name, index, tensor_index]

    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layer_configs,
        "input_layers": tree.map_structure(io_config, model._inputs_struct),
        "output_layers": tree.map_structure(io_config, model._outputs_struct),
    }


def sequential_get_config(model) -> dict:
    """Keras 3's config of a Sequential model (its InputLayer first, once known)."""
    layers = []
    if model._is_graph_network:
        input_layer = model.inputs[0]._keras_history.layer
        layers.append(serialization.serialize_keras_object(input_layer))
    for layer in model._stack:
        layers.append(serialize_layer(layer))
    config = {"name": model.name, "trainable": model.trainable, "dtype": model.dtype, "layers": layers}
    if model._is_graph_network:
        config["build_input_shape"] = list(model.inputs[0]._shape)
    return config


# ---------------------------------------------------------------------- reading
def deserialize_layer(layer_data: dict, custom_objects=None, safe_mode: bool = True):
    """A `layers` entry of a model config -> a layer (or an op recorded as a layer)."""
    class_name = layer_data.get("class_name")
    module = layer_data.get("module") or ""
    arithmetic = {keras_name: fn for fn, keras_name in op_config.arithmetic_ops().values()}
    if class_name in arithmetic and module.startswith("keras.src.ops"):
        from keraslite.graph import symbolic_ops

        return symbolic_ops.OpLayer(arithmetic[class_name], name=layer_data["name"])
    op = op_config.op_from_config(layer_data)
    if op is not None:
        return op
    entry = {k: v for k, v in layer_data.items() if k not in ("name", "inbound_nodes")}
    return serialization.deserialize_keras_object(entry, custom_objects=custom_objects, safe_mode=safe_mode)


class _Reconstruction:
    """Calls deserialized layers on each other's outputs, in the config's order."""

    def __init__(self, legacy: bool):
        self.legacy = legacy
        self.layers: dict = {}
        self.calls: dict = {}  # layer name -> [flat outputs of each call made here]

    def add_layer(self, name: str, layer) -> None:
        from keraslite.layers.input_layer import InputLayer

        self.layers[name] = layer
        self.calls[name] = [list(layer._inbound_nodes[0].output_tensors)] if isinstance(layer, InputLayer) else []

    def tensor(self, name: str, node_index: int, tensor_index: int, io: bool = False):
        if name not in self.layers:
            raise ValueError(f"Invalid model config: a node refers to unknown layer '{name}'. Known layers: {sorted(self.layers)}")
        layer = self.layers[name]
        from keraslite.models.model import Model

        if isinstance(layer, Model) and (self.legacy or (io and _is_functional_class(layer))):
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
            if getattr(op_config.op_function(layer), "__name__", None) == "get_item" and len(args) == 2 and isinstance(args[1], list):
                args[1] = tuple(args[1])
        kwargs = {k: v for k, v in kwargs.items() if not (k == "mask" and v is None)}
        outputs = layer(*args, **kwargs)
        self.calls[name].append(tree.flatten(outputs))


def functional_from_config(cls, config: dict, custom_objects=None, safe_mode: bool = True):
    """Rebuild a functional model from Keras 3's (or tf.keras 2's) config."""
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
    with serialization.object_registry.custom_object_scope(custom_objects or {}):
        for entry in layer_entries:
            if "name" not in entry:
                raise ValueError(f"Invalid functional model config: a layer entry has no 'name'. Received: {entry}")
            layer = deserialize_layer(entry, custom_objects, safe_mode)
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
    return cls(inputs=inputs, outputs=outputs, name=name, trainable=trainable if trainable is not None else True, **config)


def sequential_from_config(cls, config, custom_objects=None, safe_mode: bool = True):
    """Rebuild a Sequential model from Keras 3's (or tf.keras 2's) config."""
    if isinstance(config, list):  # very old Keras: the config is the list of layers
        config = {"layers": config}
    config = copy.deepcopy(config)
    layer_entries = config.get("layers")
    if layer_entries is None:
        raise ValueError(f"Invalid Sequential config: missing key 'layers'. Received keys: {sorted(config)}")
    model = cls(name=config.get("name"), trainable=config.get("trainable", True))
    with serialization.object_registry.custom_object_scope(custom_objects or {}):
        for entry in layer_entries:
            layer = deserialize_layer(entry, custom_objects, safe_mode)
            model.add(layer, rebuild=False)
    model._maybe_rebuild()
    build_shape = config.get("build_input_shape")
    if not model._is_graph_network and build_shape is not None and model._stack:
        model.build(tuple(build_shape))
    return model
