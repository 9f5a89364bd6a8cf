"""MultiOptimizer: a different optimizer per group of variables, chosen by an OptimizerMap."""

from __future__ import annotations

import re
from collections.abc import MutableMapping

import torch

from keraslite.backend.variable import Variable
from keraslite.optimizers.base_optimizer import Optimizer
from keraslite.optimizers.loss_scale_optimizer import LossScaleOptimizer
from keraslite.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object


def _serialize_map(optimizer_map):
    if isinstance(optimizer_map, dict):
        return {key: serialize_keras_object(value) for key, value in optimizer_map.items()}
    return serialize_keras_object(optimizer_map)


def _deserialize_map(config, custom_objects=None):
    if isinstance(config, dict) and "class_name" not in config:
        return {key: deserialize_keras_object(value, custom_objects=custom_objects) for key, value in config.items()}
    return deserialize_keras_object(config, custom_objects=custom_objects)


class OptimizerMap(MutableMapping):
    """Variable path (or a regular expression matching whole paths) -> optimizer, with a
    default optimizer for the variables no key matches. Called with a variable, it returns
    that variable's optimizer.

    Args:
        default_optimizer: the optimizer of unmatched variables.
        optimizer_map: a dict of path or pattern -> optimizer.
    """

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(f"default_optimizer must be a Keras Optimizer instance. Received: {default_optimizer}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: {optimizer_map}")
        self._default_optimizer = default_optimizer
        self._optimizer_map = optimizer_map or {}

    @property
    def default_optimizer(self):
        return self._default_optimizer

    def __getitem__(self, key):
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matching = [pattern for pattern in self._optimizer_map if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(f"Multiple optimizers assigned to variable {key}.")
        if matching:
            return self._optimizer_map[matching[0]]
        return self._default_optimizer

    def __setitem__(self, key, optimizer):
        if key in self._optimizer_map:
            raise ValueError(
                f"'{key}' already exists in the OptimizerMap with value {self._optimizer_map[key]}. "
                "Please make sure to not use duplicated keys."
            )
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key}")
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"optimizer must be a Keras Optimizer instance. Received: {optimizer}")
        if isinstance(optimizer, LossScaleOptimizer):
            raise ValueError("optimizer cannot be LossScaleOptimizer.")
        if isinstance(optimizer, MultiOptimizer):
            raise ValueError("optimizer cannot be MultiOptimizer.")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key):
        del self._optimizer_map[key]

    def __len__(self):
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable):
        return self[variable.path]

    def get_config(self):
        return {
            "default_optimizer": serialize_keras_object(self._default_optimizer),
            "optimizer_map": _serialize_map(self._optimizer_map),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        default = deserialize_keras_object(config["default_optimizer"], custom_objects=custom_objects)
        return cls(default, _deserialize_map(config["optimizer_map"], custom_objects))


class MultiOptimizer(Optimizer):
    """Updates each variable with its own optimizer: `optimizer_map` is an `OptimizerMap`
    (or any callable `variable -> optimizer`). Each inner optimizer is built on, and
    updates, its own variables; the learning rate belongs to the inner optimizers.

    Args:
        optimizer_map: which optimizer updates which variable.
        loss_scale_factor: passed on to every inner optimizer.

    State (`variables`): its own `iteration` and `learning_rate`, then each inner
    optimizer's variables in turn.
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        self._inner_optimizers = []
        for optimizer in list(getattr(optimizer_map, "values", lambda: [])()) + [
            getattr(optimizer_map, "default_optimizer", None)
        ]:
            if optimizer is not None and all(optimizer is not known for known in self._inner_optimizers):
                optimizer.loss_scale_factor = loss_scale_factor
                self._inner_optimizers.append(optimizer)

    def build(self, variables):
        if self.built:
            return
        variables = list(variables)
        self._var_to_optimizer_index = {}
        groups = [[] for _ in self._inner_optimizers]
        for variable in variables:
            optimizer = self._optimizer_map(variable)
            if not isinstance(optimizer, Optimizer):
                raise ValueError(f"Optimizer for variable {variable.path} is not an Optimizer instance.")
            if isinstance(optimizer, LossScaleOptimizer):
                raise ValueError("LossScaleOptimizer cannot be used inside an MultiOptimizer.")
            if isinstance(optimizer, MultiOptimizer):
                raise ValueError("MultiOptimizer cannot be used inside an MultiOptimizer.")
            index = next((i for i, known in enumerate(self._inner_optimizers) if known is optimizer), None)
            if index is None:
                optimizer.loss_scale_factor = self.loss_scale_factor
                self._inner_optimizers.append(optimizer)
                groups.append([])
                index = len(self._inner_optimizers) - 1
            self._var_to_optimizer_index[id(variable)] = index
            groups[index].append(variable)
        for optimizer, group in zip(self._inner_optimizers, groups):
            if group:
                optimizer.build(group)
        super().build(variables)

    @property
    def optimizers(self) -> list:
        return self._inner_optimizers

    @property
    def variables(self) -> list[Variable]:
        variables = list(self._variables)
        for optimizer in self._inner_optimizers:
            variables.extend(optimizer.variables)
        return variables

    @property
    def learning_rate(self):
        raise AttributeError(
            "Learning rate cannot be accessed on a MultiOptimizer. Access the learning rate on the individual "
            "sub-optimizers instead."
        )

    @learning_rate.setter
    def learning_rate(self, value):
        raise AttributeError(
            "Learning rate cannot be set on a MultiOptimizer. Set the learning rate on the individual "
            "sub-optimizers instead."
        )

    @property
    def loss_scale_factor(self):
        return getattr(self, "_loss_scale_factor", None)

    @loss_scale_factor.setter
    def loss_scale_factor(self, value):
        self._loss_scale_factor = value
        for optimizer in getattr(self, "_inner_optimizers", []):
            optimizer.loss_scale_factor = value

    @property
    def iterations(self):
        return self._iterations

    def apply(self, grads, trainable_variables=None) -> None:
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be built on a list "
                    "of variables. Call `optimizer.build(trainable_variables)` first."
                )
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        if len(grads) != len(self._var_to_optimizer_index):
            raise ValueError(
                f"Gradients must match trainable variables one-to-one. Received {len(grads)} gradients and "
                f"{len(self._var_to_optimizer_index)} variables."
            )
        groups = [([], []) for _ in self._inner_optimizers]
        for grad, variable in zip(grads, trainable_variables):
            group = groups[self._var_to_optimizer_index[id(variable)]]
            group[0].append(grad)
            group[1].append(variable)
        for optimizer, (group_grads, group_variables) in zip(self._inner_optimizers, groups):
            if group_grads:
                optimizer.apply(group_grads, group_variables)
        with torch.no_grad():
            self._iterations.add_(1)

    def _fast_apply(self, grads, variables) -> None:
        with torch.no_grad():
            self.apply(grads, variables)

    def finalize_variable_values(self, var_list) -> None:
        groups = [[] for _ in self._inner_optimizers]
        for variable in var_list:
            groups[self._var_to_optimizer_index[id(variable)]].append(variable)
        for optimizer, group in zip(self._inner_optimizers, groups):
            if group:
                optimizer.finalize_variable_values(group)

    def set_weights(self, weights) -> None:
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. Please call "
                "`optimizer.build(trainable_variables)` to create the optimizer weights before calling "
                "`set_weights()`."
            )
        weights = list(weights)
        own = len(self._variables)
        for variable, value in zip(self._variables, weights[:own]):
            variable.assign(value)
        start = own
        for optimizer in self._inner_optimizers:
            count = len(optimizer.variables)
            if count:
                optimizer.set_weights(weights[start : start + count])
                start += count

    def get_config(self) -> dict:
        return {
            "optimizer_map": _serialize_map(self._optimizer_map),
            "loss_scale_factor": self.loss_scale_factor,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        config["optimizer_map"] = _deserialize_map(config["optimizer_map"], custom_objects)
        return cls(**config)
