"""Operations on KerasTensors (`x + y`, `x[:, 0]`, `keras.ops.*` on symbolic inputs).

Each use records a node whose operation is an `OpLayer` wrapping a plain function;
the fx lowering turns it into a `call_function` node, so it costs nothing extra at run
time.
"""

from __future__ import annotations

import operator

import torch

from keraslite.backend import dtypes, state, tree
from keraslite.graph.keras_tensor import KerasTensor, any_keras_tensor
from keraslite.graph.operation import Operation
from keraslite.mixed_precision.policy import global_policy


class OpLayer(Operation):
    """A function recorded in a functional graph (Keras's op node).

    An `Operation`, not a `Layer`: it has no weights, build or dtype policy. Its class
    name is the one summaries and plots have always printed for op rows (`add (OpLayer)`).

    Without tensor constants the fx lowering calls the function directly
    (`call_function`). Tensor constants among the arguments (`ops.matmul(x, w)` with a
    fixed tensor `w`) are kept as non-persistent buffers of this operation, so that they
    follow the model across devices; such an op is lowered as a `call_module`.

    It has no weights; the few layer attributes that readers of `model.layers` use
    (`weights`, `count_params()`, `trainable` ...) say so.
    """

    built = True

    def __init__(self, function, name=None):
        if name is None:
            # Ops share the layers' name counter, as Keras 3 operations do (`add`, `add_1`).
            name = state.unique_name(state.to_snake_case(getattr(function, "__name__", "op").strip("_") or "op"))
        super().__init__(name=name)
        # Keras semantics: inference mode unless told otherwise (as for layers).
        self.training = False
        # The dtype a layer made now would have (what `get_config` reports).
        self.dtype = dtypes.standardize_dtype(global_policy().variable_dtype)
        self._op_function = function
        self._template = None
        self._keraslite_op_function = function

    def _hold_constants(self, constants, template) -> None:
        """Keep fixed tensors as buffers; the recorded call then passes only the symbolic
        inputs, in order, and `template` (args, kwargs) says where they and the constants go."""
        self._template = template
        for index, constant in enumerate(constants):
            self.register_buffer(f"constant_{index}", constant, persistent=False)
        self.__dict__.pop("_keraslite_op_function", None)

    def __call__(self, *args, **kwargs):
        if self._template is None and not self._inbound_nodes and any_keras_tensor(args, kwargs):
            # First symbolic call (from `keras.ops` on KerasTensors, or a model config being
            # rebuilt): fixed tensors among the arguments become this op's constants.
            lifted = _lift_constants(args, kwargs)
            if lifted is not None:
                constants, template, inputs = lifted
                self._hold_constants(constants, template)
                return super().__call__(*inputs)
        return super().__call__(*args, **kwargs)

    def _fill_template(self, values):
        def fill(slot):
            if isinstance(slot, _InputSlot):
                return values[slot.index]
            if isinstance(slot, _ConstantSlot):
                return getattr(self, f"constant_{slot.index}")
            return slot

        args, kwargs = self._template
        return tree.map_structure(fill, args), {k: tree.map_structure(fill, v) for k, v in kwargs.items()}

    def call(self, *args, **kwargs):
        if self._template is not None:
            args, kwargs = self._fill_template(args)
        return self._op_function(*args, **kwargs)

    # What readers of `model.layers` and of a functional graph (summary, saving, training,
    # shape propagation) ask of every entry: an op node accepts anything, has no weights
    # and does not propagate masks. `trainable` follows the model's (a plain attribute).
    input_spec = None
    supports_masking = False
    trainable = True
    weights = trainable_weights = non_trainable_weights = variables = property(lambda self: [])
    losses = property(lambda self: [])

    def _own_weights(self) -> list:
        return []

    def _flat_sublayers(self) -> list:
        return []

    def count_params(self) -> int:
        return 0

    def get_weights(self) -> list:
        return []

    def set_weights(self, weights) -> None:
        if list(weights):
            raise ValueError(f"Operation {self.name} has no weights. Received {len(list(weights))} weight values.")

    def _clear_losses(self) -> None:
        pass

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        config["function"] = getattr(self._op_function, "__name__", None)
        return config


class _ConstantSlot:
    """Marks where the op's `constant_<index>` buffer goes in its call."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


class _InputSlot(_ConstantSlot):
    """Marks where the `index`-th symbolic input goes in an op's call."""

    __slots__ = ()


def _name_op(name, fn):
    def op(*args, **kwargs):
        return fn(*args, **kwargs)

    op.__name__ = op.__qualname__ = name
    return op


_FUNCTIONS = {
    "add": _name_op("add", torch.add),
    "subtract": _name_op("subtract", torch.sub),
    "multiply": _name_op("multiply", torch.mul),
    "divide": _name_op("divide", torch.true_divide),
    "matmul": _name_op("matmul", torch.matmul),
    "power": _name_op("power", torch.pow),
    "negative": _name_op("negative", torch.neg),
    "absolute": _name_op("absolute", torch.abs),
    "getitem": _name_op("get_item", operator.getitem),
    "greater": _name_op("greater", torch.gt),
    "greater_equal": _name_op("greater_equal", torch.ge),
    "less": _name_op("less", torch.lt),
    "less_equal": _name_op("less_equal", torch.le),
    "floor_divide": _name_op("floor_divide", operator.floordiv),
    "mod": _name_op("mod", operator.mod),
    "logical_and": _name_op("logical_and", operator.and_),
    "logical_or": _name_op("logical_or", operator.or_),
    "logical_xor": _name_op("logical_xor", operator.xor),
    "logical_not": _name_op("logical_not", operator.invert),
}


def apply(name, *args, **kwargs):
    """Record `name(*args)` as a node and return its output KerasTensor(s)."""
    return apply_function(_FUNCTIONS[name], *args, **kwargs)


def apply_function(function, *args, **kwargs):
    """Record any tensor function (e.g. a `keras.ops` op) as a node."""
    args = _plain_python(list(args))
    kwargs = {key: _plain_python(value) for key, value in kwargs.items()}
    return OpLayer(function)(*args, **kwargs)


def _lift_constants(args, kwargs):
    """(constants, template, symbolic inputs) for a call holding fixed tensors, else None."""
    constants = []

    def take_constant(value):
        if isinstance(value, torch.Tensor):
            # Plain tensors (not, e.g., the TF shim's EagerTensor): fake-tensor shape
            # inference and device moves handle those.
            constants.append(
                value.detach().as_subclass(torch.Tensor) if type(value) is not torch.Tensor else value.detach()
            )
            return _ConstantSlot(len(constants) - 1)
        return value

    args = tree.map_structure(take_constant, list(args))
    kwargs = {key: tree.map_structure(take_constant, value) for key, value in kwargs.items()}
    if not constants:
        return None
    inputs = []

    def take_input(value):
        if isinstance(value, KerasTensor):
            inputs.append(value)
            return _InputSlot(len(inputs) - 1)
        return value

    template = (tree.map_structure(take_input, args), {k: tree.map_structure(take_input, v) for k, v in kwargs.items()})
    return constants, template, inputs


def _plain_python(value):
    """Subclasses of str and tuple (the TF shim's `tf.float32`, `TensorShape`) as plain
    str and tuple, which the fx code generator writes back as literals."""
    if isinstance(value, str):
        return str.__str__(value) if type(value) is not str else value
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_plain_python(v) for v in value)
    if isinstance(value, list):
        return [_plain_python(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain_python(v) for k, v in value.items()}
    return value
