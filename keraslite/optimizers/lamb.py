"""Lamb: Adam moments with a per-layer trust ratio (You et al. 2019)."""

from __future__ import annotations

import torch

from keraslite.optimizers.base_optimizer import Optimizer


class Lamb(Optimizer):
    """LAMB: the Adam update of each variable is rescaled by `||w|| / ||update||` (1 when
    either norm is 0), so that every layer moves by a similar relative amount.

    State: `momentum_i, velocity_i` interleaved per variable.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
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

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            self._trainable_variables, ["momentum", "velocity"]
        )

    def _update_step(self, grads, variables, lr):
        step = self._step_count()
        beta_1_power = torch.pow(torch.tensor(self.beta_1, dtype=torch.float32, device=step.device), step)
        beta_2_power = torch.pow(torch.tensor(self.beta_2, dtype=torch.float32, device=step.device), step)
        m_list = self._slots(self._momentums, variables)
        v_list = self._slots(self._velocities, variables)
        torch._foreach_lerp_(m_list, grads, 1 - self.beta_1)
        torch._foreach_lerp_(v_list, torch._foreach_mul(grads, grads), 1 - self.beta_2)
        for variable, m, v in zip(variables, m_list, v_list):
            update = (m / (1.0 - beta_1_power)) / (torch.sqrt(v / (1.0 - beta_2_power)) + self.epsilon)
            weight_norm = torch.linalg.vector_norm(variable)
            update_norm = torch.linalg.vector_norm(update)
            ratio = torch.where(
                (weight_norm > 0) & (update_norm > 0), weight_norm / update_norm, torch.ones_like(weight_norm)
            )
            variable.sub_(ratio * lr * update)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
