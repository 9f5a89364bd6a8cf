"""The iterators `ImageDataGenerator` hands out (tf.keras 2's): `NumpyArrayIterator`
(`flow`), `DirectoryIterator` (`flow_from_directory`), `DataFrameIterator`
(`flow_from_dataframe`), on the `Iterator` base: each a `PyDataset` for `fit` and an
endless Python iterator. Each batch is loaded, then augmented and standardized by the
generator that made the iterator (`image.py`)."""

from __future__ import annotations

import os
import threading
import warnings

import numpy as np

from keraslite.backend import state
from keraslite.utils.image_utils import array_to_img, img_to_array, load_img
from keraslite.utils.py_dataset import PyDataset

_IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")
_CLASS_MODES = ("categorical", "binary", "sparse", "input", None)
_DATAFRAME_CLASS_MODES = ("binary", "categorical", "input", "multi_output", "raw", "sparse", None)


class Iterator(PyDataset):
    """Batches of `n` samples in (optionally shuffled, reshuffled each epoch) order: a
    `PyDataset` for `fit`, and an endless Python iterator (`next(iterator)`), as tf.keras 2's."""

    white_list_formats = _IMAGE_EXTENSIONS

    def __init__(self, n, batch_size, shuffle, seed):
        super().__init__()
        self.n = n
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def _set_index_array(self):
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = np.random.permutation(self.n)

    def __getitem__(self, idx):
        if idx >= len(self):
            raise ValueError(f"Asked to retrieve element {idx}, but the Sequence has length {len(self)}")
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        return self._get_batches_of_transformed_samples(
            self.index_array[self.batch_size * idx : self.batch_size * (idx + 1)]
        )

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self):
        self._set_index_array()

    def reset(self):
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            if self.n == 0:
                current_index = 0
            else:
                current_index = (self.batch_index * self.batch_size) % self.n
            if self.n > current_index + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current_index : current_index + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        with self.lock:
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def next(self):
        return self.__next__()

    def _get_batches_of_transformed_samples(self, index_array):
        raise NotImplementedError


class NumpyArrayIterator(Iterator):
    """`ImageDataGenerator.flow`'s batches: `(x, y)`, `(x, y, sample_weight)` or `x`."""

    def __init__(
        self,
        x,
        y,
        image_data_generator,
        batch_size=32,
        shuffle=False,
        sample_weight=None,
        seed=None,
        data_format=None,
        save_to_dir=None,
        save_prefix="",
        save_format="png",
        subset=None,
        ignore_class_split=False,
        dtype=None,
    ):
        dtype = dtype or state.floatx()
        extra = None
        if isinstance(x, (tuple, list)):
            if not isinstance(x[1], list):
                x_misc = [np.asarray(x[1])]
            else:
                x_misc = [np.asarray(xx) for xx in x[1]]
            x = x[0]
            extra = x_misc
        if y is not None and len(x) != len(y):
            raise ValueError(
                "`x` (images tensor) and `y` (labels) should have the same length. Found: "
                f"x.shape = {np.asarray(x).shape}, y.shape = {np.asarray(y).shape}"
            )
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError(
                "`x` (images tensor) and `sample_weight` should have the same length. Found: "
                f"x.shape = {np.asarray(x).shape}, sample_weight.shape = {np.asarray(sample_weight).shape}"
            )
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError(f'Invalid subset name: {subset}; expected "training" or "validation".')
            split_idx = int(len(x) * image_data_generator._validation_split)
            if (
                y is not None
                and not ignore_class_split
                and not np.array_equal(np.unique(np.asarray(y)[:split_idx]), np.unique(np.asarray(y)))
            ):
                raise ValueError(
                    "Training and validation subsets have different number of classes after the split. If your "
                    "numpy arrays are sorted by the label, you might want to shuffle them."
                )
            part = slice(None, split_idx) if subset == "validation" else slice(split_idx, None)
            x = np.asarray(x)[part]
            extra = None if extra is None else [m[part] for m in extra]
            y = None if y is None else np.asarray(y)[part]
            sample_weight = None if sample_weight is None else np.asarray(sample_weight)[part]
        self.x = np.asarray(x, dtype=dtype)
        self.x_misc = extra
        if self.x.ndim != 4:
            raise ValueError(
                f"Input data in `NumpyArrayIterator` should have rank 4. You passed an array with shape {self.x.shape}"
            )
        self.y = np.asarray(y) if y is not None else None
        self.sample_weight = np.asarray(sample_weight) if sample_weight is not None else None
        self.image_data_generator = image_data_generator
        self.data_format = data_format or state.image_data_format()
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.dtype = dtype
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        for i, j in enumerate(index_array):
            x = self.x[j]
            params = self.image_data_generator.get_random_transform(x.shape)
            x = self.image_data_generator.apply_transform(x.astype(self.dtype), params)
            batch_x[i] = self.image_data_generator.standardize(x)
        if self.save_to_dir:
            for i, j in enumerate(index_array):
                image = array_to_img(batch_x[i], self.data_format, scale=True)
                name = f"{self.save_prefix}_{j}_{np.random.randint(10000)}.{self.save_format}"
                image.save(os.path.join(self.save_to_dir, name))
        batch_x_misc = [m[index_array] for m in self.x_misc] if self.x_misc else []
        output = (batch_x if not batch_x_misc else [batch_x] + batch_x_misc,)
        if self.y is None:
            return output[0]
        output += (self.y[index_array],)
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output


class DirectoryIterator(Iterator):
    """`ImageDataGenerator.flow_from_directory`'s batches. Attributes as tf.keras 2's:
    `filenames` (relative to `directory`), `filepaths`, `classes` (the label of each file),
    `class_indices` (class name -> index), `num_classes`, `samples`."""

    def __init__(
        self,
        directory,
        image_data_generator,
        target_size=(256, 256),
        color_mode="rgb",
        classes=None,
        class_mode="categorical",
        batch_size=32,
        shuffle=True,
        seed=None,
        data_format=None,
        save_to_dir=None,
        save_prefix="",
        save_format="png",
        follow_links=False,
        subset=None,
        interpolation="nearest",
        keep_aspect_ratio=False,
        dtype=None,
    ):
        self._setup(
            image_data_generator,
            target_size,
            color_mode,
            class_mode,
            data_format,
            save_to_dir,
            save_prefix,
            save_format,
            interpolation,
            keep_aspect_ratio,
            dtype,
        )
        self.directory = os.fspath(directory)
        split = _split(subset, image_data_generator)
        self.subset = subset
        if not classes:
            classes = sorted(
                name for name in os.listdir(self.directory) if os.path.isdir(os.path.join(self.directory, name))
            )
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))
        filenames, labels = [], []
        for name in classes:
            files = _image_files(os.path.join(self.directory, name), follow_links)
            if split is not None:
                start, stop = int(split[0] * len(files)), int(split[1] * len(files))
                files = files[start:stop]
            for path in files:
                labels.append(self.class_indices[name])
                filenames.append(os.path.relpath(path, self.directory))
        self.classes = np.array(labels, dtype="int32")
        self.filenames = filenames
        self._filepaths = [os.path.join(self.directory, f) for f in filenames]
        self.samples = len(filenames)
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__(self.samples, batch_size, shuffle, seed)

    def _setup(
        self,
        image_data_generator,
        target_size,
        color_mode,
        class_mode,
        data_format,
        save_to_dir,
        save_prefix,
        save_format,
        interpolation,
        keep_aspect_ratio,
        dtype,
        class_modes=_CLASS_MODES,
    ):
        dtype = dtype or state.floatx()
        if color_mode not in ("rgb", "rgba", "grayscale"):
            raise ValueError(f'Invalid color mode: {color_mode}; expected "rgb", "rgba", or "grayscale".')
        if class_mode not in class_modes:
            raise ValueError(f"Invalid class_mode: {class_mode}; expected one of {class_modes}")
        self.image_data_generator = image_data_generator
        self.target_size = tuple(target_size)
        self.color_mode = color_mode
        self.data_format = data_format or state.image_data_format()
        self.keep_aspect_ratio = keep_aspect_ratio
        channels = {"rgba": 4, "rgb": 3, "grayscale": 1}[color_mode]
        if self.data_format == "channels_last":
            self.image_shape = self.target_size + (channels,)
        else:
            self.image_shape = (channels,) + self.target_size
        self.class_mode = class_mode
        self.dtype = dtype
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.interpolation = interpolation

    @property
    def filepaths(self):
        return self._filepaths

    @property
    def labels(self):
        return self.classes

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        for i, j in enumerate(index_array):
            image = load_img(
                self._filepaths[j],
                color_mode=self.color_mode,
                target_size=self.target_size,
                interpolation=self.interpolation,
                keep_aspect_ratio=self.keep_aspect_ratio,
            )
            x = img_to_array(image, data_format=self.data_format)
            if hasattr(image, "close"):
                image.close()
            params = self.image_data_generator.get_random_transform(x.shape)
            x = self.image_data_generator.apply_transform(x, params)
            batch_x[i] = self.image_data_generator.standardize(x)
        if self.save_to_dir:
            for i, j in enumerate(index_array):
                image = array_to_img(batch_x[i], self.data_format, scale=True)
                name = f"{self.save_prefix}_{j}_{np.random.randint(1e7)}.{self.save_format}"
                image.save(os.path.join(self.save_to_dir, name))
        if self.class_mode is None:
            return batch_x
        return batch_x, self._batch_y(index_array, batch_x)

    def _batch_y(self, index_array, batch_x):
        if self.class_mode == "input":
            return batch_x.copy()
        if self.class_mode in ("sparse", "binary"):
            return self.classes[index_array].astype(self.dtype)
        batch_y = np.zeros((len(batch_x), self.num_classes), dtype=self.dtype)
        batch_y[np.arange(len(batch_x)), self.classes[index_array]] = 1.0
        return batch_y


class DataFrameIterator(DirectoryIterator):
    """`ImageDataGenerator.flow_from_dataframe`'s batches: file names in column `x_col`
    (relative to `directory` when given), labels in `y_col` (a class name, a list of them for
    multi-label `categorical`, any value for `raw`, several columns for `multi_output`),
    optional per-sample weights in `weight_col`. The frame is anything whose columns read as
    `frame[name]` (a pandas DataFrame, or a dict of lists)."""

    def __init__(
        self,
        dataframe,
        directory=None,
        image_data_generator=None,
        x_col="filename",
        y_col="class",
        weight_col=None,
        target_size=(256, 256),
        color_mode="rgb",
        classes=None,
        class_mode="categorical",
        batch_size=32,
        shuffle=True,
        seed=None,
        data_format=None,
        save_to_dir=None,
        save_prefix="",
        save_format="png",
        subset=None,
        interpolation="nearest",
        keep_aspect_ratio=False,
        dtype=None,
        validate_filenames=True,
    ):
        self._setup(
            image_data_generator,
            target_size,
            color_mode,
            class_mode,
            data_format,
            save_to_dir,
            save_prefix,
            save_format,
            interpolation,
            keep_aspect_ratio,
            dtype,
            class_modes=_DATAFRAME_CLASS_MODES,
        )
        self.directory = os.fspath(directory) if directory else ""
        self.x_col, self.y_col, self.weight_col = x_col, y_col, weight_col
        filenames = [str(name) for name in _column(dataframe, x_col)]
        y_columns = list(y_col) if class_mode == "multi_output" else [y_col]
        labels = [] if class_mode in (None, "input") else [_column(dataframe, c) for c in y_columns]
        weights = _column(dataframe, weight_col) if weight_col else None
        rows = list(range(len(filenames)))
        if validate_filenames:
            rows = [i for i in rows if self._valid_file(filenames[i])]
            dropped = len(filenames) - len(rows)
            if dropped:
                warnings.warn(
                    f'Found {dropped} invalid image filename(s) in x_col="{x_col}". These filename(s) will be ignored.',
                    stacklevel=3,
                )
        split = _split(subset, image_data_generator)
        if split is not None:
            rows = rows[int(split[0] * len(rows)) : int(split[1] * len(rows))]
        self.filenames = [filenames[i] for i in rows]
        self._filepaths = [os.path.join(self.directory, f) if self.directory else f for f in self.filenames]
        self._weights = None if weights is None else np.asarray([weights[i] for i in rows], dtype=self.dtype)
        self._labels = [[column[i] for i in rows] for column in labels]
        if class_mode in ("binary", "categorical", "sparse"):
            values = self._labels[0]
            if not classes:
                classes = sorted({c for v in values for c in (v if isinstance(v, (list, tuple)) else [v])})
            if class_mode == "binary" and len(classes) != 2:
                raise ValueError(f'If class_mode="binary" there must be 2 classes. Found {len(classes)} classes.')
            self.class_indices = {c: i for i, c in enumerate(classes)}
            self.num_classes = len(classes)
            if any(isinstance(v, (list, tuple)) for v in values):
                self.classes = [[self.class_indices[c] for c in v] for v in values]
            else:
                self.classes = np.array([self.class_indices[v] for v in values], dtype="int32")
            print(f"Found {len(self.filenames)} validated image filenames belonging to {self.num_classes} classes.")
        else:
            self.class_indices, self.num_classes, self.classes = {}, 0, None
            print(f"Found {len(self.filenames)} validated image filenames.")
        self.samples = len(self.filenames)
        Iterator.__init__(self, self.samples, batch_size, shuffle, seed)

    def _valid_file(self, name):
        path = os.path.join(self.directory, name) if self.directory else name
        return name.lower().endswith(tuple("." + e for e in _IMAGE_EXTENSIONS)) and os.path.isfile(path)

    def _get_batches_of_transformed_samples(self, index_array):
        output = DirectoryIterator._get_batches_of_transformed_samples(self, index_array)
        if self._weights is None:
            return output
        output = output if isinstance(output, tuple) else (output,)
        return output + (self._weights[index_array],)

    def _batch_y(self, index_array, batch_x):
        if self.class_mode == "raw":
            return np.asarray([self._labels[0][i] for i in index_array])
        if self.class_mode == "multi_output":
            return [np.asarray([column[i] for i in index_array]) for column in self._labels]
        if self.class_mode == "categorical" and isinstance(self.classes, list):
            batch_y = np.zeros((len(batch_x), self.num_classes), dtype=self.dtype)
            for row, i in enumerate(index_array):
                batch_y[row, self.classes[i]] = 1.0
            return batch_y
        return DirectoryIterator._batch_y(self, index_array, batch_x)


def _column(frame, name):
    column = frame[name]
    return list(column.tolist() if hasattr(column, "tolist") else column)


def _split(subset, image_data_generator):
    """The `(start, stop)` fractions of a `validation_split` subset (None: everything)."""
    if subset is None:
        return None
    validation_split = image_data_generator._validation_split
    if subset == "validation":
        return (0, validation_split)
    if subset == "training":
        return (validation_split, 1)
    raise ValueError(f'Invalid subset name: {subset}; expected "training" or "validation"')


def _image_files(folder, follow_links):
    """The image files under `folder` (recursively), in sorted order."""
    found = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links), key=lambda item: item[0]):
        for name in sorted(files):
            if name.lower().endswith(tuple("." + e for e in _IMAGE_EXTENSIONS)):
                found.append(os.path.join(root, name))
    return found
