"""ScheduleFreeAdamW: AdamW without a learning rate schedule (Defazio et al. 2024)."""

from __future__ import annotations

import torch

from keraslite.optimizers.base_optimizer import Optimizer


class ScheduleFreeAdamW(Optimizer):
    """Schedule-free AdamW: the variables hold an interpolation between a fast iterate
    (the `momentum` slot, stepped with Adam's second moment) and its running average,
    which replaces a decaying schedule.

    Args:
        beta_1: the interpolation weight (0.9).
        beta_2: the second-moment decay (0.999).
        epsilon: added to the denominator (1e-8).
        warmup_steps: a linear warmup of the learning rate over this many steps.

    State: `momentum_i, velocity_i` interleaved per variable; the momentum starts as a
    copy of the variable.
    """

    def __init__(
        self,
        learning_rate=0.0025,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        warmup_steps=0,
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
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = warmup_steps

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            self._trainable_variables, ["momentum", "velocity"]
        )
        with torch.no_grad():
            for momentum, variable in zip(self._momentums, self._trainable_variables):
                momentum.copy_(variable)

    def _update_step(self, grads, variables, lr):
        step = self._step_count()
        if self.warmup_steps > 0:
            lr = lr * torch.clamp(step / float(self.warmup_steps), max=1.0)
        beta_1, beta_2 = self.beta_1, self.beta_2
        bias_correction_2 = 1 - torch.pow(torch.tensor(beta_2, dtype=torch.float32, device=step.device), step)
        weight = 1.0 / step
        momentums = self._slots(self._momentums, variables)
        velocities = self._slots(self._velocities, variables)
        torch._foreach_lerp_(velocities, torch._foreach_mul(grads, grads), 1 - beta_2)
        for gradient, variable, momentum, velocity in zip(grads, variables, momentums, velocities):
            denominator = torch.sqrt(velocity / bias_correction_2) + self.epsilon
            momentum.sub_(lr * gradient / denominator)
            # Keras reads the momentum after its update when it recovers the average
            # iterate (its "old" momentum aliases the variable); kept for parity.
            average = (variable - (1 - beta_1) * momentum) / beta_1
            average = (1 - weight) * average + weight * momentum
            variable.copy_((1 - beta_1) * momentum + beta_1 * average)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
                "warmup_steps": self.warmup_steps,
            }
        )
        return config
