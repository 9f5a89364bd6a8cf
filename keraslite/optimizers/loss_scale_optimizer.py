"""LossScaleOptimizer: dynamic loss scaling around another optimizer (for float16 training)."""

from __future__ import annotations

import torch

from keraslite.backend.variable import Variable
from keraslite.optimizers.base_optimizer import Optimizer
from keraslite.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object

_BASE_DEFAULTS = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


class LossScaleOptimizer(Optimizer):
    """Wraps `inner_optimizer` with a dynamic loss scale: the loss is multiplied by the scale
    before backward (`scale_loss`, or the trainer reading `loss_scale_factor`), gradients are
    divided by it before the inner update. A step whose gradients hold an inf or NaN is
    skipped and halves the scale; `dynamic_growth_steps` finite steps in a row double it.

    Whether a step is skipped is decided on the device (both outcomes are computed and one is
    kept with `torch.where`), so the update never waits for the host.

    Args:
        inner_optimizer: the optimizer that does the updates.
        initial_scale: the first loss scale (2**15).
        dynamic_growth_steps: finite steps between doublings of the scale.

    State (`variables`): its own `iteration`, `learning_rate`, `step_counter`,
    `dynamic_scale`, then the inner optimizer's variables.
    """

    def __init__(self, inner_optimizer, initial_scale=2.0**15, dynamic_growth_steps=2000, name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set `loss_scale_factor` "
                "directly on the `inner_optimizer`."
            )
        for argument, default in _BASE_DEFAULTS.items():
            if argument in kwargs and kwargs.pop(argument) != default:
                raise ValueError(
                    f"LossScaleOptimizer does not support `{argument}`. Instead, set `{argument}` on the "
                    "`inner_optimizer`."
                )
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs)}`.")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(
                "LossScaleOptimizer: `inner_optimizer` must be a keras optimizer. "
                f"Received: inner_optimizer={inner_optimizer!r}"
            )
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        # The inner optimizer must not unscale a second time.
        self.inner_optimizer.loss_scale_factor = None

    # The trainer multiplies the loss by `loss_scale_factor`: here, the current dynamic scale.
    @property
    def loss_scale_factor(self):
        if not getattr(self, "built", False):
            return getattr(self, "initial_scale", None)
        return self.dynamic_scale

    @loss_scale_factor.setter
    def loss_scale_factor(self, value):
        if value is not None:
            raise ValueError("LossScaleOptimizer does not support `loss_scale_factor`: its scale is dynamic.")

    def build(self, variables):
        if self.built:
            return
        variables = list(variables)
        device = variables[0].device if variables else None
        self.step_counter = self.add_variable((), dtype="int64", name="step_counter")
        self.dynamic_scale = self.add_variable((), initializer=float(self.initial_scale), name="dynamic_scale")
        if device is not None:
            for variable in (self.step_counter, self.dynamic_scale):
                variable.data = variable.data.to(device)
        self.inner_optimizer.build(variables)
        super().build(variables)

    @property
    def variables(self) -> list[Variable]:
        return list(self._variables) + self.inner_optimizer.variables

    @property
    def iterations(self) -> Variable:
        return self.inner_optimizer.iterations

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if hasattr(self, "inner_optimizer"):
            self.inner_optimizer.learning_rate = value
        else:  # the base constructor's placeholder rate
            Optimizer.learning_rate.fset(self, value)

    def scale_loss(self, loss):
        return loss * (self.dynamic_scale if self.built else self.initial_scale)

    def check_finite(self, grads) -> torch.Tensor:
        """A 0-d bool tensor: whether every gradient is finite (no host sync)."""
        present = [g for g in grads if g is not None]
        if not present:
            return torch.ones((), dtype=torch.bool, device=self._iterations.device)
        return torch.stack([torch.isfinite(g).all() for g in present]).all()

    def apply(self, grads, trainable_variables=None) -> None:
        if not self.built:
            if trainable_variables is None:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be built on a list "
                    "of variables. Call `optimizer.build(trainable_variables)` first."
                )
            self.build(trainable_variables)
        with torch.no_grad():
            self._scaled_apply(list(grads), trainable_variables)

    def _fast_apply(self, grads, variables) -> None:
        if not self.built:
            self.build(variables)
        with torch.no_grad():
            self._scaled_apply(list(grads), variables)

    def _scaled_apply(self, grads, trainable_variables) -> None:
        finite = self.check_finite(grads)
        scale = self.dynamic_scale
        inner = self.inner_optimizer
        model_variables = list(trainable_variables) if trainable_variables is not None else inner._trainable_variables
        # Keep what the inner update touches, to put it back when the step is skipped.
        touched = model_variables + inner.variables
        before = [t.detach().clone() for t in touched]
        inner.apply([None if g is None else g / scale.to(g.dtype) for g in grads], model_variables)
        for tensor, old in zip(touched, before):
            tensor.copy_(torch.where(finite, tensor, old))
        grow = self.step_counter == self.dynamic_growth_steps - 1
        zero = torch.zeros_like(self.step_counter)
        self.step_counter.copy_(torch.where(finite & ~grow, self.step_counter + 1, zero))
        self.dynamic_scale.copy_(torch.where(finite, torch.where(grow, scale * 2.0, scale), scale * 0.5))

    def finalize_variable_values(self, var_list) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "inner_optimizer": serialize_keras_object(self.inner_optimizer),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        inner = deserialize_keras_object(config.pop("inner_optimizer"), custom_objects=custom_objects)
        return cls(inner, **config)
