"""Data adapters: everything `fit/evaluate/predict` accept, as batches of flat tensor lists.

A batch is `(x, y, sample_weight)`: `x` a list in model-input order, `y` and
`sample_weight` lists in model-output order (or None). In-memory data (NumPy arrays,
lists/dicts of them, torch tensors) is converted to tensors once and sliced on the
device per batch: no per-batch DataLoader, no per-batch NumPy work.
"""

from __future__ import annotations

import math
import types
import warnings

import numpy as np
import torch

from keraslite.backend import state, tree
from keraslite.layers.layer_inputs import match_input_rank, select_by_input_name
from keraslite.metrics.accuracy_metrics import class_indices
from keraslite.utils.dataset import INFINITE, Dataset


def is_array(value) -> bool:
    return isinstance(value, (np.ndarray, torch.Tensor)) or type(value).__module__.startswith("pandas")


def _to_tensor(value, dtype: torch.dtype | str | None = None, device=None) -> torch.Tensor:
    if dtype == "string":
        # A text input of the model: its values stay a NumPy array of str.
        array = np.asarray(value)
        if array.dtype.kind not in "USO":
            raise TypeError(f"Expected text for a string input, received data of dtype {array.dtype}.")
        return array.astype(str) if array.dtype.kind == "S" else array
    if isinstance(value, torch.Tensor):
        tensor = value.detach()
    else:
        if hasattr(value, "to_numpy"):
            value = value.to_numpy()
        array = np.asarray(value)
        if array.dtype == object:
            raise TypeError(
                "Failed to convert data of dtype object to a tensor (only numeric arrays are supported). "
                f"Received: {array!r:.200}"
            )
        if array.dtype.kind == "U" or array.dtype.kind == "S":
            if dtype is None:
                # Text for a model whose inputs are not declared (subclassed, or a Sequential
                # starting with DenseFeatures / TextVectorization): it stays NumPy.
                return array.astype(str) if array.dtype.kind == "S" else array
            raise TypeError(
                f"Failed to convert data of string dtype {array.dtype} to a tensor. Received: {array!r:.200}"
            )
        tensor = torch.from_numpy(np.ascontiguousarray(array))
    if dtype is not None and tensor.dtype != dtype:
        tensor = tensor.to(dtype)
    elif dtype is None and tensor.dtype == torch.float64:
        tensor = tensor.to(getattr(torch, state.floatx()))  # Keras casts float data to floatx
    if device is not None and tensor.device != device:
        tensor = tensor.to(device, non_blocking=True)
    return tensor


def unpack_x_y_sample_weight(data):
    """`(x,)`, `(x, y)` or `(x, y, sample_weight)` -> the three (missing ones None)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(
        f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, found: {data!r:.300}"
    )


class Structure:
    """Maps user structures of inputs/targets to flat lists in model order.

    With the model's input shapes, inputs whose rank differs from an input's by a trailing
    axis of size 1 take the input's rank (`layer_inputs.match_input_rank`, as a model call does).
    `warn_unknown_keys`: whether a dict `x` with keys that name no model input warns (they
    are ignored either way). Keras warns unless the model's inputs are a list, whose
    inputs it picks out of a dict by name silently.
    """

    def __init__(
        self,
        input_names: list[str] | None,
        output_names: list[str],
        input_dtypes=None,
        input_shapes=None,
        warn_unknown_keys=True,
    ):
        self.input_names = input_names
        self.output_names = output_names
        self.input_dtypes = input_dtypes
        self.input_shapes = input_shapes
        self.x_template = None
        self.warn_unknown_keys = warn_unknown_keys

    def flat_x(self, x) -> list:
        names = self.input_names
        if names is None:
            # A subclassed model receives `x` as given: keep its structure to rebuild it.
            if self.x_template is None:
                self.x_template = tree.map_structure(lambda _: None, x) if isinstance(x, (list, tuple, dict)) else None
            return tree.flatten(x) if isinstance(x, (list, tuple, dict)) else [x]
        if isinstance(x, dict):
            if self.warn_unknown_keys:
                self._warn_unknown_keys(x, names)
            return select_by_input_name(x, names, "Data `x`")
        if isinstance(x, (list, tuple)) and not (
            len(names) == 1 and len(x) and not is_array(x[0]) and not isinstance(x[0], (list, tuple))
        ):
            if len(x) != len(names):
                raise ValueError(
                    f"The model expects {len(names)} input array(s) {names}, but received {len(x)} arrays in `x`."
                )
            return list(x)
        if len(names) > 1:
            raise ValueError(f"The model expects {len(names)} inputs {names}, but received a single array as `x`.")
        return [x]

    def _warn_unknown_keys(self, x: dict, names: list[str]) -> None:
        unknown = [key for key in x if key not in names]
        if not unknown:
            return
        self.warn_unknown_keys = False  # once per call of fit/evaluate/predict, not per batch
        warnings.warn(
            "The structure of `inputs` doesn't match the expected structure: the data `x` has key(s) "
            f"{unknown} that name no input of the model; they are ignored.\n"
            f"Expected: inputs {names}\n"
            f"Received: inputs with keys {list(x)}",
            stacklevel=2,
        )

    def pack_x(self, flat: list):
        """The structure a subclassed model's `call` receives."""
        if self.x_template is None:
            return flat[0]
        return tree.pack_sequence_as(self.x_template, flat)

    def flat_y(self, y, argument: str = "y") -> list | None:
        if y is None:
            return None
        names = self.output_names
        if names is None:
            return (
                list(y.values())
                if isinstance(y, dict)
                else list(y)
                if isinstance(y, (list, tuple)) and not is_array(y) and len(y) and is_array(y[0])
                else [y]
            )
        if isinstance(y, dict):
            unknown = [k for k in y if k not in names]
            if unknown:
                raise ValueError(f"Found unexpected key(s) {unknown} in `{argument}`: the model's outputs are {names}.")
            return [y.get(n) for n in names]
        if isinstance(y, (list, tuple)) and len(names) == 1 and len(y) == 1 and is_array(y[0]):
            return [y[0]]
        if isinstance(y, (list, tuple)) and len(names) > 1:
            if len(y) != len(names):
                raise ValueError(f"The model has {len(names)} outputs {names}, but `{argument}` holds {len(y)} arrays.")
            return list(y)
        if len(names) > 1 and argument == "sample_weight":
            return [y] * len(names)  # one weight array for every output
        return [y]

    def convert_x(self, flat, device) -> list:
        dtypes = self.input_dtypes or [None] * len(flat)
        tensors = [_to_tensor(v, d, device) for v, d in zip(flat, dtypes)]
        if self.input_shapes is not None:
            tensors = [match_input_rank(t, shape) for t, shape in zip(tensors, self.input_shapes)]
        return tensors


def class_weight_to_sample_weight(y: torch.Tensor, class_weight: dict) -> torch.Tensor:
    size = int(max(class_weight)) + 1
    table = torch.ones(size, dtype=torch.float32, device=y.device)
    for label, weight in class_weight.items():
        table[int(label)] = float(weight)
    labels = (
        class_indices(y)
        if y.ndim > 1 and y.shape[-1] > 1
        else torch.round(y.reshape(y.shape[0], -1)[:, 0].float()).long()
    )
    return table[labels.long()]


class ArrayDataAdapter:
    """In-memory arrays; batches are slices (or, when shuffled, gathers) on the device."""

    # Set (by training/distributed.py) in a multi-process DataParallel run: this process
    # then yields its part of each global batch.
    data_parallel = None

    def __init__(
        self,
        x,
        y,
        sample_weight,
        structure: Structure,
        batch_size,
        steps=None,
        shuffle=False,
        class_weight=None,
        device=None,
    ):
        self.device = device or state.get_device()
        self.structure = structure
        self.x = structure.convert_x(structure.flat_x(x), None)
        flat_y = structure.flat_y(y)
        self.y = None if flat_y is None else [None if v is None else _to_tensor(v) for v in flat_y]
        flat_sw = structure.flat_y(sample_weight, "sample_weight")
        self.sample_weight = (
            None if flat_sw is None else [None if v is None else _to_tensor(v, torch.float32) for v in flat_sw]
        )
        sizes = {
            "x": [int(t.shape[0]) for t in self.x],
            "y": [int(t.shape[0]) for t in (self.y or []) if t is not None],
            "sample_weight": [int(t.shape[0]) for t in (self.sample_weight or []) if t is not None],
        }
        all_sizes = {s for v in sizes.values() for s in v}
        if len(all_sizes) > 1:
            detail = "\n".join(f"'{k}' sizes: {', '.join(map(str, v))}" for k, v in sizes.items() if v)
            raise ValueError(
                f"Data cardinality is ambiguous. Make sure all arrays contain the same number of samples.\n{detail}"
            )
        self.num_samples = all_sizes.pop() if all_sizes else 0
        if class_weight is not None:
            if self.y is None or len(self.y) != 1:
                raise ValueError(
                    "`class_weight` is only supported for models with a single output and when targets `y` are given."
                )
            cw = class_weight_to_sample_weight(self.y[0], class_weight)
            if self.sample_weight is not None and self.sample_weight[0] is not None:
                cw = cw * self.sample_weight[0].reshape(cw.shape[0], -1)[:, 0]
            self.sample_weight = [cw]
        self._move_to_device()
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.requested_steps = steps  # `steps_per_epoch`: kept when `validation_split` cuts the data
        self.num_batches = (
            steps if steps is not None else max(1, math.ceil(self.num_samples / batch_size)) if self.num_samples else 0
        )

    def _move_to_device(self):
        tensors = [t for t in self.x + (self.y or []) + (self.sample_weight or []) if isinstance(t, torch.Tensor)]
        if self.device.type == "cpu":
            return
        total = sum(t.numel() * t.element_size() for t in tensors)
        # Small datasets live on the accelerator (slicing there is free); large ones stay
        # in pinned host memory and each batch is copied asynchronously.
        keep_on_device = total < 2 * 1024**3

        def move(t):
            if not isinstance(t, torch.Tensor):  # None, or text (a NumPy array of str)
                return t
            return t.to(self.device) if keep_on_device else t.pin_memory()

        self.x = [move(t) for t in self.x]
        self.y = None if self.y is None else [move(t) for t in self.y]
        self.sample_weight = None if self.sample_weight is None else [move(t) for t in self.sample_weight]

    def _take(self, tensors, index):
        if tensors is None:
            return None
        out = []
        for t in tensors:
            if t is None:
                out.append(None)
                continue
            if isinstance(t, np.ndarray):  # text stays on the host, as NumPy
                out.append(t[index] if isinstance(index, slice) else t[index.cpu().numpy()])
                continue
            part = t[index] if isinstance(index, slice) else t.index_select(0, index)
            if part.device != self.device:
                part = part.to(self.device, non_blocking=True)
            out.append(part)
        return out

    def batches(self):
        if self.data_parallel is not None:
            yield from self.data_parallel.array_batches(self)
            return
        n, size = self.num_samples, self.batch_size
        order = None
        if self.shuffle == "batch":
            batch_order = torch.randperm(math.ceil(n / size)).tolist()
        elif self.shuffle:
            order = torch.randperm(n, device=next((t.device for t in self.x if isinstance(t, torch.Tensor)), None))
        steps_per_pass = math.ceil(n / size)
        for step in range(self.num_batches):
            position = step % steps_per_pass
            if self.shuffle == "batch":
                position = batch_order[position]
            start, stop = position * size, min(n, (position + 1) * size)
            index = slice(start, stop) if order is None else order[start:stop]
            yield self._take(self.x, index), self._take(self.y, index), self._take(self.sample_weight, index)

    def split(self, validation_split: float):
        """(train, validation) adapters: validation takes the LAST fraction, before any shuffling."""
        split_at = int(math.floor(self.num_samples * (1.0 - validation_split)))
        if split_at == 0 or split_at == self.num_samples:
            raise ValueError(
                f"Training data contains {self.num_samples} samples, which is not sufficient to split it into a "
                f"validation and training set as specified by `validation_split={validation_split}`. Either provide "
                "more data, or a different value for the `validation_split` argument."
            )
        val = object.__new__(ArrayDataAdapter)
        val.__dict__.update(self.__dict__)

        def cut(tensors, part):
            if tensors is None:
                return None
            return [None if t is None else (t[:split_at] if part == 0 else t[split_at:]) for t in tensors]

        val.x, val.y, val.sample_weight = cut(self.x, 1), cut(self.y, 1), cut(self.sample_weight, 1)
        val.num_samples = self.num_samples - split_at
        val.num_batches = math.ceil(val.num_samples / self.batch_size)
        val.shuffle = False
        val.requested_steps = None
        self.x, self.y, self.sample_weight = cut(self.x, 0), cut(self.y, 0), cut(self.sample_weight, 0)
        self.num_samples = split_at
        self.num_batches = (
            self.requested_steps if self.requested_steps is not None else math.ceil(split_at / self.batch_size)
        )
        return self, val

    def with_batch_size(self, batch_size: int, steps=None):
        val = object.__new__(ArrayDataAdapter)
        val.__dict__.update(self.__dict__)
        val.batch_size = batch_size
        val.shuffle = False
        val.num_batches = steps if steps is not None else math.ceil(self.num_samples / batch_size)
        return val

    def on_epoch_end(self):
        pass


class IterableDataAdapter:
    """Python generators/iterators, `torch.utils.data.DataLoader`, `keras.utils.PyDataset`:
    items are `x`, `(x, y)` or `(x, y, sample_weight)`, converted to tensors per batch."""

    data_parallel = None  # as ArrayDataAdapter's: each global batch is then sliced per process

    def __init__(self, data, structure: Structure, steps=None, shuffle=False, class_weight=None, device=None):
        self.data = data
        self.structure = structure
        self.device = device or state.get_device()
        self.class_weight = class_weight
        self.shuffle = shuffle
        self.is_py_dataset = (
            hasattr(data, "__getitem__")
            and hasattr(data, "__len__")
            and not isinstance(data, torch.utils.data.DataLoader)
            and _known_length(data)
        )
        self.is_generator = isinstance(data, (types.GeneratorType,)) or (
            hasattr(data, "__next__") and not self.is_py_dataset
        )
        # A tf.data-style dataset of infinite length (`.repeat()`): like a generator, one
        # iterator serves every epoch (`steps_per_epoch` says where an epoch ends).
        if isinstance(data, Dataset) and data.cardinality() == INFINITE:
            self.is_generator = True
        self._iterator = None
        self.requested_steps = steps
        if steps is not None:
            self.num_batches = steps
        elif self.is_py_dataset or isinstance(data, torch.utils.data.DataLoader):
            self.num_batches = len(data)
        else:
            self.num_batches = None  # unknown until the generator runs out
        self.exhausted = False

    def _items(self):
        if self.is_py_dataset:
            order = list(range(len(self.data)))
            if self.shuffle:
                order = torch.randperm(len(order)).tolist()
            while True:  # steps_per_epoch may ask for more batches than one pass holds
                for i in order:
                    yield self.data[i]
                if self.num_batches is None or self.num_batches <= len(order):
                    return
        if self.is_generator:
            # A generator is consumed across epochs: each epoch continues where the last stopped.
            if self._iterator is None:
                self._iterator = iter(self.data)
            while True:
                try:
                    yield next(self._iterator)
                except StopIteration:
                    self.exhausted = True
                    return
        yield from iter(self.data)

    def convert(self, item):
        x, y, sw = unpack_x_y_sample_weight(item)
        xs = self.structure.convert_x(self.structure.flat_x(x), self.device)
        ys = self.structure.flat_y(y)
        ys = None if ys is None else [None if v is None else _to_tensor(v, None, self.device) for v in ys]
        sws = self.structure.flat_y(sw, "sample_weight")
        sws = None if sws is None else [None if v is None else _to_tensor(v, torch.float32, self.device) for v in sws]
        if self.class_weight is not None and ys is not None:
            cw = class_weight_to_sample_weight(ys[0], self.class_weight)
            sws = [cw if sws is None or sws[0] is None else cw * sws[0]]
        return xs, ys, sws

    def batches(self):
        if self.is_py_dataset and hasattr(self.data, "on_epoch_begin"):
            # Keras calls it as each pass over the data (a fit epoch, an evaluate, a predict) starts.
            self.data.on_epoch_begin()
        count = 0
        convert = self.convert
        if self.data_parallel is not None:
            run, self.global_batch_sizes = self.data_parallel, []

            def convert(item):
                return run.slice_batch(self, self.convert(item))

        for item in self._items():
            if self.num_batches is not None and count >= self.num_batches:
                return
            yield convert(item)
            count += 1
        if self.num_batches is not None and count < self.num_batches and self.is_generator:
            warnings.warn(
                "Your input ran out of data; interrupting training. Make sure that your dataset or generator can "
                f"generate at least `steps_per_epoch * epochs` batches. Ran out after {count} batches this epoch.",
                stacklevel=4,
            )

    def on_epoch_end(self):
        if self.is_py_dataset and hasattr(self.data, "on_epoch_end"):
            self.data.on_epoch_end()


def _known_length(data) -> bool:
    try:
        len(data)
    except TypeError:  # a dataset of unknown or infinite length
        return False
    return True


def check_batch_size(value, argument: str = "batch_size") -> None:
    """Keras's rule: a batch size is a positive integer; `None` (and, as in Keras 3.15, `0`)
    means "not given". A negative one would silently drop samples from every pass."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(
            f"`{argument}` must be a positive integer (or None for the default of 32). Received: {argument}={value!r}"
        )


def _check_not_empty(adapter: ArrayDataAdapter) -> None:
    if adapter.num_samples == 0:
        shapes = [tuple(t.shape) for t in adapter.x if t is not None]
        raise ValueError(
            "The data `x` has no samples: there is nothing to train on, evaluate or predict. Expected: arrays with "
            f"at least one sample on their first axis. Received: x with 0 samples (shapes {shapes})"
        )


def get_data_adapter(
    x,
    y=None,
    sample_weight=None,
    *,
    structure: Structure,
    batch_size=None,
    steps=None,
    shuffle=False,
    class_weight=None,
    device=None,
):
    """Pick the adapter for `x` and check the arguments that go with it."""
    if x is None:
        raise ValueError("Expected `x` data, received `x=None`.")
    check_batch_size(batch_size)
    iterable = (
        isinstance(x, torch.utils.data.DataLoader)
        or isinstance(x, types.GeneratorType)
        or (
            hasattr(x, "__getitem__")
            and hasattr(x, "__len__")
            and type(x).__name__ not in ("list", "tuple", "dict")
            and not is_array(x)
        )
        or (hasattr(x, "__next__") and not is_array(x))
    )
    if iterable:
        for name, value in (("y", y), ("sample_weight", sample_weight)):
            if value is not None:
                raise ValueError(
                    f"`{name}` argument is not supported when using a dataset, generator or PyDataset as input "
                    f"(`x`): it must come from `x`. Received: {name}={type(value).__name__}"
                )
        adapter = IterableDataAdapter(
            x, structure, steps=steps, shuffle=shuffle, class_weight=class_weight, device=device
        )
        if (
            shuffle
            and not isinstance(x, Dataset)
            and (adapter.is_generator or isinstance(x, torch.utils.data.DataLoader))
        ):
            # Keras's rule: `batch_size` is ignored here silently (batches come from the data),
            # `shuffle=True` (fit's default) with a warning, as the order is the data's own.
            kind = "a generator" if adapter.is_generator else "a torch DataLoader"
            warnings.warn(
                f"`shuffle=True` was passed, but will be ignored since the data `x` was provided as {kind}, "
                "which is expected to yield already-shuffled data.",
                stacklevel=5,  # the user's `fit` call
            )
        if batch_size and not isinstance(x, Dataset):
            kind = "a generator" if adapter.is_generator else f"a {type(x).__name__}"
            # Keras ignores it silently; the data's own batching wins either way.
            warnings.warn(
                f"`batch_size={batch_size}` is ignored: the data `x` is {kind}, which makes its own batches. "
                "Set the batch size where the data is made (e.g. `DataLoader(..., batch_size=...)`).",
                stacklevel=5,
            )
        return adapter
    adapter = ArrayDataAdapter(
        x,
        y,
        sample_weight,
        structure,
        batch_size or 32,
        steps=steps,
        shuffle=shuffle,
        class_weight=class_weight,
        device=device,
    )
    _check_not_empty(adapter)
    return adapter
