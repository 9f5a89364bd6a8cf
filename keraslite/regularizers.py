"""`keras.regularizers`: weight penalties added to a model's loss."""

from __future__ import annotations

import torch

from keraslite.serialization import serialization_lib as serialization
from keraslite.serialization.identifiers import get_object


class Regularizer:
    def __call__(self, x):
        return 0.0

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _validate_factor(name, value):
    value = float(value)
    if value < 0:
        raise ValueError(f"Value for argument `{name}` must be a non-negative float. Received: {name}={value}")
    return value


class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _validate_factor("l1", l1)
        self.l2 = _validate_factor("l2", l2)

    def __call__(self, x):
        penalty = x.new_zeros(())
        if self.l1:
            penalty = penalty + self.l1 * torch.sum(torch.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * torch.sum(torch.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    def __init__(self, l1=0.01):
        self.l1 = _validate_factor("l1", l1)

    def __call__(self, x):
        return self.l1 * torch.sum(torch.abs(x))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    def __init__(self, l2=0.01):
        self.l2 = _validate_factor("l2", l2)

    def __call__(self, x):
        return self.l2 * torch.sum(torch.square(x))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    def __init__(self, factor=0.01, mode="rows"):
        if mode not in ("rows", "columns"):
            raise ValueError(
                f"Invalid value for argument `mode`. Expected one of 'rows', 'columns'. Received: mode={mode!r}"
            )
        self.factor, self.mode = _validate_factor("factor", factor), mode

    def __call__(self, x):
        if x.ndim != 2:
            raise ValueError(f"OrthogonalRegularizer requires a rank-2 input. Received: input.shape={tuple(x.shape)}")
        vectors = x if self.mode == "rows" else x.T
        vectors = torch.nn.functional.normalize(vectors, dim=1)
        product = vectors @ vectors.T
        size = product.shape[0]
        off_diagonal = product - torch.eye(size, dtype=x.dtype, device=x.device)
        return self.factor * torch.sum(torch.abs(off_diagonal)) / (size * (size - 1))

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer
_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer}
_BY_CLASS_NAME = {cls.__name__: cls for cls in (L1, L2, L1L2, OrthogonalRegularizer)}


def get(identifier):
    """A regularizer from a Keras name, a class name, a config dict, an instance or a callable."""
    return get_object(identifier, "regularizer", Regularizer, _BY_NAME, _BY_CLASS_NAME)


def serialize(regularizer):
    """Keras's config of a regularizer (`class_name`, `config`, `module`, `registered_name`)."""
    return serialization.serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """A regularizer from a config dict or a name (built-in, registered or in `custom_objects`)."""
    if isinstance(config, str) and not (custom_objects and config in custom_objects):
        return get(config)
    if isinstance(config, dict) and config.get("class_name") in _BY_CLASS_NAME and not custom_objects:
        return get(config)
    return serialization.deserialize_keras_object(config, custom_objects=custom_objects)
