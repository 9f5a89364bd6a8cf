"""Keras 3's members for a layer's state seen from outside, mixed into `Layer`.

`path` (where the layer sits among name scopes: its variables' paths start with it),
`stateless_call` (a call on given variable values that leaves the layer unchanged),
`save_own_variables`/`load_own_variables` (the per-layer store saving uses),
`torch_params` (Keras's torch backend's `ParameterDict` view, keyed by variable path),
`metrics`/`metrics_variables`, `rematerialized_call` (what `keras.RematScope` does to a
call), and the small aliases `add_variable`, `input_dtype`, `symbolic_call`; with
`build_in_name_scope`, the wrapper `Layer` puts around each class's `build` (Keras's), which
sets `path`. None of them runs on a layer's ordinary call.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math

import torch

from keraslite.backend import scopes, tree
from keraslite.backend.name_scope import current_path, name_scope
from keraslite.graph.keras_tensor import KerasTensor


class LayerStateMethods:
    """Mixed into `Layer` (ahead of `Operation`); reads the layer's own bookkeeping."""

    # Keras's flag for layers whose `call` may be compiled (`jit_compile`); all of ours may.
    supports_jit = True

    @property
    def call_signature_parameters(self) -> list[str]:
        """The names of `call`'s parameters (Keras reads them to route `training`/`mask`)."""
        return list(inspect.signature(self.call).parameters)

    # ------------------------------------------------------------------ identity
    @property
    def path(self) -> str | None:
        """The layer's path: the name scopes open when it was built, then its name
        (`"sequential/dense"`); its variables' paths start with it. `None` until built."""
        return self.__dict__.get("_path")

    @property
    def input_dtype(self) -> str:
        """The dtype layer inputs are converted to (the compute dtype)."""
        return self.compute_dtype

    def add_variable(
        self,
        shape,
        initializer,
        dtype=None,
        trainable=True,
        autocast=True,
        regularizer=None,
        constraint=None,
        name=None,
    ):
        """Alias of `add_weight()` (with `shape` and `initializer` required, as in Keras)."""
        return self.add_weight(
            shape=shape,
            initializer=initializer,
            dtype=dtype,
            trainable=trainable,
            autocast=autocast,
            regularizer=regularizer,
            constraint=constraint,
            name=name,
        )

    def symbolic_call(self, *args, **kwargs):
        """The output KerasTensor(s) of a call on symbolic inputs, without recording a node."""
        return self.compute_output_spec(*args, **kwargs)

    # ------------------------------------------------------------------ metrics
    @property
    def metrics(self) -> list:
        """The metrics this layer holds as attributes (alone, or in a list, tuple or dict)
        and those tf.keras 2's `add_metric` made, then each sublayer's."""
        metric_class = _metric_class()
        found = []
        for value in vars(self).values():
            if isinstance(value, dict):
                values = value.values()
            elif isinstance(value, (list, tuple)):
                values = value
            else:
                values = (value,)
            for item in values:
                if isinstance(item, metric_class) and all(item is not m for m in found):
                    found.append(item)
        for metric in self.__dict__.get("_added_metrics", {}).values():
            if all(metric is not m for m in found):
                found.append(metric)
        for layer in self._flat_sublayers():
            if hasattr(layer, "metrics"):
                found.extend(m for m in layer.metrics if all(m is not f for f in found))
        return found

    @property
    def metrics_variables(self) -> list:
        """The variables of every metric in `metrics`."""
        variables = []
        for metric in self.metrics:
            variables.extend(metric.variables)
        return variables

    # ------------------------------------------------------------------ stateless
    def stateless_call(self, trainable_variables, non_trainable_variables, *args, return_losses=False, **kwargs):
        """Call the layer on the given variable values, without changing its state.

        Args:
            trainable_variables: values for `self.trainable_variables`, one per variable.
            non_trainable_variables: values for `self.non_trainable_variables`.
            *args: positional arguments of `call()`.
            return_losses: also return the losses the call created.
            **kwargs: keyword arguments of `call()`.

        Returns:
            `(outputs, non_trainable_variables)`, the latter holding the values the call
            left (e.g. updated BatchNormalization statistics); with `return_losses=True`,
            `(outputs, non_trainable_variables, losses)`. The layer's own variables keep
            their values: assign the returned ones to keep the update. (Gradients of the
            outputs flow to the layer's variables, torch's way.)
        """
        if not self.built:
            raise ValueError(
                f"To call stateless_call, {type(self).__name__} must be built (i.e. its variables must have been "
                "already created). You can build it by calling it on some data."
            )
        trainable = list(self.trainable_variables)
        non_trainable = list(self.non_trainable_variables)
        for given, expected, what in (
            (trainable_variables, trainable, "trainable_variables"),
            (non_trainable_variables, non_trainable, "non_trainable_variables"),
        ):
            if len(given) != len(expected):
                raise ValueError(
                    f"Argument `{what}` must be a list of tensors corresponding 1:1 to {type(self).__name__}()."
                    f"{what}. Received list with length {len(given)}, but expected {len(expected)} variables."
                )
        mapping = list(zip(trainable, trainable_variables)) + list(zip(non_trainable, non_trainable_variables))
        losses = None
        with scopes.StatelessScope(state_mapping=mapping, collect_losses=return_losses) as scope:
            call = self.call
            if self.__dict__.get("_remat_mode") is not None:
                call = self.rematerialized_call(type(self).call.__get__(self), *args, **kwargs)
            outputs = call(*args, **kwargs)
            if return_losses:
                losses = self.losses
        new_non_trainable = [scope.get_current_value(variable) for variable in non_trainable]
        if return_losses:
            return outputs, new_non_trainable, losses
        return outputs, new_non_trainable

    # ------------------------------------------------------------------ saving store
    def _keras_own_variables(self) -> list:
        # What saving writes for the layer (trainable first; then torch parameters).
        return list(self._own_weights())

    def save_own_variables(self, store) -> None:
        """Write the layer's own variables (trainable first) to `store` as `"0"`, `"1"`, ...,
        the entries of its `vars` group in a Keras weights file. (keraslite's saving walks
        the variables itself: an override changes what this method writes, not the file.)"""
        for index, variable in enumerate(self._keras_own_variables()):
            store[f"{index}"] = variable

    def load_own_variables(self, store) -> None:
        """Assign the layer's own variables from `store` (as `save_own_variables` wrote it)."""
        variables = self._keras_own_variables()
        if len(store.keys()) != len(variables):
            if not variables and not self.built:
                raise ValueError(
                    f"Layer '{self.name}' was never built and thus it doesn't have any variables. However the "
                    f"weights file lists {len(store.keys())} variables for this layer. Build the layer (or "
                    "implement `build_from_config()`) so that it creates its state before loading."
                )
            raise ValueError(
                f"Layer '{self.name}' expected {len(variables)} variables, but received {len(store.keys())} "
                f"variables during loading. Expected: {[v.name for v in variables]}"
            )
        for index, variable in enumerate(variables):
            variable.assign(store[f"{index}"])

    # ------------------------------------------------------------------ torch view
    @property
    def torch_params(self) -> torch.nn.ParameterDict:
        """The layer's variables as a `torch.nn.ParameterDict` keyed by variable path (the
        torch backend's view of them; the parameters themselves, not copies)."""
        return torch.nn.ParameterDict({variable.path: variable for variable in self.variables})

    # ------------------------------------------------------------------ rematerialization
    def rematerialized_call(self, layer_call, *args, **kwargs):
        """`layer_call` wrapped for the `keras.RematScope` the layer was created in: its
        activations recomputed in the backward pass instead of stored ("full"; outputs
        over `output_size_threshold` elements for "larger_than"; the layers named for
        "list_of_layers"; the activation function for "activations"). Without a scope,
        `layer_call` itself."""
        mode = self.__dict__.get("_remat_mode")
        if not mode:
            return layer_call
        if mode.mode == "activations":
            if getattr(self, "activation", None) is None:
                return layer_call

            @functools.wraps(layer_call)
            def with_rematerialized_activation(*call_args, **call_kwargs):
                original = self.activation
                self.activation = scopes.remat(original)
                try:
                    return layer_call(*call_args, **call_kwargs)
                finally:
                    self.activation = original

            return with_rematerialized_activation
        if mode.mode == "list_of_layers":
            return scopes.remat(layer_call) if self.name in mode.layer_names else layer_call
        if mode.mode == "full":
            return scopes.remat(layer_call)
        if mode.mode == "larger_than":
            # The output size from shapes alone: real tensors stand in as KerasTensors.
            symbolic = tree.map_structure(
                lambda t: (
                    KerasTensor(tuple(t.shape), str(t.dtype).replace("torch.", ""))
                    if isinstance(t, torch.Tensor)
                    else t
                ),
                args,
            )
            spec = self.compute_output_spec(*symbolic, **kwargs)
            size = sum(
                math.prod(d or 1 for d in t.shape) if isinstance(t, KerasTensor) else 0 for t in tree.flatten(spec)
            )
            if size and size > mode.output_size_threshold:
                return scopes.remat(layer_call)
        return layer_call


class RematerializedCall:
    """What a layer created inside a `keras.RematScope` calls instead of its class's
    `call` (an instance attribute, so layers created outside one pay nothing)."""

    def __init__(self, layer):
        self.layer = layer

    @staticmethod
    def install_if_in_scope(layer) -> None:
        """Keras captures the `RematScope` a layer is created in (`layer._remat_mode`);
        only then does its call go through `rematerialized_call`."""
        layer._remat_mode = scopes.get_current_remat_mode()
        if layer._remat_mode is not None:
            object.__setattr__(layer, "call", RematerializedCall(layer))

    @property
    def __signature__(self):
        return inspect.signature(type(self.layer).call.__get__(self.layer))

    def __call__(self, *args, **kwargs):
        call = type(self.layer).call.__get__(self.layer)
        return self.layer.rematerialized_call(call, *args, **kwargs)(*args, **kwargs)


def build_in_name_scope(build):
    """`build` run in the layer's name scope, however it is called (by the first call or
    directly), as Keras wraps it: the layer's `path` is set then, and the weights and
    sublayers it creates get paths under it. Costs nothing after the build."""

    @functools.wraps(build)
    def build_in_layer_scope(self, *args, **kwargs):
        with name_scope(self.name, caller=self):
            if self.__dict__.get("_path") is None:
                self._path = current_path()
            return build(self, *args, **kwargs)

    build_in_layer_scope._keraslite_in_name_scope = True
    return build_in_layer_scope


def replaces_placeholder(layer, name: str, registered_key: str) -> bool:
    """Whether `layer.<name> = variable` assigns a weight that `add_weight` registered as
    `_<name>...` only because `__init__` had set a `layer.<name> = None` placeholder."""
    return layer.__dict__.get(name, 0) is None and registered_key.startswith("_" + name)


def _metric_class():
    # By registered name (metrics sit above layers), as `add_metric` finds `keras.metrics.Mean`.
    return importlib.import_module("keraslite.metrics").Metric
