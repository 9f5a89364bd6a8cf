"""`Sequential`: a linear stack of layers, built as a functional graph once the input
shape is known (from an `Input`, an `input_shape=` argument, `build()` or a first call).
Until then it behaves as a model without a graph (`Model`'s methods); after, as the
`Functional` it builds on."""

from __future__ import annotations

import copy

import torch

from keraslite.backend import dtypes
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer
from keraslite.layers.input_layer import Input, InputLayer
from keraslite.models.functional import Functional
from keraslite.models.functional_config import legacy_entry
from keraslite.models.model import Model
from keraslite.saving import layer_config
from keraslite.serialization import object_registry
from keraslite.serialization import serialization_lib as serialization


class Sequential(Functional):
    """`Sequential([layers.Dense(64, activation="relu"), layers.Dense(10)])` or `.add()`.

    Args:
        layers: optional list of layers to add.
        name: model name (default `sequential`, `sequential_1`, ...).
    """

    def __init__(self, layers=None, trainable=True, name=None, **kwargs):
        Layer.__init__(self, trainable=trainable, name=name, **kwargs)
        # Read by training/ until it asks the model instead; nothing in models/ or saving/ reads it.
        self._is_graph_network = False
        self._graph = None  # set by `_set_graph` once the input shape is known
        self._device_cache = None
        self._stack: list[Layer] = []
        self._input_layer: InputLayer | None = None
        if layers is not None:
            for layer in layers:
                self.add(layer, rebuild=False)
            self._maybe_rebuild()

    def add(self, layer, rebuild: bool = True) -> None:
        """Append a layer (an `InputLayer`/`keras.Input` tensor may come first)."""
        if isinstance(layer, KerasTensor) and isinstance(layer._keras_history.layer, InputLayer):
            layer = layer._keras_history.layer
        if not isinstance(layer, torch.nn.Module) or (not isinstance(layer, Layer)):
            raise ValueError(
                "Only instances of `keras.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer)})"
            )
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError(
                    f"Sequential model '{self.name}': an InputLayer can only be the first layer. Received: {layer.name}"
                )
            self._input_layer = layer
        else:
            names = {existing.name for existing in self._stack}
            if layer.name in names:
                raise ValueError(
                    f"All layers added to a Sequential model should have unique names. Name '{layer.name}' is "
                    f"already the name of a layer in this model. Update the `name` argument to pass a unique name."
                )
            self._stack.append(layer)
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild: bool = True) -> Layer:
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        self._is_graph_network = False
        self._graph = None
        self.built = False
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _input_batch_shape(self):
        if self._input_layer is not None:
            return self._input_layer.batch_shape, self._input_layer.dtype
        if self._stack and self._stack[0]._batch_input_shape is not None:
            return self._stack[0]._batch_input_shape, self._stack[0].dtype
        return None, None

    def _maybe_rebuild(self) -> None:
        batch_shape, dtype = self._input_batch_shape()
        if batch_shape is not None and self._stack:
            self._build_graph(batch_shape, dtype)

    def _build_graph(self, batch_shape, dtype) -> None:
        if self._input_layer is None:
            name = f"{self._stack[0].name}_input"
            inputs = Input(batch_shape=batch_shape, dtype=dtype, name=name)
        else:
            inputs = self._input_layer.output
        x = inputs
        for layer in self._stack:
            x = layer(x)
        self._set_graph(inputs, x)

    def _obj_type(self) -> str:
        return "Sequential"

    @property
    def layers(self) -> list[Layer]:
        return list(self._stack)

    # Before its input shape is known, a Sequential has no graph: Model's behaviour.
    @property
    def graph_module(self) -> torch.fx.GraphModule:
        return Model.graph_module.fget(self) if self._graph is None else self._graph_module

    @property
    def input(self):
        return Layer.input.fget(self) if self._graph is None else self._inputs_struct

    @property
    def output(self):
        return Layer.output.fget(self) if self._graph is None else self._outputs_struct

    def call(self, inputs, training=None, mask=None):
        if self._graph is None:
            return Model.call(self, inputs, training=training, mask=mask)
        return Functional.call(self, inputs, training=training, mask=mask)

    def compute_output_spec(self, *args, **kwargs):
        if self._graph is None:
            return Layer.compute_output_spec(self, *args, **kwargs)
        return Functional.compute_output_spec(self, *args, **kwargs)

    def _training_signature(self):
        # Until its input shape is known a Sequential has no graph: it trains as a subclassed
        # model and builds on the first batch.
        return None if self._graph is None else Functional._training_signature(self)

    def _apply(self, fn, recurse=True):
        if self._graph is None:
            return Layer._apply(self, fn, recurse)
        return Functional._apply(self, fn, recurse)

    build_from_config = Model.build_from_config

    def build(self, input_shape=None):
        if self._graph is not None:
            return
        if input_shape is None:
            raise ValueError(
                f"Sequential model '{self.name}' has no input shape yet. Pass `input_shape` to `build()`, "
                "start the model with `keras.Input(shape=...)`, or call the model on data."
            )
        self._build_graph((None,) + tuple(input_shape[1:]) if input_shape[0] is not None else tuple(input_shape), None)

    def _eager_call(self, *args, **kwargs):
        if self._graph is None:
            if not self._stack:
                raise ValueError(f"Sequential model '{self.name}' has no layers: add some before calling it.")
            inputs = args[0] if args else kwargs["inputs"]
            shape = tuple(inputs.shape)
            dtype = None
            if isinstance(inputs, torch.Tensor) and not inputs.is_floating_point():
                dtype = dtypes.standardize_dtype(inputs.dtype)
            self._build_graph((None,) + shape[1:], dtype)
        return Model._eager_call(self, *args, **kwargs)

    def _symbolic_call(self, *args, **kwargs):
        if self._graph is None:
            inputs = args[0] if args else kwargs["inputs"]
            self._build_graph((None,) + tuple(inputs.shape)[1:], inputs.dtype)
        return Model._symbolic_call(self, *args, **kwargs)

    def summary(self, *args, **kwargs):
        if not self.built:
            raise ValueError(
                "This model has not yet been built. Build the model first by calling `build()` or by calling "
                "the model on a batch of data."
            )
        return Functional.summary(self, *args, **kwargs)

    # ------------------------------------------------------------------ configs
    def get_config(self) -> dict:
        """Keras 3's config of a Sequential model (its InputLayer first, once known)."""
        layers = []
        if self._graph is not None:
            input_layer = self.inputs[0]._keras_history.layer
            layers.append(serialization.serialize_keras_object(input_layer))
        for layer in self._stack:
            layers.append(layer_config.serialize_layer(layer))
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype, "layers": layers}
        if self._graph is not None:
            config["build_input_shape"] = list(self.inputs[0]._shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode: bool = True):
        """Rebuild a Sequential model from Keras 3's (or tf.keras 2's) config."""
        if isinstance(config, list):  # very old Keras: the config is the list of layers
            config = {"layers": config}
        config = copy.deepcopy(config)
        layer_entries = config.get("layers")
        if layer_entries is None:
            raise ValueError(f"Invalid Sequential config: missing key 'layers'. Received keys: {sorted(config)}")
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        with object_registry.custom_object_scope(custom_objects or {}):
            for entry in layer_entries:
                layer = layer_config.deserialize_layer(entry, custom_objects, safe_mode)
                model.add(layer, rebuild=False)
        model._maybe_rebuild()
        build_shape = config.get("build_input_shape")
        if model._graph is None and build_shape is not None and model._stack:
            model.build(tuple(build_shape))
        return model

    def _legacy_config(self) -> dict:
        layers = []
        if self._graph is not None:
            layers.append(legacy_entry(self.inputs[0]._keras_history.layer))
        layers += [legacy_entry(layer) for layer in self._stack]
        return {"class_name": "Sequential", "config": {"name": self.name, "layers": layers}}
