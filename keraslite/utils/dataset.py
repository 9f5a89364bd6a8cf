"""The `Dataset` pipeline of `tf.data` (`from_tensor_slices(...).shuffle(...).batch(...)`),
iterated eagerly in Python, and what `keras.utils.*_dataset_from_*` return.

A dataset is a recipe: a function returning a fresh iterator of elements (nested
tuples/dicts of NumPy arrays or tensors), plus its length when known. Iterating yields
numbers as torch tensors and strings as NumPy str arrays, so both `for x, y in dataset:`
loops and `model.fit(dataset)` work (fit reads it by index, as a `PyDataset`). The
TensorFlow shim (`compat/tensorflow/data.py`) subclasses it to hand out its eager tensors.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from keraslite.backend import tree

AUTOTUNE = -1
INFINITE = -1
UNKNOWN = -2


class TensorSpec(tuple):
    """`Dataset.element_spec`'s description of one tensor: its shape (None where it varies)
    and dtype name. The TensorFlow shim installs its `tf.TensorSpec` instead
    (`set_tensor_spec_type`)."""

    def __new__(cls, shape, dtype, name=None):
        return super().__new__(cls, (tuple(shape), str(dtype)))

    shape = property(lambda self: self[0])
    dtype = property(lambda self: self[1])
    name = None

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype}, name=None)"


_tensor_spec_type = TensorSpec


def set_tensor_spec_type(spec_type) -> None:
    """Make `element_spec` describe tensors with `spec_type(shape, dtype_name)`."""
    global _tensor_spec_type
    _tensor_spec_type = spec_type


def _leaf_to_array(value):
    if isinstance(value, torch.Tensor):
        return value
    array = np.asarray(value)
    if array.dtype == np.float64 and not isinstance(value, np.ndarray):
        array = array.astype(np.float32)
    return array


def _lists_as_arrays(structure):
    """tf.data reads a Python list as one tensor (`from_tensor_slices([1, 2, 3])`), not as a
    structure; tuples and dicts stay structures."""
    if isinstance(structure, list):
        return np.asarray([_leaf_to_array(v) if isinstance(v, torch.Tensor) else v for v in structure])
    if isinstance(structure, tuple):
        return (
            type(structure)(*map(_lists_as_arrays, structure))
            if hasattr(structure, "_fields")
            else tuple(map(_lists_as_arrays, structure))
        )
    if isinstance(structure, dict):
        return type(structure)((k, _lists_as_arrays(v)) for k, v in structure.items())
    return structure


def _pad_to(array, shape, value):
    """`array` padded at the end of each axis up to `shape`."""
    if array.ndim == 0:
        return array
    widths = [(0, int(target) - int(size)) for size, target in zip(array.shape, shape)]
    return np.pad(array, widths, constant_values=value)


def _stack(elements):
    first = elements[0]
    if isinstance(first, dict):
        return {k: _stack([e[k] for e in elements]) for k in first}
    if isinstance(first, (tuple, list)):
        return type(first)(_stack([e[i] for e in elements]) for i in range(len(first)))
    if isinstance(first, torch.Tensor):
        return torch.stack(elements)
    return np.stack(elements)


# Rows mapped per `vmap` call by `Dataset._vectorized_map_batches` (whole batches).
_VMAP_ROWS = 2048


def _vmapped(apply, rows):
    """`apply` over the rows of `rows` under `torch.func.vmap`, or None if vmap cannot run it."""
    try:
        return torch.func.vmap(apply, randomness="error")(_as_tensors(rows))
    except Exception:  # noqa: BLE001  (anything vmap cannot run: the per-row path serves)
        return None


def _rows(structure, start: int, end: int):
    return tree.map_structure(lambda t: t[start:end], structure)


def len_of(structure) -> int:
    return int(tree.flatten(structure)[0].shape[0])


def _as_tensors(rows):
    return tree.map_structure(lambda a: a if isinstance(a, torch.Tensor) else torch.as_tensor(np.asarray(a)), rows)


def _same(batched, expected) -> bool:
    if isinstance(expected, dict):
        return (
            isinstance(batched, dict)
            and batched.keys() == expected.keys()
            and all(_same(batched[k], expected[k]) for k in expected)
        )
    if isinstance(expected, (tuple, list)):
        return (
            isinstance(batched, (tuple, list))
            and len(batched) == len(expected)
            and all(_same(b, e) for b, e in zip(batched, expected))
        )
    if not isinstance(expected, torch.Tensor) or not isinstance(batched, torch.Tensor):
        return False
    return batched.dtype == expected.dtype and batched.shape == expected.shape and torch.equal(batched, expected)


def _part(spec, key):
    """The part of a `padded_shapes` / `padding_values` structure for one component."""
    return None if spec is None else spec[key]


class StringArray(np.ndarray):
    """A NumPy str array that also answers `.numpy()`, as the string tensors of TensorFlow
    code do (`text_batch.numpy()[0]`); everywhere else it is the plain array."""

    def numpy(self):
        """The values: a NumPy array, or `bytes`/`str` for a scalar (as a scalar string
        tensor's `.numpy()` gives)."""
        array = np.asarray(self)
        return array.item() if array.ndim == 0 else array


class Dataset:
    """An iterable pipeline of elements. Build one with `from_tensor_slices` /
    `from_tensors` / `range`, then chain `shuffle`, `batch`, `map`, `repeat`, `take` ..."""

    # Set on the result of `batch(drop_remainder=False)` / `padded_batch` and carried along
    # by the transformations that keep elements' shapes (`_derived`): the batch dimension
    # may vary (the last batch is smaller), so `element_spec` shows it as None.
    _batch_dim_unknown = False
    _output_signature = None  # `from_generator(output_signature=...)`

    def __init__(self, make_iterator, length: int = UNKNOWN):
        self._make_iterator = make_iterator
        self._length = length
        self._epoch_batches = None
        self._served = 0
        self._vmap_checked = False  # see `_vectorized_map_batches`

    # ------------------------------------------------------------ sources
    @classmethod
    def from_tensor_slices(cls, tensors) -> "Dataset":
        """One element per row of `tensors` (a structure of arrays with a common first dim)."""
        arrays = tree.map_structure(_leaf_to_array, _lists_as_arrays(tensors))
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

        dataset = cls(iterate, count)
        dataset._arrays = (arrays, count)
        return dataset

    @classmethod
    def from_tensors(cls, tensors) -> "Dataset":
        """A dataset of the single element `tensors`."""
        element = tree.map_structure(_leaf_to_array, _lists_as_arrays(tensors))
        return cls(lambda: iter([element]), 1)

    @classmethod
    def range(cls, *args) -> "Dataset":
        values = range(*args)
        return cls(lambda: (np.int64(v) for v in values), len(values))

    @classmethod
    def from_generator(
        cls, generator, output_types=None, output_shapes=None, args=None, output_signature=None
    ) -> "Dataset":
        dataset = cls(lambda: iter(generator(*(args or ()))), UNKNOWN)
        dataset._output_signature = output_signature
        return dataset

    @classmethod
    def zip(cls, *datasets) -> "Dataset":
        if len(datasets) == 1 and isinstance(datasets[0], (tuple, list)):
            datasets = tuple(datasets[0])
        lengths = [d._length for d in datasets]
        known = [n for n in lengths if n >= 0]
        return cls(lambda: zip(*(d._raw() for d in datasets)), min(known) if len(known) == len(lengths) else UNKNOWN)

    # ------------------------------------------------------------ conversion
    def _convert_leaf(self, value):
        """How one array leaf is handed out: numbers as CPU tensors (`fit` moves batches to
        its device; `.numpy()` works on them), strings as NumPy str arrays."""
        if isinstance(value, torch.Tensor):
            return value
        array = np.asarray(value)
        if array.dtype.kind in "USO":
            return array.view(StringArray)
        return torch.as_tensor(array if array.flags.writeable else array.copy())

    def _to_tensors(self, element):
        return tree.map_structure(
            lambda v: self._convert_leaf(v) if isinstance(v, (np.ndarray, np.generic, torch.Tensor)) else v, element
        )

    def _map_elements(self, function) -> "Dataset":
        """`function` on each raw element (NumPy in, NumPy out): the dataset utilities decode
        files this way, without converting to tensors and back."""
        source = self

        def iterate():
            for element in source._raw():
                yield function(element)

        return self._derived(iterate, self._length)

    # ------------------------------------------------------------ transformations
    def _raw(self):
        return self._make_iterator()

    def _derived(self, make_iterator, length: int) -> "Dataset":
        """A dataset made from this one whose elements keep this one's shapes."""
        derived = type(self)(make_iterator, length)
        derived._batch_dim_unknown = self._batch_dim_unknown
        return derived

    def shard(self, num_shards, index, name=None) -> "Dataset":
        """Every `num_shards`-th element, starting at element `index`."""
        num_shards, index = int(num_shards), int(index)
        if num_shards < 1:
            raise ValueError(f"`num_shards` of Dataset.shard must be at least 1, got {num_shards}.")
        if not 0 <= index < num_shards:
            raise ValueError(f"`index` of Dataset.shard must be in [0, num_shards={num_shards}), got {index}.")
        source = self

        def iterate():
            for position, element in enumerate(source._raw()):
                if position % num_shards == index:
                    yield element

        length = self._length
        if length >= 0:
            length = max(0, -(-(length - index) // num_shards))
        return self._derived(iterate, length)

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
        elif getattr(self, "_mapped_arrays", None) is not None:

            def iterate():
                yield from self._vectorized_map_batches(batch_size, drop_remainder)
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
        batched = type(self)(iterate, length)
        batched._batch_dim_unknown = not drop_remainder
        return batched

    def padded_batch(
        self, batch_size: int, padded_shapes=None, padding_values=None, drop_remainder: bool = False, name=None
    ) -> "Dataset":
        """Batches whose elements are padded (at the end of each axis) to a common shape: the
        longest in the batch, or `padded_shapes` where given (None entries: the longest)."""
        source = self

        def pad_batch(rows, shapes, values):
            first = rows[0]
            if isinstance(first, dict):
                return type(first)(
                    (k, pad_batch([r[k] for r in rows], _part(shapes, k), _part(values, k))) for k in first
                )
            if isinstance(first, (tuple, list)):
                return type(first)(
                    pad_batch([r[i] for r in rows], _part(shapes, i), _part(values, i)) for i in range(len(first))
                )
            arrays = [np.asarray(v.detach().cpu() if isinstance(v, torch.Tensor) else v) for v in rows]
            longest = np.max([a.shape for a in arrays], axis=0) if arrays[0].ndim else ()
            if hasattr(shapes, "as_list"):
                shapes = shapes.as_list()
            target = [
                int(longest[i]) if shapes is None or shapes[i] is None or int(shapes[i]) < 0 else int(shapes[i])
                for i in range(arrays[0].ndim)
            ]
            value = values
            if value is None:
                value = b"" if arrays[0].dtype.kind == "S" else ("" if arrays[0].dtype.kind == "U" else 0)
            elif isinstance(value, torch.Tensor):
                value = value.item()
            return np.stack([_pad_to(a, target, value) for a in arrays])

        def iterate():
            pending = []
            for element in source._raw():
                pending.append(element)
                if len(pending) == batch_size:
                    yield pad_batch(pending, padded_shapes, padding_values)
                    pending = []
            if pending and not drop_remainder:
                yield pad_batch(pending, padded_shapes, padding_values)

        length = self._length
        if length >= 0:
            length = length // batch_size if drop_remainder else math.ceil(length / batch_size)
        batched = type(self)(iterate, length)
        batched._batch_dim_unknown = not drop_remainder
        return batched

    def flat_map(self, map_func) -> "Dataset":
        """`map_func` turns each element into a dataset; their elements follow one another."""
        source = self

        def iterate():
            for element in source._raw():
                element = self._to_tensors(element)
                inner = map_func(*element) if isinstance(element, tuple) else map_func(element)
                yield from inner._raw()

        return type(self)(iterate, UNKNOWN)

    def interleave(
        self, map_func, cycle_length=None, block_length=1, num_parallel_calls=None, deterministic=None, name=None
    ) -> "Dataset":
        """Elements of the datasets `map_func` makes, `block_length` at a time from each of
        `cycle_length` open ones in turn (TensorFlow's order)."""
        source = self
        cycle = None if cycle_length in (None, AUTOTUNE) else int(cycle_length)
        block = int(block_length or 1)

        def iterate():
            sources = iter(source._raw())
            open_iterators = []
            exhausted = False
            while True:
                while not exhausted and (cycle is None or len(open_iterators) < cycle):
                    try:
                        element = self._to_tensors(next(sources))
                    except StopIteration:
                        exhausted = True
                        break
                    inner = map_func(*element) if isinstance(element, tuple) else map_func(element)
                    open_iterators.append(iter(inner._raw()))
                if not open_iterators:
                    return
                for iterator in list(open_iterators):
                    for _ in range(block):
                        try:
                            yield next(iterator)
                        except StopIteration:
                            open_iterators.remove(iterator)
                            break

        return type(self)(iterate, UNKNOWN)

    def enumerate(self, start: int = 0) -> "Dataset":
        source = self

        def iterate():
            for index, element in enumerate(source._raw(), start):
                yield (np.int64(index), element)

        return self._derived(iterate, self._length)

    def reduce(self, initial_state, reduce_func):
        """`reduce_func(state, element)` folded over the dataset, from `initial_state`."""
        state = initial_state
        for element in self:
            state = reduce_func(state, element)
        return state

    def apply(self, transformation_func) -> "Dataset":
        return transformation_func(self)

    def shuffle(self, buffer_size: int, seed=None, reshuffle_each_iteration=True) -> "Dataset":
        """Elements in a random order (a full shuffle when the buffer holds them all)."""
        source = self
        generator = torch.Generator()
        # Without a seed, the order still follows the global seed (`keras.utils.set_random_seed`,
        # `tf.random.set_seed`): two seeded runs shuffle alike, as in TensorFlow.
        generator.manual_seed(int(seed) if seed is not None else int(torch.randint(0, 2**62, ())))
        if getattr(self, "_arrays", None) is not None and buffer_size >= self._arrays[1]:
            arrays, count = self._arrays

            def iterate_all():
                order = torch.randperm(count, generator=generator).numpy()
                for index in order:
                    yield tree.map_structure(lambda a: a[index], arrays)

            shuffled = type(self)(iterate_all, count)
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

        return self._derived(iterate, self._length)

    def map(self, map_func, num_parallel_calls=None, deterministic=None) -> "Dataset":
        """`map_func` applied to each element (tuples are passed as separate arguments)."""
        source = self

        def iterate():
            for element in source._raw():
                element = self._to_tensors(element)
                yield map_func(*element) if isinstance(element, tuple) else map_func(element)

        mapped = self._derived(iterate, self._length)
        if getattr(self, "_arrays", None) is not None:
            # `from_tensor_slices(...).map(f)`: a following `batch` may run `f` once per batch.
            mapped._mapped_arrays = (self, map_func)
        return mapped

    def _vectorized_map_batches(self, batch_size: int, drop_remainder: bool):
        """The batches of `from_tensor_slices(arrays).map(f).batch(batch_size)` with `f` run
        under `torch.func.vmap` on many rows at once (per row, as tf.data maps, but in one
        pass of torch ops per `_VMAP_ROWS` rows): a Python call per row, or even one vmap
        call per batch, would cost a good part of the training step it feeds.

        The first batch is also mapped row by row; `vmap` serves only if it gave exactly the
        rows' results (same structure, dtypes and values). A function `vmap` cannot run
        (random ops, branches on values, NumPy, strings) or that gives other results keeps
        the per-row path for every batch.
        """
        source, map_func = self._mapped_arrays
        arrays, count = source._arrays
        stop = count - count % batch_size if drop_remainder else count

        def apply(element):
            element = source._to_tensors(element)
            return map_func(*element) if isinstance(element, tuple) else map_func(element)

        def rows_of(start, end):
            return tree.map_structure(lambda a: a[start:end], arrays)

        def per_row(start, end):
            rows = rows_of(start, end)
            return _stack([apply(tree.map_structure(lambda a: a[i], rows)) for i in range(end - start)])

        if stop <= 0:
            return
        rows_per_call = max(1, _VMAP_ROWS // batch_size) * batch_size
        checked = self._vmap_checked  # later passes over the same data and function skip the check
        first = None if checked else per_row(0, min(batch_size, stop))
        for chunk_start in range(0, stop, rows_per_call):
            chunk_end = min(chunk_start + rows_per_call, stop)
            mapped = _vmapped(apply, rows_of(chunk_start, chunk_end))
            if first is not None and chunk_start == 0:
                if mapped is None or not _same(_rows(mapped, 0, len_of(first)), first):
                    yield first  # vmap cannot serve: every batch row by row
                    for start in range(batch_size, stop, batch_size):
                        yield per_row(start, min(start + batch_size, stop))
                    return
                self._vmap_checked = True
            for start in range(chunk_start, chunk_end, batch_size):
                end = min(start + batch_size, chunk_end)
                yield _rows(mapped, start - chunk_start, end - chunk_start)

    def filter(self, predicate) -> "Dataset":
        source = self

        def iterate():
            for element in source._raw():
                tensors = self._to_tensors(element)
                if bool(predicate(*tensors) if isinstance(tensors, tuple) else predicate(tensors)):
                    yield element

        return self._derived(iterate, UNKNOWN)

    def repeat(self, count=None) -> "Dataset":
        source = self

        def iterate():
            n = 0
            while count is None or count < 0 or n < count:
                yield from source._raw()
                n += 1

        forever = count is None or count < 0
        return self._derived(iterate, INFINITE if forever else (self._length * count if self._length >= 0 else UNKNOWN))

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
        return self._derived(iterate, length)

    def skip(self, count: int) -> "Dataset":
        source = self

        def iterate():
            for index, element in enumerate(source._raw()):
                if index >= count:
                    yield element

        return self._derived(iterate, max(self._length - count, 0) if self._length >= 0 else self._length)

    def concatenate(self, other: "Dataset") -> "Dataset":
        source = self

        def iterate():
            yield from source._raw()
            yield from other._raw()

        both = self._length + other._length if self._length >= 0 and other._length >= 0 else UNKNOWN
        return self._derived(iterate, both)

    def unbatch(self) -> "Dataset":
        source = self

        def iterate():
            for element in source._raw():
                count = len(tree.flatten(element)[0])
                for index in range(count):
                    yield tree.map_structure(lambda a: a[index], element)

        return type(self)(iterate, UNKNOWN)

    def prefetch(self, buffer_size=None) -> "Dataset":
        return self

    def cache(self, filename="") -> "Dataset":
        """Elements kept in memory after the first full pass (`filename` is ignored)."""
        source = self
        stored = []
        complete = []

        def iterate():
            if complete:
                yield from stored
                return
            stored.clear()
            for element in source._raw():
                stored.append(element)
                yield element
            complete.append(True)

        return self._derived(iterate, self._length)

    def with_options(self, options) -> "Dataset":
        return self

    # ------------------------------------------------------------ reading
    def __iter__(self):
        for element in self._raw():
            yield self._to_tensors(element)

    def as_numpy_iterator(self):
        """The elements as NumPy arrays: an iterator with TensorFlow's `.next()` too
        (`image_batch, label_batch = ds.as_numpy_iterator().next()`)."""
        return _NumpyIterator(
            tree.map_structure(
                lambda v: v.detach().cpu().numpy() if isinstance(v, torch.Tensor) else np.asarray(v), element
            )
            for element in self._raw()
        )

    def cardinality(self) -> int:
        return self._length

    @property
    def element_spec(self):
        """The structure of `TensorSpec`s of one element, as TensorFlow prints it
        (`(TensorSpec(shape=(None, 3), dtype=tf.float32, name=None), ...)`). Read from the
        first element (TensorFlow infers it without running the pipeline); a batch
        dimension that may vary (`batch` without `drop_remainder`) is None."""
        if self._output_signature is not None:
            return self._output_signature
        try:
            first = next(iter(self._raw()))
        except StopIteration:
            raise ValueError("The `element_spec` of an empty dataset cannot be read from its elements.") from None
        return tree.map_structure(self._spec_of_leaf, first)

    def _spec_of_leaf(self, value):
        if isinstance(value, torch.Tensor):
            shape, dtype = tuple(value.shape), str(value.dtype).replace("torch.", "")
        else:
            array = np.asarray(value)
            shape = array.shape
            dtype = "string" if array.dtype.kind in "USO" else str(_leaf_to_array(value).dtype)
        if self._batch_dim_unknown and shape:
            shape = (None, *shape[1:])
        return _tensor_spec_type(shape, dtype)

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


class _NumpyIterator:
    """What `Dataset.as_numpy_iterator()` returns: a Python iterator that also answers
    `.next()`, as TensorFlow's does."""

    def __init__(self, elements):
        self._elements = iter(elements)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._elements)

    def next(self):
        return next(self._elements)
