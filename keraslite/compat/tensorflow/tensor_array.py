"""`tf.TensorArray`: a list of same-shaped tensors written one index at a time (the
loop-carried accumulator of TF-2-era `tf.function` code), stacked at the end.

Eager, as TensorFlow's eager TensorArray: `write` stores the tensor (gradients flow through
`stack`/`read`/`gather`/`concat` as through `torch.stack`) and returns a TensorArray on the
same storage. Unwritten indices read as zeros of the element shape once it is known (from
`element_shape` or the first write).
"""

from __future__ import annotations

import torch

from keraslite.compat.tensorflow.dtypes import as_dtype
from keraslite.compat.tensorflow.eager import wrap
from keraslite.compat.tensorflow.errors import InvalidArgumentError, OutOfRangeError
from keraslite.compat.tensorflow.tensor_shape import TensorShape
from keraslite.ops.dispatch import to_tensor


class _Storage:
    """What the TensorArrays returned by successive writes share."""

    def __init__(self, size: int, dynamic_size: bool, element_shape):
        self.values: list = [None] * size
        self.dynamic_size = dynamic_size
        self.element_shape = element_shape


class TensorArray:
    """`tf.TensorArray(dtype, size=0, dynamic_size=None, ..., element_shape=None)`."""

    def __init__(
        self,
        dtype,
        size=None,
        dynamic_size=None,
        clear_after_read=None,
        tensor_array_name=None,
        handle=None,
        flow=None,
        infer_shape=True,
        element_shape=None,
        colocate_with_first_write_call=True,
        name=None,
        _storage=None,
    ):
        self._dtype = as_dtype(dtype)
        self._infer_shape = infer_shape
        if _storage is None:
            known = None if element_shape is None else tuple(TensorShape(element_shape))
            _storage = _Storage(int(size or 0), bool(dynamic_size), known)
        self._storage = _storage

    # ------------------------------------------------------------ description
    @property
    def dtype(self):
        return self._dtype

    @property
    def dynamic_size(self) -> bool:
        return self._storage.dynamic_size

    @property
    def element_shape(self):
        """The elements' shape, or None while it is unknown (TensorFlow: an unknown TensorShape)."""
        shape = self._storage.element_shape
        return None if shape is None else TensorShape(shape)

    def size(self, name=None):
        return wrap(torch.tensor(len(self._storage.values), dtype=torch.int32))

    def _same_storage(self) -> "TensorArray":
        return TensorArray(self._dtype, infer_shape=self._infer_shape, _storage=self._storage)

    # ------------------------------------------------------------ writing
    def _value(self, value) -> torch.Tensor:
        return to_tensor(value, self._dtype.torch_dtype)

    def _store(self, index: int, tensor: torch.Tensor) -> None:
        storage = self._storage
        if index < 0:
            raise InvalidArgumentError(None, None, f"Tried to write to index {index} of a TensorArray.")
        if index >= len(storage.values):
            if not storage.dynamic_size:
                raise OutOfRangeError(
                    None,
                    None,
                    f"Tried to write to index {index} but array is not resizeable and size is: {len(storage.values)}",
                )
            storage.values.extend([None] * (index + 1 - len(storage.values)))
        shape = tuple(tensor.shape)
        if storage.element_shape is None:
            if self._infer_shape:
                storage.element_shape = shape
        elif self._infer_shape and not _compatible(storage.element_shape, shape):
            raise ValueError(
                f"Could not write to TensorArray index {index}: the element shape {shape} is not "
                f"compatible with the TensorArray's element shape {storage.element_shape}."
            )
        storage.values[index] = tensor

    def write(self, index, value, name=None) -> "TensorArray":
        """Stores `value` at `index`; returns a TensorArray on the same storage (use it, as
        in TensorFlow: `ta = ta.write(i, x)`)."""
        self._store(int(index), self._value(value))
        return self._same_storage()

    def scatter(self, indices, value, name=None) -> "TensorArray":
        """Row `j` of `value` written at `indices[j]`."""
        value = self._value(value)
        for row, index in enumerate(to_tensor(indices).reshape(-1).tolist()):
            self._store(int(index), value[row])
        return self._same_storage()

    def unstack(self, value, name=None) -> "TensorArray":
        """The rows of `value` written at indices 0, 1, ..."""
        value = self._value(value)
        return self.scatter(list(range(value.shape[0])), value)

    def split(self, value, lengths, name=None) -> "TensorArray":
        """Consecutive pieces of `value` (of `lengths` rows each) written at 0, 1, ..."""
        value = self._value(value)
        sizes = [int(n) for n in to_tensor(lengths).reshape(-1).tolist()]
        self._storage.element_shape = None  # pieces differ in length
        infer, self._infer_shape = self._infer_shape, False
        try:
            for index, piece in enumerate(torch.split(value, sizes)):
                self._store(index, piece)
        finally:
            self._infer_shape = infer
        return self._same_storage()

    # ------------------------------------------------------------ reading
    def _read(self, index: int) -> torch.Tensor:
        values = self._storage.values
        if not 0 <= index < len(values):
            raise OutOfRangeError(None, None, f"Tried to read from index {index} but array size is: {len(values)}")
        if values[index] is not None:
            return values[index]
        shape = self._storage.element_shape
        if shape is None or None in shape:
            raise ValueError(
                f"TensorArray index {index} was never written and the element shape is unknown, "
                "so it cannot be read as zeros."
            )
        return torch.zeros(shape, dtype=self._dtype.torch_dtype)

    def read(self, index, name=None):
        return wrap(self._read(int(index)))

    def gather(self, indices, element_shape=None, name=None):
        rows = [self._read(int(i)) for i in to_tensor(indices).reshape(-1).tolist()]
        return wrap(self._stack(rows))

    def stack(self, name=None):
        """All elements stacked along a new first axis (`(0, *element_shape)` when empty)."""
        return wrap(self._stack([self._read(i) for i in range(len(self._storage.values))]))

    def _stack(self, rows):
        if rows:
            return torch.stack(rows)
        shape = self._storage.element_shape
        return torch.zeros((0, *(() if shape is None else [d or 0 for d in shape])), dtype=self._dtype.torch_dtype)

    def concat(self, name=None):
        """All elements joined along their first axis."""
        rows = [self._read(i) for i in range(len(self._storage.values))]
        if not rows:
            return wrap(torch.zeros((0,), dtype=self._dtype.torch_dtype))
        return wrap(torch.cat([r.reshape(1) if r.ndim == 0 else r for r in rows]))

    # ------------------------------------------------------------ bookkeeping
    def identity(self) -> "TensorArray":
        return self._same_storage()

    def close(self, name=None) -> None:
        """Accepted for compatibility: there is nothing to release."""

    def mark_used(self) -> None:
        """Accepted for compatibility (TensorFlow's unused-object warning)."""

    def __repr__(self) -> str:
        return f"<tf.TensorArray dtype={self._dtype!r} size={len(self._storage.values)}>"


def _compatible(known, shape) -> bool:
    return len(known) == len(shape) and all(k is None or k == d for k, d in zip(known, shape))
