"""`keras.constraints`: projections applied to weights after each optimizer step."""

from __future__ import annotations

import torch

from keraslite.serialization import serialization_lib as serialization
from keraslite.serialization.identifiers import get_object


class Constraint:
    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return torch.sqrt(torch.sum(torch.square(w), dim=axis, keepdim=True))


class MaxNorm(Constraint):
    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = torch.clamp(norms, 0, self.max_value)
        return w * (desired / (1e-7 + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    def __call__(self, w):
        return w * (w >= 0).to(w.dtype)


class UnitNorm(Constraint):
    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (1e-7 + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = self.rate * torch.clamp(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (1e-7 + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
_BY_NAME = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm}
_BY_CLASS_NAME = {cls.__name__: cls for cls in (MaxNorm, NonNeg, UnitNorm, MinMaxNorm)}


def get(identifier):
    """A constraint from a Keras name, a class name, a config dict, an instance or a callable."""
    return get_object(identifier, "constraint", Constraint, _BY_NAME, _BY_CLASS_NAME)


def serialize(constraint):
    """Keras's config of a constraint (`class_name`, `config`, `module`, `registered_name`)."""
    return serialization.serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """A constraint from a config dict or a name (built-in, registered or in `custom_objects`)."""
    if isinstance(config, str) and not (custom_objects and config in custom_objects):
        return get(config)
    if isinstance(config, dict) and config.get("class_name") in _BY_CLASS_NAME and not custom_objects:
        return get(config)
    return serialization.deserialize_keras_object(config, custom_objects=custom_objects)
