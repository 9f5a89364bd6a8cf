"""`tf.Variable`: a keraslite `Variable` (a torch Parameter) made from an initial value."""

from __future__ import annotations

import torch

from keraslite.backend import state
from keraslite.backend.variable import Variable as _KerasVariable
from keraslite.ops.dispatch import to_tensor


def Variable(
    initial_value=None,
    trainable=None,
    validate_shape=True,
    caching_device=None,
    name=None,
    variable_def=None,
    dtype=None,
    import_scope=None,
    constraint=None,
    synchronization=None,
    aggregation=None,
    shape=None,
    experimental_enable_variable_lifting=True,
):  # noqa: N802
    """A variable holding `initial_value` (a value or a zero-argument callable).

    Float variables are trainable by default; others cannot require grad in torch and
    are never trainable.
    """
    if callable(initial_value):
        initial_value = initial_value()
    tensor = to_tensor(initial_value, dtype).detach().clone().to(state.get_device())
    floating = tensor.is_floating_point() or tensor.is_complex()
    trainable = floating if trainable is None else (bool(trainable) and floating)
    name = name or "Variable"
    # TensorFlow allows scoped names ("dense/kernel"); Keras 3's Variable refuses `/`.
    variable = _KerasVariable(tensor, trainable=trainable, name=name.replace("/", "_"))
    variable._keras_name = variable._keras_path = name
    variable.constraint = constraint
    return variable


def is_variable(value) -> bool:
    """Whether `value` is a variable (a torch Parameter)."""
    return isinstance(value, torch.nn.Parameter)
