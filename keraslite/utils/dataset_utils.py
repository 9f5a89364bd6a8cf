"""What the `*_dataset_from_directory` utilities share: indexing a directory of class
folders, the training/validation split, and labels in the form `label_mode` asks for."""

from __future__ import annotations

import os

import numpy as np

from keraslite.utils.dataset import Dataset

LABEL_MODES = ("int", "categorical", "binary", None)


def check_validation_split_arg(validation_split, subset, shuffle, seed) -> None:
    """Refuses the combinations Keras refuses (a split without a subset, a shuffled split without a seed)."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset}')
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a `seed` argument, to make "
            "sure that there is no overlap between the training and validation subset."
        )


def check_labels_arg(labels, label_mode, class_names) -> None:
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same size as the number of "
                "files in the target directory. To infer the labels from the subdirectory names pass "
                f'`labels="inferred"`; for a dataset without labels pass `labels=None`. Received: labels={labels}'
            )
        if class_names:
            raise ValueError(
                f'You can only pass `class_names` if `labels="inferred"`. Received: labels={labels}, and '
                f"class_names={class_names}"
            )
    if label_mode not in LABEL_MODES:
        raise ValueError(
            f'`label_mode` argument must be one of "int", "categorical", "binary", or None. Received: '
            f"label_mode={label_mode}"
        )


def _valid_files(directory: str, follow_links: bool, formats: tuple):
    """(root, file name) pairs under `directory`, folders and names in sorted order."""
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda entry: entry[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                yield root, name


def index_directory(
    directory: str,
    labels,
    formats: tuple,
    class_names=None,
    shuffle: bool = True,
    seed=None,
    follow_links: bool = False,
    verbose: bool = True,
):
    """The files of `directory` as `(file_paths, labels, class_names)`.

    With `labels="inferred"` each subfolder is a class (alphanumeric order unless
    `class_names` gives it) and its files, walked recursively, carry its index. Otherwise the
    whole tree is indexed and `labels` (a list in file order) or `None` is used. With
    `shuffle`, paths and labels are permuted together by `seed`; otherwise they stay sorted.
    """
    if labels == "inferred":
        subdirs = [
            name
            for name in sorted(os.listdir(directory))
            if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")
        ]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError(
                    "The `class_names` passed did not match the names of the subdirectories of the target "
                    f"directory. Expected: {subdirs} (or a subset of it), but received: class_names={class_names}"
                )
            subdirs = list(class_names)
    else:
        if class_names is not None:
            if labels is None:
                raise ValueError("When `labels=None` (no labels), argument `class_names` cannot be specified.")
            raise ValueError(
                "When argument `labels` is specified, argument `class_names` cannot be specified (the "
                "`class_names` will be the sorted list of labels)."
            )
        subdirs = [""]
    filenames, inferred = [], []
    for index, subdir in enumerate(subdirs):
        folder = os.path.join(directory, subdir)
        for root, name in _valid_files(folder, follow_links, formats):
            filenames.append(os.path.join(subdir, os.path.relpath(os.path.join(root, name), folder)))
            inferred.append(index)
    if labels == "inferred":
        labels = np.asarray(inferred, dtype="int32")
        class_names = list(subdirs)
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the target directory. "
                f"len(labels) is {len(labels)} while we found {len(filenames)} files in directory {directory}."
            )
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels)
    if verbose:
        if labels is None:
            print(f"Found {len(filenames)} files.")
        else:
            print(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    file_paths = [os.path.join(directory, name) for name in filenames]
    if shuffle:  # one global permutation erases the folder order; labels follow the same one
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def get_training_or_validation_split(samples, labels, validation_split, subset):
    """The last `validation_split` of the samples are the validation subset, the rest training."""
    if not validation_split:
        return samples, labels
    num_val_samples = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val_samples} files for training.")
        samples = samples[:-num_val_samples]
        labels = None if labels is None else labels[:-num_val_samples]
    elif subset == "validation":
        print(f"Using {num_val_samples} files for validation.")
        samples = samples[-num_val_samples:]
        labels = None if labels is None else labels[-num_val_samples:]
    else:
        raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')
    return samples, labels


def encode_labels(labels, label_mode, num_classes: int) -> np.ndarray:
    """Labels as Keras yields them: int32 indices, float32 one-hot rows or float32 `(n, 1)` 0/1."""
    labels = np.asarray(labels)
    if label_mode == "binary":
        return labels.astype("float32").reshape(-1, 1)
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels.astype("int64")]
    return labels.astype("int32")


def files_to_dataset(
    file_paths, labels, label_mode, num_classes, load, shuffle=False, shuffle_buffer_size=None, seed=None
) -> Dataset:
    """A dataset of `load(path)` (with its label when `label_mode` is set), shuffled through a
    buffer as Keras's pipeline is, before files are read."""
    paths = np.asarray(file_paths, dtype=str)
    if label_mode:
        dataset = Dataset.from_tensor_slices((paths, encode_labels(labels, label_mode, num_classes)))
    else:
        dataset = Dataset.from_tensor_slices(paths)
    if shuffle:
        dataset = dataset.shuffle(buffer_size=shuffle_buffer_size or 1024, seed=seed)
    if label_mode:
        return dataset._map_elements(lambda element: (load(str(element[0])), element[1]))
    return dataset._map_elements(lambda path: load(str(path)))


def from_directory(directory, labels, label_mode, class_names, formats, options, load, kind: str):
    """The indexing, splitting and batching `image_dataset_from_directory` and
    `text_dataset_from_directory` share; `load` reads one file. Returns one dataset, or
    `[training, validation]` for `subset="both"`."""
    check_labels_arg(labels, label_mode, class_names)
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    batch_size, shuffle, seed = options["batch_size"], options["shuffle"], options["seed"]
    validation_split, subset = options["validation_split"], options["subset"]
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    file_paths, labels, class_names = index_directory(
        directory,
        labels,
        formats=formats,
        class_names=class_names,
        shuffle=shuffle,
        seed=seed,
        follow_links=options["follow_links"],
        verbose=options["verbose"],
    )
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(
            f'When passing `label_mode="binary"`, there must be exactly 2 class_names. Received: '
            f"class_names={class_names}"
        )
    num_classes = len(class_names) if class_names else 0
    buffer_size = batch_size * 8 if batch_size is not None else 1024

    def build(paths, subset_labels, subset_shuffle):
        if not paths:
            raise ValueError(f"No {kind} files found in directory {directory}. Allowed formats: {formats}")
        dataset = files_to_dataset(
            paths, subset_labels, label_mode, num_classes, load, subset_shuffle, buffer_size, seed
        )
        if batch_size is not None:
            dataset = dataset.batch(batch_size)
        dataset.class_names = class_names
        dataset.file_paths = list(paths)
        return dataset

    if subset == "both":
        train = get_training_or_validation_split(file_paths, labels, validation_split, "training")
        validation = get_training_or_validation_split(file_paths, labels, validation_split, "validation")
        return [build(*train, shuffle), build(*validation, False)]
    paths, labels = get_training_or_validation_split(file_paths, labels, validation_split, subset)
    return build(paths, labels, shuffle)
