"""Adafactor: Adam-like steps with a factored second moment (Shazeer & Stern 2018)."""

from __future__ import annotations

import torch

from keraslite.backend import dtypes
from keraslite.backend.variable import Variable
from keraslite.optimizers.base_optimizer import Optimizer


def _rms(x):
    return torch.sqrt(torch.mean(torch.square(x)))


class Adafactor(Optimizer):
    """Adafactor keeps, for a variable of rank >= 2, running means of the squared gradient
    over its last axis (`r`) and its second-to-last axis (`c`) instead of a full second
    moment; steps are relative to the variable's RMS and clipped by `clip_threshold`.

    Args:
        beta_2_decay: the decay of the second-moment rate, `1 - step**beta_2_decay`.
        epsilon_1: added to squared gradients.
        epsilon_2: the smallest variable RMS a step is relative to.
        clip_threshold: the RMS above which an update is scaled down.
        relative_step: cap the learning rate by `1 / sqrt(step)` (a float rate only).

    State, per variable: `r`, `c` (scalar placeholders for rank < 2, as in Keras), `velocity`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_2_decay=-0.8,
        epsilon_1=1e-30,
        epsilon_2=1e-3,
        clip_threshold=1.0,
        relative_step=True,
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
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._r, self._c, self._v = [], [], []
        for variable in self._trainable_variables:
            name = getattr(variable, "name", "variable")
            if variable.ndim < 2:
                for factors in (self._r, self._c):
                    placeholder = Variable(
                        torch.zeros((), dtype=torch.int32, device=variable.device), trainable=False, name=name
                    )
                    self._variables.append(placeholder)
                    factors.append(placeholder)
            else:
                shape, dtype = tuple(variable.shape), dtypes.standardize_dtype(variable.dtype)
                for factors, factor_shape in ((self._r, shape[:-1]), (self._c, shape[:-2] + shape[-1:])):
                    factor = self.add_variable(factor_shape, dtype=dtype, name=name)
                    factor.data = factor.data.to(variable.device)
                    factors.append(factor)
            self._v.append(self.add_variable_from_reference(variable, "velocity"))

    def _update_step(self, grads, variables, lr):
        step = self._step_count()
        inverse_sqrt_step = 1.0 / torch.sqrt(step)
        if isinstance(self._learning_rate, Variable) and self.relative_step:
            lr = torch.minimum(lr, inverse_sqrt_step)
        rho = torch.minimum(lr, inverse_sqrt_step)
        beta_2 = 1.0 - torch.pow(step, self.beta_2_decay)
        for gradient, variable in zip(grads, variables):
            index = self._index[id(variable)]
            r, c, v = self._r[index], self._c[index], self._v[index]
            alpha = torch.clamp(_rms(variable), min=self.epsilon_2) * rho
            squared = torch.square(gradient) + self.epsilon_1
            if variable.ndim >= 2:
                r.copy_(beta_2 * r + (1 - beta_2) * squared.mean(dim=-1))
                c.copy_(beta_2 * c + (1 - beta_2) * squared.mean(dim=-2))
                v.copy_((r / r.mean(dim=-1, keepdim=True)).unsqueeze(-1) * c.unsqueeze(-2))
            else:
                v.copy_(beta_2 * v + (1 - beta_2) * squared)
            update = gradient / torch.sqrt(v)
            update = update / torch.clamp(_rms(update) / self.clip_threshold, min=1.0)
            variable.sub_(alpha * update)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1,
                "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold,
                "relative_step": self.relative_step,
            }
        )
        return config
