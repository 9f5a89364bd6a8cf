"""`Sequential`: a linear stack of layers, built as a functional graph once the input
shape is known (from an `Input`, an `input_shape=` argument, `build()` or a first call)."""
from __future__ import annotations

import torch

from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer
from keraslite.layers.input_layer import Input, InputLayer
from keraslite.models.model import Model


class Sequential(Model):
    """`Sequential([layers.Dense(64, activation="relu"), layers.Dense(10)])` or `.add()`.

    Args:
        layers: optional list of layers to add.
        name: model name (default `sequential`, `sequential_1`, ...).
    """

    def __init__(self, layers=None, trainable=True, name=None, **kwargs):
        Layer.__init__(self, trainable=trainable, name=name, **kwargs)
        self._is_graph_network = False
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
                raise ValueError(f"Sequential model '{self.name}': an InputLayer can only be the first layer. Received: {layer.name}")
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

    @property
    def layers(self) -> list[Layer]:
        return list(self._stack)

    def build(self, input_shape=None):
        if self._is_graph_network:
            return
        if input_shape is None:
            raise ValueError(
                f"Sequential model '{self.name}' has no input shape yet. Pass `input_shape` to `build()`, "
                "start the model with `keras.Input(shape=...)`, or call the model on data."
            )
        self._build_graph((None,) + tuple(input_shape[1:]) if input_shape[0] is not None else tuple(input_shape), None)

    def _eager_call(self, *args, **kwargs):
        if not self._is_graph_network:
            if not self._stack:
                raise ValueError(f"Sequential model '{self.name}' has no layers: add some before calling it.")
            inputs = args[0] if args else kwargs["inputs"]
            shape = tuple(inputs.shape)
            dtype = None
            if isinstance(inputs, torch.Tensor) and not inputs.is_floating_point():
                from keraslite.backend import dtypes

                dtype = dtypes.standardize_dtype(inputs.dtype)
            self._build_graph((None,) + shape[1:], dtype)
        return Model._eager_call(self, *args, **kwargs)

    def _symbolic_call(self, *args, **kwargs):
        if not self._is_graph_network:
            inputs = args[0] if args else kwargs["inputs"]
            self._build_graph((None,) + tuple(inputs.shape)[1:], inputs.dtype)
        return Model._symbolic_call(self, *args, **kwargs)

    def summary(self, *args, **kwargs):
        if not self.built:
            raise ValueError(
                "This model has not yet been built. Build the model first by calling `build()` or by calling "
                "the model on a batch of data."
            )
        return Model.summary(self, *args, **kwargs)
