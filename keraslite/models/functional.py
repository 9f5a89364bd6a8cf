"""`Functional`: the model made by `keras.Model(inputs, outputs)`.

It owns its graph: the `Node`s from its inputs to its outputs, ordered once
(`graph.topology`) and lowered to one `torch.fx.GraphModule` (`graph.fx_lowering`), which
is its forward (`model.graph_module`). It owns its config too: Keras 3's functional schema
(`layers` with `inbound_nodes`, `input_layers`, `output_layers`), written from the graph
and rebuilt by calling the deserialized layers on each other's outputs.

Node indices in a config follow Keras: in `inbound_nodes`, a tensor's node index counts
only the producing layer's calls that belong to this model; in `input_layers` /
`output_layers` a nested functional model's calls count from 1 (its node 0 is its own
graph). Legacy configs count a nested model's own node everywhere.
"""
from __future__ import annotations

import copy

import torch

from keraslite.backend import dtypes, tree
from keraslite.graph.fx_lowering import lower_to_fx, module_attribute_name
from keraslite.graph.input_spec import assert_input_compatibility
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.graph.topology import map_graph
from keraslite.layers.base_layer import Layer
from keraslite.layers.input_layer import InputLayer
from keraslite.layers.layer_inputs import flat_shapes
from keraslite.layers.masks import resolve_mask, symbolic_output_masks
from keraslite.models.model import Model
from keraslite.saving import layer_config, legacy_config, op_config
from keraslite.serialization import object_registry
from keraslite.serialization import serialization_lib as serialization


class _OwnGraphNode:
    """Node 0 of a functional model: the model's own inputs -> outputs (as in Keras 2),
    so that calls of the model on new inputs are nodes 1, 2, ..."""

    is_input = False
    input_tensors: list = []

    def __init__(self, model):
        self.layer = model
        self.index = 0
        self.call_args = (model._inputs_struct,)
        self.call_kwargs = {}
        self.outputs = model._outputs_struct
        self.output_tensors = list(model.outputs)

    @property
    def parent_nodes(self):
        return []

    def iterate_inbound(self):
        return iter(())


class Functional(Model):
    """The class of models made by `keras.Model(inputs, outputs)`.

    Args:
        inputs: the model's `keras.Input` tensors (single, list or dict).
        outputs: KerasTensors computed from them by layers (single, list or dict).
        name: model name (default `model`, `model_1`, ...).
    """

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Layer.__init__(self, name=name, trainable=trainable, **kwargs)
        self._device_cache = None
        for label, structure in (("inputs", inputs), ("outputs", outputs)):
            for value in tree.flatten(structure):
                if not isinstance(value, KerasTensor) or value._keras_history is None:
                    raise ValueError(
                        f"All `{label}` values must be KerasTensors made by `keras.Input` or by calling "
                        f"layers on them. Received: {label}={structure!r} including {value!r} of type {type(value).__name__}"
                    )
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1 and isinstance(inputs[0], KerasTensor):
            inputs = inputs[0] if isinstance(inputs, tuple) else list(inputs)
        self._set_graph(inputs, outputs)
        self._trainable = trainable

    @classmethod
    def _auto_name_base(cls) -> str:
        return "model" if cls is Functional else super()._auto_name_base()

    def _obj_type(self) -> str:
        return "Functional"

    # ------------------------------------------------------------------ the graph
    def _set_graph(self, inputs, outputs) -> None:
        """Order the graph from `inputs` to `outputs`, register its layers as submodules
        and lower it to the fx GraphModule that becomes this model's forward."""
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self.inputs = tree.flatten(inputs)
        self.outputs = tree.flatten(outputs)
        self._graph = map_graph(self.inputs, self.outputs)
        self._graph_layers = self._graph.layers
        # Read by training/ until it asks the model instead; nothing in models/ or saving/ reads it.
        self._is_graph_network = True
        for key in list(self._modules):
            del self._modules[key]
        self._register_graph_layers()
        object.__setattr__(self, "_graph_module", lower_to_fx(
            self.inputs,
            [t._keras_history.layer.name for t in self.inputs],
            self.outputs,
            self._graph.nodes,
            self._layer_targets,
            class_name=self.name,
        ))
        self._inbound_nodes[:] = [n for n in self._inbound_nodes if not isinstance(n, _OwnGraphNode)]
        self._inbound_nodes.insert(0, _OwnGraphNode(self))
        self._device_cache = None
        self.built = True

    def _register_graph_layers(self) -> None:
        reserved = set(dir(type(self))) | set(dir(torch.fx.GraphModule)) | set(self.__dict__) | {"training"}
        taken = set(reserved)
        self._layer_targets = {}
        for layer in self._graph_layers:
            target = module_attribute_name(layer.name, taken)
            self._layer_targets[layer] = target
            self.add_module(target, layer)

    @property
    def graph_module(self) -> torch.fx.GraphModule:
        """The `torch.fx.GraphModule` that computes this functional model (read its `.code`)."""
        return self._graph_module

    @property
    def layers(self) -> list[Layer]:
        return list(self._graph_layers)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    # ------------------------------------------------------------------ calling
    def call(self, inputs, training=None, mask=None):
        if isinstance(inputs, torch.Tensor) and len(self.inputs) == 1:
            flat = [self._standardize_input(inputs, self.inputs[0], 0)]
        else:
            flat = self._flatten_call_inputs(inputs)
            flat = [self._standardize_input(v, spec, i) for i, (v, spec) in enumerate(zip(flat, self.inputs))]
        if mask is not None:
            # Masks of the inputs reach the first layers as the tensors' `_keras_mask`
            # (set on views, not on the caller's tensors).
            flat = [t.view_as(t) if m is not None else t for t, m in zip(flat, tree.flatten(mask))]
            for tensor, input_mask in zip(flat, tree.flatten(mask)):
                if input_mask is not None:
                    tensor._keras_mask = input_mask
        outputs = self._graph_module(*flat, training=training)
        return tree.pack_sequence_as(self._outputs_struct, outputs)

    def compute_output_spec(self, *args, **kwargs):
        return self._propagate_specs(args[0])

    def _propagate_specs(self, inputs):
        """Shape inference for a call of this model on KerasTensors: walk its nodes,
        checking each layer's input spec, without running anything."""
        flat = self._flatten_call_inputs(inputs)
        env = {}
        for index, (given, own) in enumerate(zip(flat, self.inputs)):
            if len(given.shape) != len(own.shape) or any(a is not None and b is not None and a != b for a, b in zip(given.shape, own.shape)):
                raise ValueError(
                    f'Input {index} of layer "{self.name}" is incompatible with the layer: expected shape={own._shape}, '
                    f"found shape={given._shape}"
                )
            env[id(own)] = given
        for node in self._graph.nodes:
            if node.is_input:
                continue
            args = tree.map_structure(lambda v: env[id(v)] if isinstance(v, KerasTensor) else v, list(node.call_args))
            kwargs = {k: tree.map_structure(lambda v: env[id(v)] if isinstance(v, KerasTensor) else v, v) for k, v in node.call_kwargs.items()}
            shapes = tree.map_structure(lambda t: t.shape if isinstance(t, KerasTensor) else t, args[0])
            assert_input_compatibility(node.layer.input_spec, flat_shapes(shapes), node.layer.name)
            previous_mask = resolve_mask(node.layer, node.layer._call_signature()[1], args[0], args, kwargs)
            produced = symbolic_output_masks(node.layer, args[0], node.layer.compute_output_spec(*args, **kwargs), previous_mask)
            for own, new in zip(node.output_tensors, tree.flatten(produced)):
                env[id(own)] = new
        return tree.pack_sequence_as(self._outputs_struct, [env[id(t)] for t in self.outputs])

    def _maybe_build(self, shapes) -> None:
        Layer._maybe_build(self, shapes)

    def _apply(self, fn, recurse=True):
        result = Layer._apply(self, fn, recurse)
        # The model computes in its layers' dtype after `.to(dtype)`.
        weights = [w for w in self.weights if w.is_floating_point()]
        if weights:
            self._compute_torch_dtype = weights[0].dtype
            self._dtype_name = dtypes.standardize_dtype(weights[0].dtype)
        return result

    def build(self, input_shape=None):
        self.built = True

    def build_from_config(self, config) -> None:
        """A functional model's weights exist once its graph does: nothing to build."""

    # ------------------------------------------------------------------ inspection
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False, layer_range=None):
        """Print a table of the model's layers, output shapes and parameter counts."""
        self._print_summary(self._graph, line_length, positions, print_fn)

    # ------------------------------------------------------------------ configs
    def get_config(self) -> dict:
        """Keras 3's config of the graph (a subclass whose constructor is not
        `(inputs, outputs, ...)` writes its constructor arguments instead)."""
        if not Model._functional_like_constructor(type(self)):
            return Model.get_config(self)
        return functional_get_config(self)

    @staticmethod
    def _from_graph_config(cls, config: dict, custom_objects=None, safe_mode: bool = True):
        """`Model.from_config`'s way to rebuild a graph config as `cls` (Functional, or a
        subclass whose constructor takes inputs and outputs): model.py cannot import this module."""
        return functional_from_config(cls, config, custom_objects, safe_mode)

    def _legacy_config(self) -> dict:
        """tf.keras 2's config: each call a list of `[layer, node, tensor, kwargs]`."""
        own_nodes = {id(node) for node in self._graph.nodes}
        layers = []
        for layer in self._graph_layers:
            calls = []
            for node in layer._inbound_nodes:
                if id(node) not in own_nodes or node.is_input:
                    continue
                extra = {k: serialization.serialize_keras_object(v) for k, v in node.call_kwargs.items() if not isinstance(v, KerasTensor)}
                calls.append([_legacy_history(t, own_nodes) + [extra] for t in tree.flatten(node.call_args) if isinstance(t, KerasTensor)])
            entry = legacy_entry(layer)
            entry["name"] = layer.name
            entry["inbound_nodes"] = calls
            layers.append(entry)
        return {
            "class_name": "Functional",
            "config": {
                "name": self.name,
                "trainable": self.trainable,
                "layers": layers,
                "input_layers": [_legacy_history(t, own_nodes) for t in self.inputs],
                "output_layers": [_legacy_history(t, own_nodes) for t in self.outputs],
            },
        }


Model._functional_class = Functional


# ---------------------------------------------------------------------- writing
def own_node_index(layer, node_index: int, own_nodes: set) -> int:
    """A node's index among the layer's calls that belong to this model."""
    return sum(1 for node in layer._inbound_nodes[:node_index] if id(node) in own_nodes)


def _counts_own_node(layer) -> bool:
    # Keras's Sequential is not a Functional: only functional models start with their own node.
    return isinstance(layer, Functional) and layer._obj_type() == "Functional"


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
    return function is not None and function.__name__ not in op_config.arithmetic_ops() and op_config.keras_op_module(function) is not None


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
            raise ValueError(f"Invalid model config: a node refers to unknown layer '{name}'. Known layers: {sorted(self.layers)}")
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
            if getattr(op_config.op_function(layer), "__name__", None) == "get_item" and len(args) == 2 and isinstance(args[1], list):
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
    return cls(inputs=inputs, outputs=outputs, name=name, trainable=trainable if trainable is not None else True, **config)

