"""`tf.data`: the `Dataset` pipeline tutorials build (`from_tensor_slices(...).shuffle(...)
.batch(...)`), iterated eagerly in Python.

The pipeline itself lives in `keraslite/utils/dataset.py` (the dataset utilities of
`keras.utils` return it too); here its numeric leaves become the shim's eager tensors on the
default device. For heavy input pipelines use `torch.utils.data.DataLoader`, which `fit()`
also takes.
"""

from __future__ import annotations

import collections
import csv
import glob as _glob
import gzip
import io
import zlib

import numpy as np
import torch

from keraslite.compat.tensorflow.eager import wrap
from keraslite.compat.tensorflow.function import TensorSpec
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.ops.dispatch import to_tensor
from keraslite.utils import dataset as _dataset

AUTOTUNE = _dataset.AUTOTUNE
INFINITE = _dataset.INFINITE
UNKNOWN = _dataset.UNKNOWN
INFINITE_CARDINALITY = INFINITE  # tf.data.INFINITE_CARDINALITY
UNKNOWN_CARDINALITY = UNKNOWN
__getattr__ = module_getattr("tf.data")
_dataset.set_tensor_spec_type(TensorSpec)  # `element_spec` prints `tf.TensorSpec`s


class Dataset(_dataset.Dataset):
    """An iterable pipeline of elements. Build one with `from_tensor_slices` /
    `from_tensors` / `range`, then chain `shuffle`, `batch`, `map`, `repeat`, `take` ..."""

    def _convert_leaf(self, value):
        if isinstance(value, (np.ndarray, np.generic)) and np.asarray(value).dtype.kind in "USO":
            return super()._convert_leaf(value)
        return wrap(to_tensor(value))

    def cardinality(self):
        """The number of elements as an int64 scalar tensor (`INFINITE` -1, `UNKNOWN` -2)."""
        return wrap(torch.tensor(self._length, dtype=torch.int64))


class Options:
    """Accepted for compatibility (`dataset.with_options(options)` is a no-op)."""


def _filenames(filenames) -> list:
    if isinstance(filenames, _dataset.Dataset):
        return [_as_str(f) for f in filenames]
    if isinstance(filenames, (str, bytes)) or np.ndim(filenames) == 0:
        return [_as_str(filenames)]
    return [_as_str(f) for f in filenames]


def _as_str(value) -> str:
    if isinstance(value, torch.Tensor):
        value = value.item()
    value = np.asarray(value).item() if isinstance(value, np.ndarray) else value
    return value.decode() if isinstance(value, bytes) else str(value)


def _open_text(path: str, compression_type=None):
    """A text file, gunzipped (`"GZIP"`) or inflated (`"ZLIB"`) as TensorFlow reads it."""
    with open(path, "rb") as handle:
        raw = handle.read()
    if compression_type == "GZIP":
        raw = gzip.decompress(raw)
    elif compression_type == "ZLIB":
        raw = zlib.decompress(raw)
    return raw


def TextLineDataset(filenames, compression_type=None, buffer_size=None, num_parallel_reads=None, name=None):  # noqa: N802
    """`tf.data.TextLineDataset`: one string element per line of each file (line breaks
    removed), in file order."""
    paths = _filenames(filenames)

    def iterate():
        for path in paths:
            for line in _open_text(path, compression_type).splitlines():
                yield np.asarray(line.rstrip(b"\r"))

    return Dataset(iterate, _dataset.UNKNOWN)


def _list_files(file_pattern, shuffle=None, seed=None, name=None) -> "Dataset":
    """`Dataset.list_files`: the files matching the glob pattern(s), shuffled unless
    `shuffle=False`."""
    patterns = _filenames(file_pattern)
    paths = sorted({p for pattern in patterns for p in _glob.glob(pattern)})
    if not paths:
        raise ValueError(f"No files matched pattern: {', '.join(patterns)}")
    dataset = Dataset.from_tensor_slices(np.asarray([p.encode() for p in paths]))
    if shuffle is None or shuffle:
        dataset = dataset.shuffle(len(paths), seed=seed)
    return dataset


Dataset.list_files = staticmethod(_list_files)


def _parse_field(text: str, default, dtype):
    if text == "" or text is None:
        if default is None or (isinstance(default, (list, tuple)) and not default):
            raise ValueError("A required field is missing in a CSV row (its record default is empty).")
        return default
    if dtype.kind == "f":
        return float(text)
    if dtype.kind in "iu":
        return int(float(text))
    return text.encode()


def _default_dtype(default):
    """The dtype a CsvDataset column takes from its record default (a value, a one-element
    list, or a dtype)."""
    if isinstance(default, (list, tuple)):
        default = default[0] if default else None
    if isinstance(default, torch.Tensor):
        default = default.item()
    if default is None:
        return np.dtype("float32"), None
    if hasattr(default, "as_numpy_dtype"):  # tf.int32, tf.string ...: a required column
        return np.dtype(default.as_numpy_dtype if default.name != "string" else "S"), None
    if isinstance(default, (float, np.floating)):
        return np.dtype("float32"), float(default)
    if isinstance(default, (bool, np.bool_)):
        return np.dtype("bool"), bool(default)
    if isinstance(default, (int, np.integer)):
        return np.dtype("int32"), int(default)
    if isinstance(default, (str, bytes)):
        return np.dtype("S"), default.encode() if isinstance(default, str) else default
    dtype = np.dtype(str(getattr(default, "name", default)).replace("tf.", "").replace("string", "S"))
    return dtype, None


def CsvDataset(  # noqa: N802
    filenames,
    record_defaults,
    compression_type=None,
    buffer_size=None,
    header=False,
    field_delim=",",
    use_quote_delim=True,
    na_value="",
    select_cols=None,
    exclude_cols=None,
    name=None,
):
    """`tf.data.experimental.CsvDataset`: one tuple of scalars per CSV row; each column's
    dtype and missing value come from `record_defaults`."""
    paths = _filenames(filenames)
    columns = [_default_dtype(d) for d in record_defaults]

    def iterate():
        for path in paths:
            text = _open_text(path, compression_type).decode("utf-8")
            reader = csv.reader(
                io.StringIO(text),
                delimiter=field_delim,
                quoting=csv.QUOTE_MINIMAL if use_quote_delim else csv.QUOTE_NONE,
            )
            for index, row in enumerate(reader):
                if (header and index == 0) or not row:
                    continue
                if select_cols is not None:
                    row = [row[i] for i in select_cols]
                elif exclude_cols is not None:
                    row = [v for i, v in enumerate(row) if i not in set(exclude_cols)]
                values = []
                for (dtype, default), field in zip(columns, row):
                    field = "" if field == na_value else field
                    value = _parse_field(field, default, dtype)
                    values.append(np.asarray(value, dtype=dtype if dtype.kind != "S" else None))
                yield tuple(values)

    return Dataset(iterate, _dataset.UNKNOWN)


def _infer_column(values):
    """int32, then float32, else string: the type `make_csv_dataset` infers for a column."""
    present = [v for v in values if v != ""]
    for kind, parse in (("int32", int), ("float32", float)):
        try:
            for v in present:
                parse(v)
            return np.dtype(kind)
        except ValueError:
            continue
    return np.dtype("S")


def make_csv_dataset(
    file_pattern,
    batch_size,
    column_names=None,
    column_defaults=None,
    label_name=None,
    select_columns=None,
    field_delim=",",
    use_quote_delim=True,
    na_value="",
    header=True,
    num_epochs=None,
    shuffle=True,
    shuffle_buffer_size=10000,
    shuffle_seed=None,
    prefetch_buffer_size=None,
    num_parallel_reads=None,
    sloppy=False,
    num_rows_for_inference=100,
    compression_type=None,
    ignore_errors=False,
    encoding="utf-8",
):
    """`tf.data.experimental.make_csv_dataset`: batches of `(features, label)` — features an
    ordered dict of column tensors (types inferred: int32, float32 or string) — read from
    the CSV files, shuffled, repeated `num_epochs` times (None: forever)."""
    rows, names = [], None
    for path in _filenames(file_pattern) if not isinstance(file_pattern, str) else sorted(_glob.glob(file_pattern)):
        text = _open_text(path, compression_type).decode(encoding)
        reader = list(csv.reader(io.StringIO(text), delimiter=field_delim))
        file_names = reader[0] if header else None
        names = names or list(column_names or file_names or [f"column_{i}" for i in range(len(reader[0]))])
        rows.extend(row for row in (reader[1:] if header else reader) if row)
    if not rows:
        raise ValueError(f"No CSV rows found for {file_pattern!r}.")
    keep = [n for n in names if select_columns is None or n in select_columns or n == label_name]
    # `column_defaults` has one entry per selected column (per column when none are selected).
    defaults = dict(zip(keep if select_columns is not None else names, column_defaults or []))
    columns = {}
    for position, column in enumerate(names):
        if column not in keep:
            continue
        raw = [("" if position >= len(row) or row[position] == na_value else row[position]) for row in rows]
        default = defaults.get(column)
        dtype = _default_dtype(default)[0] if default is not None else _infer_column(raw[:num_rows_for_inference])
        fill = _default_dtype(default)[1] if default is not None else (b"" if dtype.kind == "S" else 0)
        columns[column] = np.asarray(
            [fill if v == "" else (v.encode() if dtype.kind == "S" else float(v)) for v in raw],
            dtype=dtype if dtype.kind != "S" else None,
        )
    if label_name is not None and label_name not in columns:
        raise ValueError(f"`label_name` {label_name!r} is not one of the CSV columns: {names}")
    features = collections.OrderedDict((k, v) for k, v in columns.items() if k != label_name)
    element = (features, columns[label_name]) if label_name is not None else features
    dataset = Dataset.from_tensor_slices(element)
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer_size, seed=shuffle_seed)
    dataset = dataset.repeat(num_epochs)
    return dataset.batch(batch_size)


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False):
    """Elements drawn at random from `datasets` (with probabilities `weights`) until one
    runs out (`stop_on_empty_dataset`) or all do."""
    probabilities = (
        np.ones(len(datasets))
        if weights is None
        else np.asarray([float(w) for w in (weights.tolist() if isinstance(weights, torch.Tensor) else weights)])
    )
    generator = np.random.default_rng(seed if seed is not None else int(torch.randint(0, 2**62, ())))

    def iterate():
        iterators = [iter(d._raw()) for d in datasets]
        live = probabilities / probabilities.sum()
        active = list(range(len(iterators)))
        while active:
            weights_now = live[active] / live[active].sum()
            index = active[int(generator.choice(len(active), p=weights_now))]
            try:
                yield next(iterators[index])
            except StopIteration:
                if stop_on_empty_dataset:
                    return
                active.remove(index)

    return Dataset(iterate, _dataset.UNKNOWN)


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True):
    """Elements taken from `datasets[i]` for each index `i` of `choice_dataset`."""

    def iterate():
        iterators = [iter(d._raw()) for d in datasets]
        for choice in choice_dataset:
            try:
                yield next(iterators[int(choice)])
            except StopIteration:
                if stop_on_empty_dataset:
                    return

    return Dataset(iterate, _dataset.UNKNOWN)


Dataset.sample_from_datasets = staticmethod(sample_from_datasets)
Dataset.choose_from_datasets = staticmethod(choose_from_datasets)


def _cardinality(dataset):
    return wrap(torch.tensor(dataset._length, dtype=torch.int64))


experimental = type(
    "experimental",
    (),
    {
        "AUTOTUNE": AUTOTUNE,
        "INFINITE_CARDINALITY": INFINITE,
        "UNKNOWN_CARDINALITY": UNKNOWN,
        "CsvDataset": staticmethod(CsvDataset),
        "make_csv_dataset": staticmethod(make_csv_dataset),
        "cardinality": staticmethod(_cardinality),
        "sample_from_datasets": staticmethod(sample_from_datasets),
        "choose_from_datasets": staticmethod(choose_from_datasets),
    },
)
