"""`tf.TensorShape`: a tuple that prints as TensorFlow prints it.

`repr` gives `TensorShape([None, 784])` (what the seed guide's notebook echoes) and
`str` gives `(None, 784)` (what `print(x.shape)` shows); everything else is a tuple, so
keraslite code reading shapes does not see a difference.
"""

from __future__ import annotations


class TensorShape(tuple):
    """A shape: a tuple of ints, with None for unknown dimensions."""

    __slots__ = ()

    def __new__(cls, dims=()):
        if dims is None:
            dims = ()
        elif isinstance(dims, int):
            dims = (dims,)
        return super().__new__(
            cls, (None if d is None or getattr(d, "value", 0) is None else int(getattr(d, "value", d)) for d in dims)
        )

    def __repr__(self) -> str:
        return f"TensorShape({list(self)!r})"

    def __str__(self) -> str:
        return tuple.__repr__(self)

    def __getitem__(self, key):
        result = tuple.__getitem__(self, key)
        return TensorShape(result) if isinstance(key, slice) else result

    def as_list(self) -> list:
        return list(self)

    @property
    def rank(self) -> int:
        return len(self)

    ndims = rank

    @property
    def dims(self) -> list:
        return list(self)

    def is_fully_defined(self) -> bool:
        return all(d is not None for d in self)

    def num_elements(self):
        if not self.is_fully_defined():
            return None
        count = 1
        for d in self:
            count *= d
        return count

    def numel(self) -> int:
        """As `torch.Size.numel`, for torch code handed this shape."""
        return self.num_elements()

    def concatenate(self, other) -> "TensorShape":
        return TensorShape(tuple(self) + tuple(other))

    def is_compatible_with(self, other) -> bool:
        other = tuple(other)
        return len(other) == len(self) and all(a is None or b is None or a == b for a, b in zip(self, other))

    def merge_with(self, other) -> "TensorShape":
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {TensorShape(other)} are not compatible")
        return TensorShape(a if a is not None else b for a, b in zip(self, other))

    def assert_is_compatible_with(self, other) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {TensorShape(other)} are incompatible")

    def with_rank(self, rank: int) -> "TensorShape":
        if len(self) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")
        return self
