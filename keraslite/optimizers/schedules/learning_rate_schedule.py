"""`keras.optimizers.schedules`: learning rates as functions of the step count.

A schedule is called with the optimizer's `iterations` (a 0-d tensor) and returns a
float32 0-d tensor on the same device, so that it costs no host sync per step.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from keraslite.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object


def _as_float(step) -> torch.Tensor:
    if isinstance(step, torch.Tensor):
        return step.to(torch.float32)
    # A number, or an array of steps (`lr_schedule(np.linspace(0, 100000))` to plot it).
    return torch.as_tensor(np.asarray(step, dtype=np.float32))


class LearningRateSchedule:
    """Base class: subclasses define `__call__(step)` and `get_config()`."""

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """`initial_learning_rate * decay_rate ** (step / decay_steps)` (floored exponent if `staircase`)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        if decay_steps <= 0:
            raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _as_float(step) / float(self.decay_steps)
        if self.staircase:
            p = torch.floor(p)
        return float(self.initial_learning_rate) * torch.pow(torch.tensor(float(self.decay_rate), device=p.device), p)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """`values[0]` while `step <= boundaries[0]`, `values[1]` up to `boundaries[1]`, ..., then `values[-1]`."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and values={values} of length "
                f"{len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = _as_float(step)
        boundaries = torch.tensor([float(b) for b in self.boundaries], device=step.device)
        values = torch.tensor([float(v) for v in self.values], dtype=torch.float32, device=step.device)
        # The number of boundaries strictly below `step` indexes the value.
        index = (step > boundaries).sum()
        return values[index]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """`(initial - end) * (1 - step / decay_steps) ** power + end`, optionally cycling."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        end_learning_rate=0.0001,
        power=1.0,
        cycle=False,
        name="PolynomialDecay",
    ):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        step = _as_float(step)
        decay_steps = torch.tensor(float(self.decay_steps), device=step.device)
        if self.cycle:
            multiplier = torch.where(step == 0, torch.ones_like(step), torch.ceil(step / float(self.decay_steps)))
            decay_steps = decay_steps * multiplier
        else:
            step = torch.minimum(step, decay_steps)
        p = step / decay_steps
        initial, end = float(self.initial_learning_rate), float(self.end_learning_rate)
        return (initial - end) * torch.pow(1 - p, float(self.power)) + end

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(LearningRateSchedule):
    """`initial_learning_rate / (1 + decay_rate * step / decay_steps)`."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _as_float(step) / float(self.decay_steps)
        if self.staircase:
            p = torch.floor(p)
        return float(self.initial_learning_rate) / (1.0 + float(self.decay_rate) * p)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class CosineDecay(LearningRateSchedule):
    """Cosine decay from `initial_learning_rate` (or, after a linear warmup of
    `warmup_steps`, from `warmup_target`) to `alpha` times it over `decay_steps`."""

    def __init__(
        self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None, warmup_steps=0
    ):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def _decay(self, step, decay_steps, decay_from):
        fraction = step / decay_steps
        cosine = 0.5 * (1.0 + torch.cos(math.pi * fraction))
        return decay_from * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step):
        step = _as_float(step)
        decay_steps = float(self.decay_steps)
        initial = float(self.initial_learning_rate)
        if self.warmup_target is None:
            return self._decay(torch.clamp(step, max=decay_steps), decay_steps, initial)
        target = float(self.warmup_target)
        warmup_steps = float(self.warmup_steps)
        step = torch.clamp(step, max=decay_steps + warmup_steps)
        warm = (target - initial) * (step / warmup_steps if warmup_steps else step) + initial
        decayed = self._decay(step - warmup_steps, decay_steps, target)
        return torch.where(step < warmup_steps, warm, decayed)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR, Loshchilov & Hutter 2017): a cosine decay over
    `first_decay_steps`, then restarts whose length grows by `t_mul` and whose peak
    shrinks by `m_mul`; each decays to `alpha` times its peak."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name="SGDRDecay"):
        if first_decay_steps <= 0:
            raise ValueError(
                f"Argument `first_decay_steps` must be > 0. Received: first_decay_steps={first_decay_steps}"
            )
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        step = _as_float(step)
        fraction = step / float(self.first_decay_steps)
        t_mul = float(self._t_mul)
        if t_mul == 1.0:
            restart = torch.floor(fraction)
            fraction = fraction - restart
        else:
            # Restart i begins after (1 - t_mul**i) / (1 - t_mul) decay periods; float32
            # throughout, as Keras computes it (the floor sits on exact period boundaries).
            t_mul_t = torch.tensor(t_mul, dtype=torch.float32, device=step.device)
            restart = torch.floor(torch.log(1.0 - fraction * (1.0 - t_mul_t)) / torch.log(t_mul_t))
            done = (1.0 - torch.pow(t_mul_t, restart)) / (1.0 - t_mul_t)
            fraction = (fraction - done) / torch.pow(t_mul_t, restart)
        peak = torch.pow(torch.tensor(float(self._m_mul), device=step.device), restart)
        cosine = 0.5 * peak * (1.0 + torch.cos(math.pi * fraction))
        decayed = (1 - self.alpha) * cosine + self.alpha
        return float(self.initial_learning_rate) * decayed

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


def serialize(learning_rate_schedule):
    return serialize_keras_object(learning_rate_schedule)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, custom_objects=custom_objects)
