"""`KerasTensor`: the symbolic value flowing through a functional graph.

It carries a shape (None for unknown dims), a dtype name and, once a layer made it,
its history `(layer, node_index, tensor_index)`. It never changes after it is made.
"""

from __future__ import annotations

import collections
import importlib

from keraslite.backend import tree
from keraslite.backend.dtypes import standardize_dtype
from keraslite.graph import display

KerasHistory = collections.namedtuple("KerasHistory", ["layer", "node_index", "tensor_index"])


class KerasTensor:
    """A symbolic tensor: a shape (None for unknown dims) and a dtype.

    Args:
        shape: the shape, with None for unknown dims.
        dtype: the dtype name (default `"float32"`).
        sparse, ragged: what kind of tensor it stands for (kept; tensors here are dense).
        record_history: kept for Keras compatibility (calls on it are always recorded).
        name: an optional name.
        **kwargs: `ragged_rank`, `row_splits_dtype` (Keras's ragged details); internally
            `keras_history` (the node that made it) and `mask`.
    """

    __slots__ = (
        "_shape",
        "_dtype",
        "_keras_history",
        "_name",
        "_keras_mask",
        "_sparse",
        "_ragged",
        "_ragged_rank",
        "_row_splits_dtype",
        "_record_history",
    )

    def __init__(self, shape, dtype="float32", sparse=False, ragged=False, record_history=True, name=None, **kwargs):
        keras_history = kwargs.pop("keras_history", None)
        mask = kwargs.pop("mask", None)
        ragged_rank = kwargs.pop("ragged_rank", None)
        row_splits_dtype = kwargs.pop("row_splits_dtype", None)
        if kwargs:
            raise TypeError(f"Unexpected keyword arguments: {', '.join(kwargs.keys())}")
        if sparse and ragged:
            raise ValueError("KerasTensor cannot have `sparse=True` and `ragged=True` at the same time.")
        set_ = object.__setattr__
        set_(self, "_shape", tuple(None if d is None else int(d) for d in shape))
        set_(self, "_dtype", standardize_dtype(dtype))
        set_(self, "_keras_history", keras_history)
        set_(self, "_name", name)
        set_(self, "_keras_mask", mask)
        set_(self, "_sparse", bool(sparse))
        set_(self, "_ragged", bool(ragged))
        set_(self, "_ragged_rank", None if ragged_rank is None else int(ragged_rank))
        set_(self, "_row_splits_dtype", None if row_splits_dtype is None else standardize_dtype(row_splits_dtype))
        set_(self, "_record_history", record_history)

    def __deepcopy__(self, memo):
        # `copy.deepcopy(model)` copies the graph too: the copy's history points at the copied
        # layers. (Set through object.__setattr__, as __init__ does.)
        import copy

        clone = object.__new__(type(self))
        memo[id(self)] = clone
        for slot in KerasTensor.__slots__:
            object.__setattr__(clone, slot, copy.deepcopy(getattr(self, slot), memo))
        return clone

    def __setattr__(self, name, value):
        raise AttributeError(
            f"A KerasTensor never changes after it is made; cannot set `{name}`. Call a layer on it to make a new one."
        )

    @property
    def shape(self):
        return display.shape_type()(self._shape)

    @property
    def dtype(self):
        return display.dtype_type()(self._dtype)

    @property
    def ndim(self) -> int:
        return len(self._shape)

    @property
    def name(self):
        return self._name

    @property
    def sparse(self) -> bool:
        return self._sparse

    @property
    def ragged(self) -> bool:
        return self._ragged

    @property
    def ragged_rank(self):
        return self._ragged_rank

    @property
    def row_splits_dtype(self):
        return self._row_splits_dtype

    @property
    def record_history(self):
        return self._record_history

    def reshape(self, newshape):
        """`keras.ops.reshape(self, newshape)`: recorded as that op."""
        # By name on the public namespace (ops sit above graph), as config lookups do.
        return importlib.import_module("keraslite.ops").reshape(self, newshape)

    def squeeze(self, axis=None):
        """`keras.ops.squeeze(self, axis)`: recorded as that op."""
        return importlib.import_module("keraslite.ops").squeeze(self, axis=axis)

    def __len__(self):
        raise TypeError("A symbolic KerasTensor has no length. Use `tensor.shape[0]` (which may be None) instead.")

    def __bool__(self):
        raise TypeError(
            "A symbolic KerasTensor cannot be used as a Python bool (e.g. in an `if`). "
            "Branch inside a layer's `call`, where the values are real tensors."
        )

    def __iter__(self):
        raise TypeError("A symbolic KerasTensor is not iterable. Index it (`x[:, 0]`) or use a layer.")

    def __repr__(self) -> str:
        return (
            f"<KerasTensor shape={self._shape}, dtype={self._dtype}, sparse={self._sparse}, "
            f"ragged={self._ragged}, name={self._name}>"
        )

    # The arithmetic operators record `keras.ops` nodes, as Keras does.
    def _op(self, name, *args):
        # cycle: symbolic_ops records nodes whose outputs are KerasTensors (as in Keras).
        from keraslite.graph import symbolic_ops

        return symbolic_ops.apply(name, *args)

    def __add__(self, other):
        return self._op("add", self, other)

    def __radd__(self, other):
        return self._op("add", other, self)

    def __sub__(self, other):
        return self._op("subtract", self, other)

    def __rsub__(self, other):
        return self._op("subtract", other, self)

    def __mul__(self, other):
        return self._op("multiply", self, other)

    def __rmul__(self, other):
        return self._op("multiply", other, self)

    def __truediv__(self, other):
        return self._op("divide", self, other)

    def __rtruediv__(self, other):
        return self._op("divide", other, self)

    def __matmul__(self, other):
        return self._op("matmul", self, other)

    def __rmatmul__(self, other):
        return self._op("matmul", other, self)

    def __pow__(self, other):
        return self._op("power", self, other)

    def __neg__(self):
        return self._op("negative", self)

    def __abs__(self):
        return self._op("absolute", self)

    def __getitem__(self, key):
        return self._op("getitem", self, key)

    # Comparison, floor-division, modulo and logical operators (appended by the ops/tf-shim
    # work): they record `keras.ops` nodes too. `==`/`!=` keep Python identity semantics.
    def __gt__(self, other):
        return self._op("greater", self, other)

    def __ge__(self, other):
        return self._op("greater_equal", self, other)

    def __lt__(self, other):
        return self._op("less", self, other)

    def __le__(self, other):
        return self._op("less_equal", self, other)

    def __floordiv__(self, other):
        return self._op("floor_divide", self, other)

    def __rfloordiv__(self, other):
        return self._op("floor_divide", other, self)

    def __mod__(self, other):
        return self._op("mod", self, other)

    def __rmod__(self, other):
        return self._op("mod", other, self)

    def __rpow__(self, other):
        return self._op("power", other, self)

    def __and__(self, other):
        return self._op("logical_and", self, other)

    def __rand__(self, other):
        return self._op("logical_and", other, self)

    def __or__(self, other):
        return self._op("logical_or", self, other)

    def __ror__(self, other):
        return self._op("logical_or", other, self)

    def __xor__(self, other):
        return self._op("logical_xor", self, other)

    def __invert__(self):
        return self._op("logical_not", self)

    def __pos__(self):
        return self


def any_keras_tensor(args, kwargs) -> bool:
    """Whether a KerasTensor is among a call's arguments (also nested in structures)."""
    for value in args:
        if isinstance(value, KerasTensor) or (
            isinstance(value, (list, tuple, dict)) and any(isinstance(v, KerasTensor) for v in tree.flatten(value))
        ):
            return True
    for value in kwargs.values():
        if isinstance(value, KerasTensor) or (
            isinstance(value, (list, tuple, dict)) and any(isinstance(v, KerasTensor) for v in tree.flatten(value))
        ):
            return True
    return False
