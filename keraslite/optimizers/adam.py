"""The Adam family with Keras 3's update rules: Adam, AdamW, Adamax, Nadam."""

from __future__ import annotations

import torch

from keraslite.optimizers.base_optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Kingma & Ba), with Keras's `epsilon=1e-7` outside the bias correction:
    `w -= lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + epsilon)`.

    State: `momentum_i, velocity_i` interleaved per variable, then `velocity_hat_i` (amsgrad).
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
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
        self.amsgrad = amsgrad

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            self._trainable_variables, ["momentum", "velocity"]
        )
        self._velocity_hats = (
            self.add_optimizer_variables(self._trainable_variables, "velocity_hat") if self.amsgrad else []
        )

    def _update_step(self, grads, variables, lr):
        step = self._step_count()
        beta_1_power = torch.pow(torch.tensor(self.beta_1, dtype=torch.float32, device=step.device), step)
        beta_2_power = torch.pow(torch.tensor(self.beta_2, dtype=torch.float32, device=step.device), step)
        alpha = lr * torch.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m_list = self._slots(self._momentums, variables)
        v_list = self._slots(self._velocities, variables)
        torch._foreach_mul_(m_list, self.beta_1)
        torch._foreach_add_(m_list, grads, alpha=1 - self.beta_1)
        torch._foreach_mul_(v_list, self.beta_2)
        torch._foreach_addcmul_(v_list, grads, grads, value=1 - self.beta_2)
        if self.amsgrad:
            v_hat = self._slots(self._velocity_hats, variables)
            torch._foreach_maximum_(v_hat, v_list)
            v_list = v_hat
        denominators = torch._foreach_sqrt(v_list)
        torch._foreach_add_(denominators, self.epsilon)
        self._addcdiv_(variables, m_list, denominators, -alpha)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon, "amsgrad": self.amsgrad})
        return config


class AdamW(Adam):
    """Adam with decoupled weight decay (`weight_decay=0.004` by default, as in Keras)."""

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
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
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
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
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")


class Adamax(Optimizer):
    """Adamax (Adam with the infinity norm).

    State: `m_i, u_i` interleaved per variable.
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
        self._m, self._u = self.add_optimizer_variables(self._trainable_variables, ["momentum", "norm"])

    def _update_step(self, grads, variables, lr):
        step = self._step_count()
        beta_1_power = torch.pow(torch.tensor(self.beta_1, dtype=torch.float32, device=step.device), step)
        m_list = self._slots(self._m, variables)
        u_list = self._slots(self._u, variables)
        torch._foreach_mul_(m_list, self.beta_1)
        torch._foreach_add_(m_list, grads, alpha=1 - self.beta_1)
        torch._foreach_mul_(u_list, self.beta_2)
        torch._foreach_maximum_(u_list, torch._foreach_abs(grads))
        denominators = torch._foreach_mul(torch._foreach_add(u_list, self.epsilon), 1 - beta_1_power)
        torch._foreach_add_(variables, torch._foreach_div(torch._foreach_mul(m_list, lr), denominators), alpha=-1)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config


class Nadam(Optimizer):
    """Adam with Nesterov momentum (Keras's momentum-decay schedule, `0.96`).

    State: `momentum_i, velocity_i` interleaved per variable, then `u_product`.
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
        self._u_product = self.add_variable((), initializer="ones", dtype="float32", name="u_product")
        if self._trainable_variables:
            self._u_product.data = self._u_product.data.to(self._trainable_variables[0].device)

    def _update_step(self, grads, variables, lr):
        step = self._step_count()
        next_step = self._step_count(2)
        decay = torch.tensor(0.96, dtype=torch.float32, device=step.device)
        u_t = self.beta_1 * (1.0 - 0.5 * torch.pow(decay, step))
        u_t_1 = self.beta_1 * (1.0 - 0.5 * torch.pow(decay, next_step))
        u_product_t = self._u_product * u_t
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = torch.pow(torch.tensor(self.beta_2, dtype=torch.float32, device=step.device), step)
        self._u_product.copy_(u_product_t)
        m_list = self._slots(self._momentums, variables)
        v_list = self._slots(self._velocities, variables)
        torch._foreach_mul_(m_list, self.beta_1)
        torch._foreach_add_(m_list, grads, alpha=1 - self.beta_1)
        torch._foreach_mul_(v_list, self.beta_2)
        torch._foreach_add_(v_list, torch._foreach_mul(grads, grads), alpha=1 - self.beta_2)
        m_hat = torch._foreach_add(
            torch._foreach_div(torch._foreach_mul(m_list, u_t_1), 1 - u_product_t_1),
            torch._foreach_div(torch._foreach_mul(grads, 1 - u_t), 1 - u_product_t),
        )
        v_hat = torch._foreach_div(v_list, 1 - beta_2_power)
        denominators = torch._foreach_add(torch._foreach_sqrt(v_hat), self.epsilon)
        torch._foreach_add_(variables, torch._foreach_div(torch._foreach_mul(m_hat, lr), denominators), alpha=-1)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
