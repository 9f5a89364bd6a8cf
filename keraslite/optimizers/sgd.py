"""SGD and RMSprop with Keras 3's update rules."""

from __future__ import annotations

import torch

from keraslite.optimizers.base_optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent, with optional momentum and Nesterov momentum.

    Update (Keras's): `velocity = momentum * velocity - lr * g`; `w += velocity`
    (Nesterov: `w += momentum * velocity - lr * g`).

    State: `momentum` per variable (only when `momentum != 0`).
    """

    def __init__(
        self,
        learning_rate=0.01,
        momentum=0.0,
        nesterov=False,
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
        if not isinstance(momentum, (int, float)) or momentum < 0 or momentum > 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum}")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = (
            self.add_optimizer_variables(self._trainable_variables, "momentum") if self.momentum != 0 else []
        )

    def _update_step(self, grads, variables, lr):
        neg_lr = -lr
        scaled = torch._foreach_mul(grads, neg_lr)
        if self.momentum != 0:
            bufs = self._slots(self.momentums, variables)
            torch._foreach_mul_(bufs, self.momentum)
            torch._foreach_add_(bufs, scaled)
            if self.nesterov:
                torch._foreach_add_(variables, scaled)
                torch._foreach_add_(variables, bufs, alpha=self.momentum)
            else:
                torch._foreach_add_(variables, bufs)
        else:
            torch._foreach_add_(variables, scaled)

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config


class RMSprop(Optimizer):
    """RMSprop with Keras's defaults (`rho=0.9`, `epsilon=1e-7`, which differ from torch.optim's).

    Update: `v = rho * v + (1 - rho) * g**2`; `w -= lr * g / sqrt(v + epsilon)`
    (centered: `v - mean_g**2` under the root; momentum: a velocity of those increments).

    State: `velocity` per variable, then `momentum` per variable (if `momentum > 0`),
    then `average_gradient` per variable (if `centered`).
    """

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-7,
        centered=False,
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
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        v = self._trainable_variables
        self._velocities = self.add_optimizer_variables(v, "velocity")
        self._momentums = self.add_optimizer_variables(v, "momentum") if self.momentum > 0 else []
        self._average_gradients = self.add_optimizer_variables(v, "average_gradient") if self.centered else []

    def _update_step(self, grads, variables, lr):
        rho = self.rho
        velocities = self._slots(self._velocities, variables)
        torch._foreach_mul_(velocities, rho)
        torch._foreach_addcmul_(velocities, grads, grads, value=1 - rho)
        denominators = torch._foreach_add(velocities, self.epsilon)
        if self.centered:
            averages = self._slots(self._average_gradients, variables)
            torch._foreach_mul_(averages, rho)
            torch._foreach_add_(averages, grads, alpha=1 - rho)
            torch._foreach_add_(denominators, torch._foreach_mul(averages, averages), alpha=-1)
        torch._foreach_sqrt_(denominators)
        if self.momentum == 0:
            self._addcdiv_(variables, grads, denominators, -lr)
            return
        increments = torch._foreach_div(torch._foreach_mul(grads, lr), denominators)
        if self.momentum > 0:
            momentums = self._slots(self._momentums, variables)
            torch._foreach_mul_(momentums, self.momentum)
            torch._foreach_add_(momentums, increments)
            torch._foreach_add_(variables, momentums, alpha=-1)
        else:
            torch._foreach_add_(variables, increments, alpha=-1)

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon, "centered": self.centered})
        return config
