"""Ftrl: follow-the-regularized-leader (McMahan et al. 2013), with Keras's L1/L2 terms."""

from __future__ import annotations

import torch

from keraslite.optimizers.base_optimizer import Optimizer


class Ftrl(Optimizer):
    """FTRL-Proximal, suited to wide sparse models.

    Args:
        learning_rate_power: how the per-coordinate rate shrinks with the accumulated squared
            gradients (<= 0; -0.5 by default).
        initial_accumulator_value: the start of the accumulators (>= 0).
        l1_regularization_strength, l2_regularization_strength: the regularization (>= 0).
        l2_shrinkage_regularization_strength: an L2 penalty added to the gradient (>= 0).
        beta: the `beta` of the per-coordinate rate (default 0).

    State: `accumulator_i, linear_i` interleaved per variable.
    """

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        l2_shrinkage_regularization_strength=0.0,
        beta=0.0,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            name=name,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            **kwargs,
        )
        checks = {
            "initial_accumulator_value": (initial_accumulator_value, 0.0),
            "l1_regularization_strength": (l1_regularization_strength, 0.0),
            "l2_regularization_strength": (l2_regularization_strength, 0.0),
            "l2_shrinkage_regularization_strength": (l2_shrinkage_regularization_strength, 0.0),
        }
        for argument, (value, minimum) in checks.items():
            if value < minimum:
                raise ValueError(f"`{argument}` needs to be positive or zero. Received: {argument}={value}.")
        if learning_rate_power > 0.0:
            raise ValueError(
                "`learning_rate_power` needs to be negative or zero. "
                f"Received: learning_rate_power={learning_rate_power}."
            )
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulators, self._linears = self.add_optimizer_variables(
            self._trainable_variables,
            ["accumulator", "linear"],
            initializer=[float(self.initial_accumulator_value), "zeros"],
        )

    def _update_step(self, grads, variables, lr):
        power = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        shrinkage = 2 * self.l2_shrinkage_regularization_strength
        accumulators = self._slots(self._accumulators, variables)
        linears = self._slots(self._linears, variables)
        for gradient, variable, accumulator, linear in zip(grads, variables, accumulators, linears):
            new_accumulator = accumulator + torch.square(gradient)
            new_rate = torch.pow(new_accumulator, power)
            linear.add_(gradient + shrinkage * variable - (new_rate - torch.pow(accumulator, power)) / lr * variable)
            quadratic = new_rate / lr + 2 * l2
            variable.copy_((torch.clamp(linear, -l1, l1) - linear) / quadratic)
            accumulator.copy_(new_accumulator)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta,
            }
        )
        return config
