"""`keras.activations`: activation functions by Keras name, on torch tensors."""

from __future__ import annotations

import types

import torch
import torch.nn.functional as F

from keraslite.serialization import object_registry
from keraslite.serialization import serialization_lib as serialization


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return torch.relu(x)
    below = x < threshold
    y = x if threshold == 0.0 else torch.where(below, torch.zeros_like(x), x)
    if max_value is not None:
        y = torch.clamp(y, max=max_value)
    if negative_slope != 0.0:
        return torch.where(below, negative_slope * (x - threshold), y)
    return torch.where(below, torch.zeros_like(x), y)


def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(x, negative_slope)


def relu6(x):
    return F.relu6(x)


def elu(x, alpha=1.0):
    return F.elu(x, alpha)


def selu(x):
    return F.selu(x)


def gelu(x, approximate=False):
    return F.gelu(x, approximate="tanh" if approximate else "none")


def silu(x):
    return F.silu(x)


swish = silu


def hard_silu(x):
    return F.hardswish(x)


hard_swish = hard_silu


def mish(x):
    return F.mish(x)


def sigmoid(x):
    return torch.sigmoid(x)


def hard_sigmoid(x):
    # Keras 3: relu6(x + 3) / 6
    return F.hardsigmoid(x)


def tanh(x):
    return torch.tanh(x)


def softplus(x):
    return F.softplus(x)


def softsign(x):
    return F.softsign(x)


def exponential(x):
    return torch.exp(x)


def linear(x):
    return x


def softmax(x, axis=-1):
    return torch.softmax(x, dim=axis)


def log_softmax(x, axis=-1):
    return torch.log_softmax(x, dim=axis)


_BY_NAME = {
    f.__name__: f
    for f in (
        relu,
        leaky_relu,
        relu6,
        elu,
        selu,
        gelu,
        silu,
        hard_silu,
        mish,
        sigmoid,
        hard_sigmoid,
        tanh,
        softplus,
        softsign,
        exponential,
        linear,
        softmax,
        log_softmax,
    )
}
_BY_NAME.update({"swish": silu, "hard_swish": hard_silu})


def get(identifier):
    """An activation from a name, a callable, a config dict or None (linear). Names
    that are not built in are looked up among registered and custom objects."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier in _BY_NAME:
            return _BY_NAME[identifier]
        # Only registered and custom objects: a layer class is not an activation.
        custom = object_registry.get_registered_object(identifier)
        if custom is None:
            raise ValueError(
                f"Could not interpret activation function identifier: {identifier!r}. "
                f"Known activations: {sorted(_BY_NAME)}; a custom function needs `custom_objects=` or "
                "`@keras.saving.register_keras_serializable()`."
            )
        return custom
    if isinstance(identifier, dict):
        name = identifier.get("config", identifier.get("class_name"))
        if isinstance(name, str) and name in _BY_NAME:
            return _BY_NAME[name]
        if isinstance(name, dict) and name.get("name") in _BY_NAME:
            return _BY_NAME[name["name"]]
        # A registered function or an activation object: Keras's object config.
        return serialization.deserialize_keras_object(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")


def serialize(activation):
    """A built-in activation's name; otherwise Keras's config of the function (under its
    registered name) or of the activation object."""
    for name, fn in _BY_NAME.items():
        if fn is activation and name not in ("hard_swish",):
            return name
    if hasattr(activation, "get_config") or isinstance(activation, types.FunctionType):
        return serialization.serialize_keras_object(activation)
    return getattr(activation, "__name__", repr(activation))


def deserialize(config, custom_objects=None):
    if isinstance(config, str) and custom_objects and config in custom_objects:
        return custom_objects[config]
    if custom_objects:
        with object_registry.custom_object_scope(custom_objects):
            return get(config)
    return get(config)
