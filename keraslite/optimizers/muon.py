"""Muon: momentum orthogonalized by Newton-Schulz iterations, for 2-D weights; AdamW for
the rest (Jordan et al. 2024; the Moonlight RMS scaling)."""

from __future__ import annotations

import re

import torch

from keraslite.optimizers.base_optimizer import Optimizer


class Muon(Optimizer):
    """Muon for 2-D variables (their momentum is orthogonalized by `ns_steps` Newton-Schulz
    iterations with coefficients `muon_a, muon_b, muon_c`), AdamW for everything else:
    variables of another rank, embeddings (`exclude_embeddings`) and variables whose path
    matches one of the `exclude_layers` patterns.

    Args:
        adam_beta_1, adam_beta_2, epsilon: the AdamW part's moments and epsilon.
        adam_weight_decay: the AdamW part's weight decay (`weight_decay` is Muon's).
        adam_lr_ratio: the AdamW part's learning rate is `learning_rate * adam_lr_ratio`.
        momentum, nesterov: Muon's momentum.
        rms_rate: Muon updates are scaled by `sqrt(max(rows, cols)) * rms_rate` (None: not).

    State, per variable: `momentum`, then `velocity` for the AdamW variables.
    """

    def __init__(
        self,
        learning_rate=0.001,
        adam_beta_1=0.9,
        adam_beta_2=0.999,
        adam_weight_decay=0.004,
        epsilon=1e-7,
        weight_decay=0.004,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        exclude_layers=None,
        exclude_embeddings=True,
        muon_a=3.4445,
        muon_b=-4.7750,
        muon_c=2.0315,
        adam_lr_ratio=1,
        momentum=0.95,
        ns_steps=5,
        nesterov=True,
        rms_rate=0.2,
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
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = exclude_layers or []
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable) -> bool:
        if variable.ndim != 2:
            return True
        path = str(getattr(variable, "path", None) or getattr(variable, "name", ""))
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._adam_velocities = [], []
        for variable in self._trainable_variables:
            self._momentums.append(self.add_variable_from_reference(variable, "momentum"))
            adam = self._should_use_adamw(variable)
            self._adam_velocities.append(self.add_variable_from_reference(variable, "velocity") if adam else None)

    def _apply_weight_decay(self, variables, lr):
        for variable, use in zip(variables, self._decay_flags(variables)):
            if not use:
                continue
            decay = self.adam_weight_decay if self._should_use_adamw(variable) else self.weight_decay
            if decay is not None:
                variable.sub_(variable * decay * lr)

    def _update_step(self, grads, variables, lr):
        step = self._step_count()
        beta_1_power = torch.pow(torch.tensor(self.adam_beta_1, dtype=torch.float32, device=step.device), step)
        beta_2_power = torch.pow(torch.tensor(self.adam_beta_2, dtype=torch.float32, device=step.device), step)
        for gradient, variable in zip(grads, variables):
            index = self._index[id(variable)]
            m, v = self._momentums[index], self._adam_velocities[index]
            if v is not None:
                adam_lr = lr * self.adam_lr_ratio
                alpha = adam_lr * torch.sqrt(1 - beta_2_power) / (1 - beta_1_power)
                m.add_((gradient - m) * (1 - self.adam_beta_1))
                v.add_((torch.square(gradient) - v) * (1 - self.adam_beta_2))
                variable.sub_(m * alpha / (torch.sqrt(v) + self.epsilon))
                continue
            m.add_(gradient + m * (self.momentum - 1))
            direction = gradient + self.momentum * m if self.nesterov else m
            update = lr * self.zeropower_via_newtonschulz5(direction, self.ns_steps)
            if self.rms_rate is not None:
                update = update * (max(update.shape[0], update.shape[1]) ** 0.5) * self.rms_rate
            variable.sub_(update)

    def zeropower_via_newtonschulz5(self, x, steps: int):
        """An approximately orthogonal matrix with the singular vectors of `x` (quintic
        Newton-Schulz iterations on the last two axes)."""
        if x.ndim < 2:
            raise ValueError(
                f"Expected gradient or momentum to have at least 2 dimensions. Received: shape={tuple(x.shape)}"
            )
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = x.transpose(-2, -1)
        x = x / (torch.linalg.matrix_norm(x, keepdim=True) + 1e-7)
        for _ in range(steps):
            gram = x @ x.transpose(-2, -1)
            x = a * x + (b * gram + (c * gram) @ gram) @ x
        return x.transpose(-2, -1) if tall else x

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "adam_beta_1": self.adam_beta_1,
                "adam_beta_2": self.adam_beta_2,
                "epsilon": self.epsilon,
                "exclude_layers": self.exclude_layers,
                "muon_a": self.muon_a,
                "muon_b": self.muon_b,
                "muon_c": self.muon_c,
                "adam_lr_ratio": self.adam_lr_ratio,
                "momentum": self.momentum,
                "ns_steps": self.ns_steps,
                "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings,
                "adam_weight_decay": self.adam_weight_decay,
                "rms_rate": self.rms_rate,
            }
        )
        return config
