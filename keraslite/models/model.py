"""`Model`: a layer with training, saving and summary; functional or subclassed.

`keras.Model(inputs, outputs)` makes a functional model (class `Functional`): its graph
of `Node`s is ordered once (`graph.topology`) and lowered to a `torch.fx.GraphModule`
(`graph.fx_lowering`), which is its forward (`model.graph_module`). A subclass of
`Model` that defines `call` is a subclassed model; its forward is its `call`.
"""
from __future__ import annotations

import numpy as np
import torch

from keraslite.backend import dtypes, state
from keraslite.graph.fx_lowering import lower_to_fx, module_attribute_name
from keraslite.graph.input_spec import assert_input_compatibility
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.graph.topology import map_graph
from keraslite.layers.base_layer import Layer
from keraslite.layers.layer_inputs import check_input_shape, convert_inputs, is_string_array, select_by_input_name
from keraslite.layers.input_layer import InputLayer
from keraslite.saving.model_saving import ModelSaving
from keraslite.training.signature import ModelSignature
from keraslite.training.trainer import Trainer
from keraslite.backend import tree


def _is_functional_call(args, kwargs) -> bool:
    if "inputs" in kwargs and "outputs" in kwargs:
        return True
    if len(args) == 2 or (len(args) == 1 and "outputs" in kwargs):
        return True
    return False


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


class Model(Trainer, ModelSaving, Layer):
    """A model: groups layers into an object with training and inference features.

    Functional: `keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")`,
    where `inputs`/`outputs` are KerasTensors (single, list or dict).
    Subclassed: define layers in `__init__` and the forward pass in `call`.

    A Model is a `torch.nn.Module`: `.to(device)`, `.parameters()`, `.state_dict()` work.
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and _is_functional_call(args, kwargs):
            cls = Functional
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        if _is_functional_call(args, kwargs):
            self._init_functional(*args, **kwargs)
        else:
            if args:
                raise TypeError(
                    f"{type(self).__name__}.__init__() takes keyword arguments only (name, trainable, dtype) "
                    f"unless it is a functional model built as Model(inputs, outputs). Received args={args}"
                )
            Layer.__init__(self, **kwargs)
            self._is_graph_network = False
        self._device_cache = None

    @classmethod
    def _auto_name_base(cls) -> str:
        return "model" if cls in (Model, Functional) else state.to_snake_case(cls.__name__)

    # ------------------------------------------------------------------ functional
    def _init_functional(self, inputs, outputs=None, name=None, trainable=True, **kwargs):
        Layer.__init__(self, name=name, trainable=trainable, **kwargs)
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

    def _set_graph(self, inputs, outputs) -> None:
        """Order the graph from `inputs` to `outputs`, register its layers as submodules
        and lower it to the fx GraphModule that becomes this model's forward."""
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self.inputs = tree.flatten(inputs)
        self.outputs = tree.flatten(outputs)
        self._graph = map_graph(self.inputs, self.outputs)
        self._graph_layers = self._graph.layers
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
        if not getattr(self, "_is_graph_network", False):
            raise AttributeError(f"Model {self.name} is not a functional model: it has no graph_module (its forward is `call`).")
        return self._graph_module

    @property
    def layers(self) -> list[Layer]:
        if getattr(self, "_is_graph_network", False):
            return list(self._graph_layers)
        return self._flat_sublayers()

    @property
    def input(self):
        if getattr(self, "_is_graph_network", False):
            return self._inputs_struct
        return Layer.input.fget(self)

    @property
    def output(self):
        if getattr(self, "_is_graph_network", False):
            return self._outputs_struct
        return Layer.output.fget(self)

    @property
    def input_names(self) -> list[str]:
        return [t._keras_history.layer.name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        return [t._keras_history.layer.name for t in self.outputs]

    @property
    def input_shape(self):
        return tree.map_structure(lambda t: tuple(t.shape), self._inputs_struct)

    @property
    def output_shape(self):
        return tree.map_structure(lambda t: tuple(t.shape), self._outputs_struct)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by `name` or by `index` in `model.layers`."""
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: index={index}, name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has {len(self.layers)} layers.")
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # ------------------------------------------------------------------ calling
    def _device(self) -> torch.device:
        if self._device_cache is None:
            first = next(iter(self.parameters()), None)
            self._device_cache = first.device if first is not None else state.get_device()
        return self._device_cache

    def _invalidate_device_cache(self) -> None:
        self._device_cache = None

    def _flatten_call_inputs(self, inputs) -> list:
        """Model inputs (single, list, or dict keyed by input name) -> flat list in input order."""
        names = self.input_names
        if isinstance(inputs, dict):
            return select_by_input_name(inputs, names, f'Model "{self.name}"')
        flat = tree.flatten(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(names):
            raise ValueError(
                f'Layer "{self.name}" expects {len(names)} input(s), but it received {len(flat)} input tensors. '
                f"Expected inputs: {names}"
            )
        return flat

    def _standardize_input(self, value, spec: KerasTensor, index: int):
        if not isinstance(value, torch.Tensor):
            value = convert_inputs(value)
        if spec._dtype == "string":
            value = np.asarray(value)
            if not is_string_array(value):
                raise TypeError(f'Input {index} ("{spec.name}") of model "{self.name}" expects strings. Received an array of dtype {value.dtype}.')
            check_input_shape(self.name, index, spec.name, spec._shape, value.shape, rank_only=True)
            return value
        target_dtype = dtypes.to_torch_dtype(spec._dtype)
        if target_dtype.is_floating_point and self._compute_torch_dtype != target_dtype and self._compute_torch_dtype.is_floating_point:
            target_dtype = self._compute_torch_dtype
        device = self._device()
        if value.dtype != target_dtype or value.device != device:
            value = value.to(device=device, dtype=target_dtype, non_blocking=True)
        check_input_shape(self.name, index, spec.name, spec._shape, value.shape)
        return value

    def _training_signature(self):
        # A subclass of Model built as Model(inputs, outputs), or a built Sequential, trains as a functional model.
        return Functional._training_signature(self) if getattr(self, "_is_graph_network", False) else None

    def call(self, inputs, training=None, mask=None):
        if not getattr(self, "_is_graph_network", False):
            raise NotImplementedError(
                f"Model {type(self).__name__} has no `call` method. A subclassed model must define "
                "`call(self, inputs, training=None)`; a functional model is built with Model(inputs, outputs)."
            )
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
        if not getattr(self, "_is_graph_network", False):
            return Layer.compute_output_spec(self, *args, **kwargs)
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
            kwargs = {k: tree.map_structure(lambda v: env[id(v)] if isinstance(v, KerasTensor) else v, v) for k, v in node.call_kwargs.items()}
            shapes = tree.map_structure(lambda t: t.shape if isinstance(t, KerasTensor) else t, args[0])
            from keraslite.layers.layer_inputs import flat_shapes

            assert_input_compatibility(node.layer.input_spec, flat_shapes(shapes), node.layer.name)
            from keraslite.layers.masks import resolve_mask, symbolic_output_masks

            previous_mask = resolve_mask(node.layer, node.layer._call_signature()[1], args[0], args, kwargs)
            produced = symbolic_output_masks(node.layer, args[0], node.layer.compute_output_spec(*args, **kwargs), previous_mask)
            for own, new in zip(node.output_tensors, tree.flatten(produced)):
                env[id(own)] = new
        return tree.pack_sequence_as(self._outputs_struct, [env[id(t)] for t in self.outputs])

    # ------------------------------------------------------------------ inspection
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False, layer_range=None):
        """Print a table of the model's layers, output shapes and parameter counts."""
        from keraslite.models.summary import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)

    def _maybe_build(self, shapes) -> None:
        if not self.built and not getattr(self, "_is_graph_network", False) and type(self).build is Model.build:
            # A subclassed model without its own `build`: its first call builds the sublayers.
            self._build_shapes = shapes
            self.built = True
            return
        Layer._maybe_build(self, shapes)

    def _apply(self, fn, recurse=True):
        result = Layer._apply(self, fn, recurse)
        if getattr(self, "_is_graph_network", False):
            # The model computes in its layers' dtype after `.to(dtype)`.
            weights = [w for w in self.weights if w.is_floating_point()]
            if weights:
                self._compute_torch_dtype = weights[0].dtype
                self._dtype_name = dtypes.standardize_dtype(weights[0].dtype)
        return result

    def build(self, input_shape=None):
        if getattr(self, "_is_graph_network", False) or self.built:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument to build a subclassed model.")
        shapes = input_shape if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (tuple, list)) else [input_shape]
        dummies = [torch.zeros([1 if d is None else d for d in s], device=self._device()) for s in shapes]
        with torch.no_grad():
            self(dummies[0] if len(dummies) == 1 else dummies)
        self.built = True


class Functional(Model):
    """The class of models made by `keras.Model(inputs, outputs)`."""

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Model.__init__(self, inputs=inputs, outputs=outputs, name=name, trainable=trainable, **kwargs)

    # --- training hooks ---
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


def is_input_layer(layer) -> bool:
    return isinstance(layer, InputLayer)
