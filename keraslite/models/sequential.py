"""`Sequential`: a linear stack of layers, built as a functional graph once the input
shape is known (from an `Input`, an `input_shape=` argument, a built model as first layer,
`build()` or a first call). Until then it behaves as a model without a graph (`Model`'s
methods); after, as the `Functional` it builds on.

As in Keras 3, the `InputLayer` the graph starts from is kept once known (given, or made
from a shape) and is not one of `model.layers`; `add()` and `pop()` keep the graph built.
"""

from __future__ import annotations

import copy
import warnings

import torch

from keraslite.backend import dtypes, state
from keraslite.backend.name_scope import current_path, name_scope
from keraslite.graph import call_context
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer
from keraslite.layers.input_layer import InputLayer
from keraslite.models.functional import Functional, _OwnGraphNode
from keraslite.models.functional_config import legacy_entry
from keraslite.models.keras2_methods import Keras2SequentialMethods
from keraslite.models.model import Model
from keraslite.saving import layer_config
from keraslite.serialization import object_registry
from keraslite.serialization import serialization_lib as serialization

_LEGACY_INPUT_SHAPE_WARNING = (
    "Do not pass an `input_shape`/`input_dim` argument to a layer. When using Sequential models, "
    "prefer using an `Input(shape)` object as the first layer in the model instead."
)


def _input_layer_name(first_layer) -> str | None:
    # The input layer a Sequential makes itself: `dense_input` in tf.keras 2, an auto name
    # (`input_layer_1`) in Keras 3.
    return f"{first_layer.name}_input" if state.dialect() == "tf2" else None


class Sequential(Keras2SequentialMethods, Functional):
    """`Sequential([layers.Dense(64, activation="relu"), layers.Dense(10)])` or `.add()`.

    Args:
        layers: optional list of layers to add (a `keras.Input(...)` may come first).
        name: model name (default `sequential`, `sequential_1`, ...).

    Example:

    ```python
    model = keras.Sequential()
    model.add(keras.Input(shape=(16,)))
    model.add(keras.layers.Dense(8))  # built as it grows: model.summary() works here
    ```
    """

    def __init__(self, layers=None, trainable=True, name=None, **kwargs):
        Layer.__init__(self, trainable=trainable, name=name, **kwargs)
        self._device_cache = None
        self._stack: list[Layer] = []
        # The output of each stacked layer in the current graph: `add()` calls only the
        # new layer and `pop()` calls none, so each layer keeps one node in this model.
        self._stack_outputs: list[KerasTensor] = []
        self._set_input_layer(None)
        self._reset_graph()
        if layers is not None:
            for layer in layers:
                self._add(layer, rebuild=False, warn=True)
            self._maybe_rebuild()

    def _set_input_layer(self, layer: InputLayer | None) -> None:
        # A plain attribute, not a submodule: `_set_graph` registers the graph's layers afresh.
        object.__setattr__(self, "_input_layer", layer)

    def add(self, layer, rebuild: bool = True) -> None:
        """Append a layer on top of the stack (a `keras.Input` tensor or `InputLayer` may
        come first). With a known input shape the model is rebuilt at once, so that
        `summary()` and `output_shape` follow each `add()`."""
        self._add(layer, rebuild, warn=True)

    def _add(self, layer, rebuild: bool, warn: bool) -> None:
        if isinstance(layer, KerasTensor) and isinstance(layer._keras_history.layer, InputLayer):
            layer = layer._keras_history.layer
        if not isinstance(layer, torch.nn.Module) or (not isinstance(layer, Layer)):
            raise ValueError(
                "Only instances of `keras.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer)})"
            )
        if isinstance(layer, InputLayer):
            if self._input_layer is not None:
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to use input shape "
                    f"{self._input_layer.batch_shape}. You cannot add a different Input layer to it. "
                    f"Received: {layer.name} with shape {layer.batch_shape}"
                )
            if self._stack:
                raise ValueError(
                    f"Sequential model '{self.name}': an InputLayer can only be the first layer. "
                    f"Received: {layer.name} after {[existing.name for existing in self._stack]}"
                )
            self._set_input_layer(layer)
        else:
            taken = {existing.name for existing in self._stack}
            if self._input_layer is not None:
                taken.add(self._input_layer.name)
            if layer.name in taken:
                raise ValueError(
                    f"All layers added to a Sequential model should have unique names. Name '{layer.name}' is "
                    f"already the name of a layer in this model. Update the `name` argument to pass a unique name."
                )
            if not self._stack and self._input_layer is None:
                self._input_layer_from_first_layer(layer, warn)
            self._stack.append(layer)
        if not rebuild:
            self._reset_graph()
            return
        try:
            self._maybe_rebuild()
        except Exception:
            # A layer that cannot follow the stack leaves the model as it was.
            if self._stack and self._stack[-1] is layer:
                self._stack.pop()
                self._maybe_rebuild()
            raise

    def _input_layer_from_first_layer(self, layer: Layer, warn: bool) -> None:
        """A first layer that knows its input shape starts the graph (Keras's rule): the
        legacy `input_shape=`/`input_dim=`/`batch_input_shape=` arguments (with Keras 3's
        warning), or a built single-input model."""
        if layer._batch_input_shape is not None:
            if warn:
                warnings.warn(_LEGACY_INPUT_SHAPE_WARNING, UserWarning, stacklevel=4)
            batch_shape, dtype = layer._batch_input_shape, layer.dtype
        elif isinstance(layer, Functional) and layer._graph is not None and len(layer.inputs) == 1:
            batch_shape, dtype = layer.inputs[0]._shape, layer.inputs[0]._dtype
        else:
            return
        self._set_input_layer(InputLayer(batch_shape=batch_shape, dtype=dtype, name=_input_layer_name(layer)))

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove the last layer (not the input) and return it."""
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        if rebuild:
            self._maybe_rebuild()
        else:
            self._reset_graph()
        return layer

    def _maybe_rebuild(self) -> None:
        """Set the graph from the input layer through the stack, calling only the layers
        that the current graph does not hold yet; no input shape or no layers: no graph."""
        if self._input_layer is None or not self._stack:
            self._reset_graph()
            return
        inputs = self._input_layer.output
        outputs = self._stack_outputs
        del outputs[len(self._stack) :]
        x = outputs[-1] if outputs else inputs
        # As Keras builds a Sequential's layers in its name scope, their paths (and their
        # weights') start with the model's: `sequential/dense/kernel`.
        with name_scope(self.name, caller=self):
            if self._path is None:
                self._path = current_path()
            for layer in self._stack[len(outputs) :]:
                x = layer(x)
                outputs.append(x)
        self._set_graph(inputs, x)
        if state.dialect() == "keras3":
            # Keras 3 makes a new inner functional model at each rebuild, which takes the next
            # auto name: the next unnamed functional model is numbered after it.
            state.unique_name(state.functional_model_name_base())

    def _reset_graph(self) -> None:
        """Back to no graph (Model's behaviour): the stacked layers are the submodules, and
        `inputs`/`outputs` are undefined until the input shape is known."""
        self._graph = None
        # Read by training/ until it asks the model instead; nothing in models/ or saving/ reads it.
        self._is_graph_network = False
        self.built = False
        self._stack_outputs.clear()
        for name in ("inputs", "outputs", "_inputs_struct", "_outputs_struct", "_graph_module"):
            self.__dict__.pop(name, None)
        self._inbound_nodes[:] = [n for n in self._inbound_nodes if not isinstance(n, _OwnGraphNode)]
        self._modules.clear()
        self._graph_layers = list(self._stack)
        self._register_graph_layers()
        self._device_cache = None

    def _build_from_shape(self, batch_shape, dtype) -> None:
        if self._input_layer is None:
            self._set_input_layer(
                InputLayer(batch_shape=batch_shape, dtype=dtype, name=_input_layer_name(self._stack[0]))
            )
        self._maybe_rebuild()

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

    def call(self, inputs, training=None, mask=None, **kwargs):
        if self._graph is None:
            return Model.call(self, inputs, training=training, mask=mask)
        return Functional.call(self, inputs, training=training, mask=mask)

    def compute_output_spec(self, inputs, training=None, mask=None, **kwargs):
        if self._graph is None:
            return Layer.compute_output_spec(self, inputs, training=training, mask=mask, **kwargs)
        return Functional.compute_output_spec(self, inputs, training=training, mask=mask, **kwargs)

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
        if not self._stack:
            raise ValueError(
                f"Sequential model '{self.name}' cannot be built because it has no layers. Call `model.add(layer)`."
            )
        input_shape = tuple(input_shape)
        self._build_from_shape((None,) + input_shape[1:] if input_shape[0] is not None else input_shape, None)

    def _eager_call(self, *args, **kwargs):
        if self._graph is None:
            if not self._stack:
                raise ValueError(f"Sequential model '{self.name}' has no layers: add some before calling it.")
            inputs = args[0] if args else kwargs["inputs"]
            if isinstance(inputs, dict):
                # A first layer that takes a dict of raw features (DenseFeatures): no graph of
                # one input tensor to build; the layers run in order, as a subclassed model's.
                return self._call_layers_in_order(inputs, kwargs.get("training"))
            shape = tuple(inputs.shape)
            dtype = None
            if isinstance(inputs, torch.Tensor) and not inputs.is_floating_point():
                dtype = dtypes.standardize_dtype(inputs.dtype)
            elif getattr(getattr(inputs, "dtype", None), "kind", None) in ("U", "S", "O"):
                dtype = "string"  # raw text (a Sequential starting with TextVectorization)
            self._build_from_shape((None,) + shape[1:], dtype)
        return Model._eager_call(self, *args, **kwargs)

    def _call_layers_in_order(self, inputs, training):
        if training is None:
            training = call_context.current_training()
        call_context.push_training(bool(training) if training is not None else self.training)
        try:
            outputs = inputs
            for layer in self._stack:
                outputs = layer(outputs)
        finally:
            call_context.pop_training()
        return call_context.wrap_outermost_outputs(outputs)

    def _symbolic_call(self, *args, **kwargs):
        if self._graph is None:
            inputs = args[0] if args else kwargs["inputs"]
            self._build_from_shape((None,) + tuple(inputs.shape)[1:], inputs.dtype)
        return Model._symbolic_call(self, *args, **kwargs)

    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn=None,
        expand_nested=False,
        show_trainable=False,
        layer_range=None,
    ):
        """The layer table; before the input shape is known, as Keras 3 prints it: output
        shapes `?` and parameters `0 (unbuilt)` for layers not built yet."""
        owner = Model if self._graph is None else Functional
        return owner.summary(self, line_length, positions, print_fn, expand_nested, show_trainable, layer_range)

    @property
    def input_shape(self):
        if self._graph is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input shape yet.")
        return Model.input_shape.fget(self)

    @property
    def output_shape(self):
        if self._graph is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined output shape yet.")
        return Model.output_shape.fget(self)

    # ------------------------------------------------------------------ configs
    def get_config(self) -> dict:
        """Keras 3's config of a Sequential model (its InputLayer first, once known)."""
        layers = []
        if self._input_layer is not None:
            layers.append(serialization.serialize_keras_object(self._input_layer))
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
                model._add(layer, rebuild=False, warn=False)
        model._maybe_rebuild()
        build_shape = config.get("build_input_shape")
        if model._graph is None and build_shape is not None and model._stack:
            model.build(tuple(build_shape))
        return model

    def _legacy_config(self) -> dict:
        layers = []
        if self._input_layer is not None:
            layers.append(legacy_entry(self._input_layer))
        layers += [legacy_entry(layer) for layer in self._stack]
        return {"class_name": "Sequential", "config": {"name": self.name, "layers": layers}}
