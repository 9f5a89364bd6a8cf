"""`Functional`: the model made by `keras.Model(inputs, outputs)`.

It owns its graph: the `Node`s from its inputs to its outputs, ordered once
(`graph.topology`) and lowered to one `torch.fx.GraphModule` (`graph.fx_lowering`), which
is its forward (`model.graph_module`). It owns its config too (`get_config`/`from_config`,
written and read by `functional_config`), and what training needs of it
(`_training_signature`).
"""

from __future__ import annotations

import warnings

import torch

from keraslite.backend import dtypes, state, tree
from keraslite.backend.name_scope import current_path, name_scope
from keraslite.graph.fx_lowering import lower_to_fx, module_attribute_name
from keraslite.graph.input_spec import assert_input_compatibility
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.graph.symbolic_ops import OpLayer
from keraslite.graph.topology import map_graph
from keraslite.layers.base_layer import Layer
from keraslite.layers.layer_inputs import check_input_shape, flat_shapes
from keraslite.layers.masks import resolve_mask, symbolic_output_masks
from keraslite.models import state_dict_keys, torch_forward
from keraslite.models.functional_config import (
    _legacy_history,
    functional_from_config,
    functional_get_config,
    legacy_entry,
)
from keraslite.models.intermediate_inputs import is_model_input, rebase_on_own_inputs
from keraslite.models.model import Model
from keraslite.serialization import serialization_lib as serialization
from keraslite.training.signature import ModelSignature


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

    # The inputs' names as `forward`'s parameters (models/torch_forward.py); none until a
    # Sequential model has its graph.
    _forward_input_names: list = []

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Layer.__init__(self, name=name, trainable=trainable, **kwargs)
        with name_scope(self.name, caller=self):
            self._path = current_path()  # built at once (its layers keep their own paths)
        self._device_cache = None
        for label, structure in (("inputs", inputs), ("outputs", outputs)):
            for value in tree.flatten(structure):
                if not isinstance(value, KerasTensor) or value._keras_history is None:
                    raise ValueError(
                        f"All `{label}` values must be KerasTensors made by `keras.Input` or by calling "
                        f"layers on them. Received: {label}={structure!r} including {value!r} of type "
                        f"{type(value).__name__}"
                    )
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1 and isinstance(inputs[0], KerasTensor):
            inputs = inputs[0] if isinstance(inputs, tuple) else list(inputs)
        if isinstance(inputs, dict):
            for key, tensor in inputs.items():
                if isinstance(tensor, KerasTensor) and tensor.name != key:
                    warnings.warn(
                        "When providing `inputs` as a dict, all keys in the dict must match the names of the "
                        f"corresponding tensors. Received key '{key}' mapping to value {tensor!r} which has name "
                        f"'{tensor.name}'. Change the tensor name to '{key}' (via `Input(..., name='{key}')`)",
                        stacklevel=2,
                    )
        if not all(is_model_input(t) for t in tree.flatten(inputs)):
            inputs, outputs = rebase_on_own_inputs(inputs, outputs)
        self._set_graph(inputs, outputs)
        self._trainable = trainable

    @classmethod
    def _auto_name_base(cls) -> str:
        return state.functional_model_name_base() if cls is Functional else super()._auto_name_base()

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
        self._forward_input_names = torch_forward.parameter_names([t._keras_history.layer.name for t in self.inputs])
        self._graph = map_graph(self.inputs, self.outputs)
        self._graph_layers = self._graph.layers
        # Read by training/ until it asks the model instead; nothing in models/ or saving/ reads it.
        self._is_graph_network = True
        for key in list(self._modules):
            del self._modules[key]
        self._register_graph_layers()
        object.__setattr__(
            self,
            "_graph_module",
            lower_to_fx(
                self.inputs,
                [t._keras_history.layer.name for t in self.inputs],
                self.outputs,
                self._graph.nodes,
                self._layer_targets,
                class_name=self.name,
            ),
        )
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
        state_dict_keys.install(self)  # keys by structure, not by the layers' auto names

    @property
    def graph_module(self) -> torch.fx.GraphModule:
        """The `torch.fx.GraphModule` that computes this functional model (read its `.code`)."""
        return self._graph_module

    @property
    def layers(self) -> list[Layer]:
        """The model's layers in graph order. Keras 3 leaves out the `keras.ops` calls and
        tensor operators recorded in the graph (they are in `operations`); tf.keras 2 listed
        them as layers (its `TFOpLambda` rows), and so does the tf2 dialect."""
        if state.dialect() == "tf2":
            return list(self._graph_layers)
        return [layer for layer in self._graph_layers if not isinstance(layer, OpLayer)]

    @property
    def operations(self) -> list:
        """Every operation of the graph in order: the layers and the recorded ops."""
        return list(self._graph_layers)

    @property
    def input(self):
        return self._inputs_struct

    @property
    def output(self):
        return self._outputs_struct

    # ------------------------------------------------------------------ calling
    def __call__(self, *args, **kwargs):
        if torch_forward.takes_inputs_one_by_one(self, args, kwargs):
            # `model(x1, x2)` or `model(a=x1, b=x2)`: how torch's tools call a module with the
            # arguments of its `forward` (models/torch_forward.py).
            inputs, kwargs = torch_forward.pack_inputs(self, args, kwargs)
            args = (inputs,)
        return super().__call__(*args, **kwargs)

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

    def _torch_forward(self):
        # `forward(<input names>, *, training=None, mask=None)` for torch's tools (a Sequential
        # model without its graph yet: `call`'s signature).
        if not self._forward_input_names:
            return super()._torch_forward()
        return torch_forward.named_inputs_forward(self)

    def compute_output_spec(self, *args, **kwargs):
        return self._propagate_specs(args[0])

    def _propagate_specs(self, inputs):
        """Shape inference for a call of this model on KerasTensors: walk its nodes,
        checking each layer's input spec, without running anything."""
        flat = self._flatten_call_inputs(inputs)
        env = {}
        for index, (given, own) in enumerate(zip(flat, self.inputs)):
            check_input_shape(self.name, index, own.name, own._shape, given._shape)
            env[id(own)] = given
        for node in self._graph.nodes:
            if node.is_input:
                continue
            args = tree.map_structure(lambda v: env[id(v)] if isinstance(v, KerasTensor) else v, list(node.call_args))
            kwargs = {
                k: tree.map_structure(lambda v: env[id(v)] if isinstance(v, KerasTensor) else v, v)
                for k, v in node.call_kwargs.items()
            }
            shapes = tree.map_structure(lambda t: t.shape if isinstance(t, KerasTensor) else t, args[0])
            assert_input_compatibility(node.layer.input_spec, flat_shapes(shapes), node.layer.name)
            previous_mask = resolve_mask(node.layer, node.layer._call_signature()[1], args[0], args, kwargs)
            produced = symbolic_output_masks(
                node.layer, args[0], node.layer.compute_output_spec(*args, **kwargs), previous_mask
            )
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
    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn=None,
        expand_nested=False,
        show_trainable=False,
        layer_range=None,
    ):
        """Print a table of the model's layers, output shapes and parameter counts."""
        self._print_summary(self._graph, line_length, positions, print_fn, expand_nested, show_trainable, layer_range)

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
                extra = {
                    k: serialization.serialize_keras_object(v)
                    for k, v in node.call_kwargs.items()
                    if not isinstance(v, KerasTensor)
                }
                calls.append(
                    [
                        _legacy_history(t, own_nodes) + [extra]
                        for t in tree.flatten(node.call_args)
                        if isinstance(t, KerasTensor)
                    ]
                )
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

    # ------------------------------------------------------------------ training
    def _training_signature(self) -> ModelSignature:
        """What `fit/evaluate/predict` need from a functional model: its inputs' and
        outputs' names, shapes and dtypes, and the lowered graph that runs flat batches."""
        return ModelSignature(
            model_name=self.name,
            input_names=self.input_names,
            input_shapes=[t._shape for t in self.inputs],
            input_dtype_names=[t._dtype for t in self.inputs],
            output_names=self.output_names,
            output_shapes=[t._shape for t in self.outputs],
            output_structure=self._outputs_struct,
            forward=self._graph_module,
        )


Model._functional_class = Functional
