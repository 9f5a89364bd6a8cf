"""`tf.data`: the `Dataset` pipeline tutorials build (`from_tensor_slices(...).shuffle(...)
.batch(...)`), iterated eagerly in Python.

A dataset is a recipe: a function returning a fresh iterator of elements (nested
tuples/dicts of NumPy arrays or tensors), plus its length when known. Iterating yields
tensors (on the default device), so both `for x, y in dataset:` loops and `model.fit(dataset)`
work. For heavy input pipelines use `torch.utils.data.DataLoader`, which `fit()` also takes.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from keraslite.backend import tree
from keraslite.compat.tensorflow.eager import wrap
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.ops.dispatch import to_tensor

AUTOTUNE = -1
INFINITE = -1
UNKNOWN = -2
__getattr__ = module_getattr("tf.data")


def _leaf_to_array(value):
    if isinstance(value, torch.Tensor):
        return value
    array = np.asarray(value)
    if array.dtype == np.float64 and not isinstance(value, np.ndarray):
        array = array.astype(np.float32)
    return array


def _stack(elements):
    first = elements[0]
    if isinstance(first, dict):
        return {k: _stack([e[k] for e in elements]) for k in first}
    if isinstance(first, (tuple, list)):
        return type(first)(_stack([e[i] for e in elements]) for i in range(len(first)))
    if isinstance(first, torch.Tensor):
        return torch.stack(elements)
    return np.stack(elements)


def _to_tensors(element):
    return tree.map_structure(
        lambda v: wrap(to_tensor(v)) if isinstance(v, (np.ndarray, np.generic, torch.Tensor)) else v, element
    )


class Dataset:
    """An iterable pipeline of elements. Build one with `from_tensor_slices` /
    `from_tensors` / `range`, then chain `shuffle`, `batch`, `map`, `repeat`, `take` ..."""

    def __init__(self, make_iterator, length=UNKNOWN):
        self._make_iterator = make_iterator
        self._length = length
        self._epoch_batches = None
        self._served = 0

    # ------------------------------------------------------------ sources
    @staticmethod
    def from_tensor_slices(tensors) -> "Dataset":
        """One element per row of `tensors` (a structure of arrays with a common first dim)."""
        arrays = tree.map_structure(_leaf_to_array, tensors)
        leaves = tree.flatten(arrays)
        count = int(leaves[0].shape[0])
        for leaf in leaves:
            if int(leaf.shape[0]) != count:
                raise ValueError(
                    f"Dimensions {count} and {leaf.shape[0]} are not compatible: all components of "
                    "from_tensor_slices need the same first dimension."
                )

        def iterate():
            for index in range(count):
                yield tree.map_structure(lambda a: a[index], arrays)

        dataset = Dataset(iterate, count)
        dataset._arrays = (arrays, count)
        return dataset

    @staticmethod
    def from_tensors(tensors) -> "Dataset":
        """A dataset of the single element `tensors`."""
        element = tree.map_structure(_leaf_to_array, tensors)
        return Dataset(lambda: iter([element]), 1)

    @staticmethod
    def range(*args) -> "Dataset":  # noqa: A003
        values = range(*args)
        return Dataset(lambda: (np.int64(v) for v in values), len(values))

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None) -> "Dataset":
        return Dataset(lambda: iter(generator(*(args or ()))), UNKNOWN)

    @staticmethod
    def zip(*datasets) -> "Dataset":
        if len(datasets) == 1 and isinstance(datasets[0], (tuple, list)):
            datasets = tuple(datasets[0])
        lengths = [d._length for d in datasets]
        known = [n for n in lengths if n >= 0]
        return Dataset(
            lambda: zip(*(d._raw() for d in datasets)), min(known) if len(known) == len(lengths) else UNKNOWN
        )

    # ------------------------------------------------------------ transformations
    def _raw(self):
        return self._make_iterator()

    def batch(
        self, batch_size: int, drop_remainder: bool = False, num_parallel_calls=None, deterministic=None
    ) -> "Dataset":
        """Consecutive elements stacked into batches of `batch_size`."""
        source = self
        if getattr(self, "_arrays", None) is not None:
            arrays, count = self._arrays

            def iterate():  # slices of the arrays: no per-row stacking
                stop = count - count % batch_size if drop_remainder else count
                for start in range(0, stop, batch_size):
                    yield tree.map_structure(lambda a: a[start : start + batch_size], arrays)
        else:

            def iterate():
                pending = []
                for element in source._raw():
                    pending.append(element)
                    if len(pending) == batch_size:
                        yield _stack(pending)
                        pending = []
                if pending and not drop_remainder:
                    yield _stack(pending)

        length = self._length
        if length >= 0:
            length = length // batch_size if drop_remainder else math.ceil(length / batch_size)
        return Dataset(iterate, length)

    def shuffle(self, buffer_size: int, seed=None, reshuffle_each_iteration=True) -> "Dataset":
        """Elements in a random order (a full shuffle when the buffer holds them all)."""
        source = self
        generator = torch.Generator()
        if seed is not None:
            generator.manual_seed(int(seed))
        else:
            generator.seed()
        if getattr(self, "_arrays", None) is not None and buffer_size >= self._arrays[1]:
            arrays, count = self._arrays

            def iterate_all():
                order = torch.randperm(count, generator=generator).numpy()
                for index in order:
                    yield tree.map_structure(lambda a: a[index], arrays)

            shuffled = Dataset(iterate_all, count)
            shuffled._shuffled_arrays = (arrays, count, generator)
            return shuffled

        def iterate():
            buffer = []
            for element in source._raw():
                buffer.append(element)
                if len(buffer) >= buffer_size:
                    yield buffer.pop(int(torch.randint(len(buffer), (1,), generator=generator)))
            while buffer:
                yield buffer.pop(int(torch.randint(len(buffer), (1,), generator=generator)))

        return Dataset(iterate, self._length)

    def map(self, map_func, num_parallel_calls=None, deterministic=None) -> "Dataset":
        """`map_func` applied to each element (tuples are passed as separate arguments)."""
        source = self

        def iterate():
            for element in source._raw():
                element = _to_tensors(element)
                yield map_func(*element) if isinstance(element, tuple) else map_func(element)

        return Dataset(iterate, self._length)

    def filter(self, predicate) -> "Dataset":
        source = self

        def iterate():
            for element in source._raw():
                tensors = _to_tensors(element)
                if bool(predicate(*tensors) if isinstance(tensors, tuple) else predicate(tensors)):
                    yield element

        return Dataset(iterate, UNKNOWN)

    def repeat(self, count=None) -> "Dataset":
        source = self

        def iterate():
            n = 0
            while count is None or count < 0 or n < count:
                yield from source._raw()
                n += 1

        forever = count is None or count < 0
        return Dataset(iterate, INFINITE if forever else (self._length * count if self._length >= 0 else UNKNOWN))

    def take(self, count: int) -> "Dataset":
        source = self

        def iterate():
            for index, element in enumerate(source._raw()):
                if 0 <= count <= index:
                    return
                yield element

        length = (
            count
            if self._length == INFINITE
            else (min(count, self._length) if self._length >= 0 and count >= 0 else self._length)
        )
        return Dataset(iterate, length)

    def skip(self, count: int) -> "Dataset":
        source = self

        def iterate():
            for index, element in enumerate(source._raw()):
                if index >= count:
                    yield element

        return Dataset(iterate, max(self._length - count, 0) if self._length >= 0 else self._length)

    def concatenate(self, other: "Dataset") -> "Dataset":
        source = self

        def iterate():
            yield from source._raw()
            yield from other._raw()

        both = self._length + other._length if self._length >= 0 and other._length >= 0 else UNKNOWN
        return Dataset(iterate, both)

    def unbatch(self) -> "Dataset":
        source = self

        def iterate():
            for element in source._raw():
                count = len(tree.flatten(element)[0])
                for index in range(count):
                    yield tree.map_structure(lambda a: a[index], element)

        return Dataset(iterate, UNKNOWN)

    def prefetch(self, buffer_size=None) -> "Dataset":
        return self

    def cache(self, filename="") -> "Dataset":
        return self

    def with_options(self, options) -> "Dataset":
        return self

    # ------------------------------------------------------------ reading
    def __iter__(self):
        for element in self._raw():
            yield _to_tensors(element)

    def as_numpy_iterator(self):
        for element in self._raw():
            yield tree.map_structure(
                lambda v: v.detach().cpu().numpy() if isinstance(v, torch.Tensor) else np.asarray(v), element
            )

    def cardinality(self) -> int:
        return self._length

    def __len__(self) -> int:
        if self._length == INFINITE:
            raise TypeError("The dataset is infinite.")
        if self._length < 0:
            raise TypeError("The dataset length is unknown.")
        return self._length

    def __getitem__(self, index: int):
        """Batches by index, for `fit()`: each pass materializes the dataset's current
        order once (reshuffled per pass, as `reshuffle_each_iteration` does)."""
        if self._epoch_batches is None:
            self._epoch_batches = list(self)
            self._served = 0
        element = self._epoch_batches[index]
        self._served += 1
        if self._served >= len(self._epoch_batches):
            self._epoch_batches = None
        return element


class Options:
    """Accepted for compatibility (`dataset.with_options(options)` is a no-op)."""


experimental = type(
    "experimental", (), {"AUTOTUNE": AUTOTUNE, "INFINITE_CARDINALITY": INFINITE, "UNKNOWN_CARDINALITY": UNKNOWN}
)
