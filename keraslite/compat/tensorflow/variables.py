"""`tf.Variable`: a keraslite `Variable` (a torch Parameter) made from an initial value.

It is a keraslite Variable in every respect (layers, optimizers and tapes take it), and
`isinstance(v, tf.Variable)` is true of every keraslite variable, as every Keras weight
is a `tf.Variable` in TensorFlow. What its operators return is the shim's eager tensor
(`(w * x + b).numpy()` works while `w` requires grad).
"""

from __future__ import annotations

import torch

from keraslite.backend import state
from keraslite.backend.variable import Variable as _KerasVariable
from keraslite.compat.tensorflow.eager import tf_getitem, wrap
from keraslite.ops.dispatch import to_tensor


class _VariableMeta(type(_KerasVariable)):
    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, _KerasVariable)


class Variable(_KerasVariable, metaclass=_VariableMeta):
    """A variable holding `initial_value` (a value or a zero-argument callable).

    Float variables are trainable by default; others cannot require grad in torch and
    are never trainable.
    """

    _operator_result = staticmethod(wrap)

    def __new__(
        cls,
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
    ):
        if callable(initial_value):
            initial_value = initial_value()
        tensor = to_tensor(initial_value, dtype).detach().clone().to(state.get_device())
        floating = tensor.is_floating_point() or tensor.is_complex()
        trainable = floating if trainable is None else (bool(trainable) and floating)
        name = name or "Variable"
        # TensorFlow allows scoped names ("dense/kernel"); Keras 3's Variable refuses `/`.
        variable = _KerasVariable.__new__(cls, tensor, trainable=trainable, name=name.replace("/", "_"))
        variable._keras_name = variable._keras_path = name
        variable.constraint = constraint
        return variable

    def __init__(self, *args, **kwargs):  # everything happens in __new__
        pass

    def __getitem__(self, index):
        return wrap(tf_getitem(self, index))

    def read_value(self):
        """`v.read_value()`: the variable's current value as a tensor (a copy later
        assignments leave unchanged)."""
        return wrap(torch.Tensor.clone(self).as_subclass(torch.Tensor))


def is_variable(value) -> bool:
    """Whether `value` is a variable (a torch Parameter)."""
    return isinstance(value, torch.nn.Parameter)
