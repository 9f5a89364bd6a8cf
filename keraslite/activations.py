"""`keras.activations`: activation functions by Keras name, on torch tensors."""

from __future__ import annotations

import types

import torch
import torch.nn.functional as F

from keraslite.backend import state
from keraslite.serialization import object_registry
from keraslite.serialization import serialization_lib as serialization


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        if state.dialect() == "tf2":
            # tf.keras 2's fit/predict run Dense/Conv + relu as TensorFlow's fused kernels,
            # which give 0 for NaN inputs (torch.relu, like Keras 3, keeps NaN): TF-2-era code
            # fed NaN columns trains on the rest there. `fmax` is one pass, as relu is.
            return torch.fmax(x, x.new_zeros(()))
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


def celu(x, alpha=1.0):
    return F.celu(x, alpha=alpha)


def glu(x, axis=-1):
    if x.shape[axis] % 2:
        raise ValueError(
            "glu() splits `x` in two halves along `axis`, which needs an even size. "
            f"Received: x.shape={tuple(x.shape)}, axis={axis}"
        )
    return F.glu(x, dim=axis)


def hard_tanh(x):
    return F.hardtanh(x, min_val=-1.0, max_val=1.0)


def hard_shrink(x, threshold=0.5):
    return F.hardshrink(x, lambd=threshold)


def soft_shrink(x, threshold=0.5):
    return F.softshrink(x, lambd=threshold)


def tanh_shrink(x):
    return F.tanhshrink(x)


def threshold(x, threshold, default_value):
    # `x` where x > threshold, else `default_value`.
    return F.threshold(x, threshold, default_value)


def log_sigmoid(x):
    return F.logsigmoid(x)


def sparse_plus(x):
    # 0 below -1, x above 1, and the quadratic (x + 1)^2 / 4 that joins them smoothly.
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x < 1, 0.25 * (x + 1) ** 2, x))


def sparse_sigmoid(x):
    # The piecewise-linear sigmoid: (x + 1) / 2 clipped to [0, 1].
    return torch.clamp(0.5 * (x + 1), 0.0, 1.0)


def squareplus(x, b=4):
    return (x + torch.sqrt(x * x + b)) / 2


def sparsemax(x, axis=-1):
    """The Euclidean projection of `x` onto the probability simplex along `axis` (Martins and
    Astudillo, 2016): like softmax, but exact zeros outside the support."""
    x = torch.movedim(x, axis, -1)
    ordered, _ = torch.sort(x, dim=-1, descending=True)
    ranks = torch.arange(1, x.shape[-1] + 1, device=x.device, dtype=x.dtype)
    cumulative = torch.cumsum(ordered, dim=-1)
    in_support = ordered * ranks > cumulative - 1
    support_size = in_support.sum(dim=-1, keepdim=True)
    tau = (torch.gather(cumulative, -1, support_size - 1) - 1) / support_size.to(x.dtype)
    return torch.movedim(torch.clamp(x - tau, min=0.0), -1, axis)


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
        celu,
        glu,
        hard_tanh,
        hard_shrink,
        soft_shrink,
        tanh_shrink,
        threshold,
        log_sigmoid,
        sparse_plus,
        sparse_sigmoid,
        squareplus,
        sparsemax,
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
