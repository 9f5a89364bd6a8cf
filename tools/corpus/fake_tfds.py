"""A stand-in for `tensorflow_datasets` (not installed: it downloads its data sets), for the
image data sets corpus tutorials load: `tfds.load(name, split=..., as_supervised=...,
with_info=...)` gives `tf.data.Dataset`s of generated, learnable images (a per-class
template plus noise) with the real element structure, image rank, dtypes and split names,
but a few hundred examples. `tensorflow` is imported when a data set is loaded: under
keraslite that is its TensorFlow shim, so both sides see the same world."""

from __future__ import annotations

import re

import numpy as np
from fake_files import seeded_rng

# name: (image shape, class names, {split: examples})
_SETS = {
    "cats_vs_dogs": ((128, 160, 3), ["cat", "dog"], {"train": 400}),
    "tf_flowers": ((120, 160, 3), ["dandelion", "daisy", "tulips", "sunflowers", "roses"], {"train": 300}),
    "horses_or_humans": ((300, 300, 3), ["horses", "humans"], {"train": 128, "test": 64}),
    "stl10": ((96, 96, 3), [f"class_{i}" for i in range(10)], {"train": 200, "test": 100, "unlabelled": 400}),
    "oxford_flowers102": (
        (96, 128, 3),
        [f"flower_{i}" for i in range(102)],
        {"train": 204, "validation": 102, "test": 204},
    ),
    # Tutorials slice these by example counts (`train[10000:]`): 12000 training examples.
    "mnist": ((28, 28, 1), [str(i) for i in range(10)], {"train": 12000, "test": 1000}),
    "fashion_mnist": ((28, 28, 1), [f"class_{i}" for i in range(10)], {"train": 12000, "test": 1000}),
    "cycle_gan/horse2zebra": ((256, 256, 3), ["A", "B"], {"trainA": 24, "trainB": 24, "testA": 8, "testB": 8}),
}


class Split:
    TRAIN = "train"
    VALIDATION = "validation"
    TEST = "test"
    ALL = "all"


def disable_progress_bar():
    return None


def enable_progress_bar():
    return None


class _Feature:
    def __init__(self, shape=None, names=None, dtype=None):
        self.shape = shape
        self.dtype = dtype
        self.names = names
        self.num_classes = len(names) if names is not None else None

    def int2str(self, index):
        return self.names[int(index)]

    def str2int(self, name):
        return self.names.index(name)


class _SplitInfo:
    def __init__(self, name, num_examples):
        self.name = name
        self.num_examples = num_examples


class DatasetInfo:
    def __init__(self, name):
        shape, names, splits = _SETS[name]
        self.name = name
        self.features = {"image": _Feature(shape=shape, dtype="uint8"), "label": _Feature(names=names, dtype="int64")}
        self.splits = {split: _SplitInfo(split, n) for split, n in splits.items()}
        self.supervised_keys = ("image", "label")

    def __repr__(self):
        sizes = {k: v.num_examples for k, v in self.splits.items()}
        return f"tfds.core.DatasetInfo(name={self.name!r}, splits={sizes})"


def _examples(name, split):
    shape, names, splits = _SETS[name]
    if split not in splits:
        raise ValueError(f"Unknown split {split!r} for {name}: {sorted(splits)}")
    rng = seeded_rng(f"tfds:{name}")
    templates = rng.uniform(0, 180, size=(len(names),) + tuple(shape)).astype("float32")
    for axis in (0, 1):  # smooth: something for convolutions to find
        templates = (templates + np.roll(templates, 1, axis=axis + 1) + np.roll(templates, -1, axis=axis + 1)) / 3
    rng = seeded_rng(f"tfds:{name}:{split}")
    n = splits[split]
    labels = rng.integers(0, len(names), size=n)
    noise = rng.integers(0, 75, size=(n,) + tuple(shape))
    images = np.clip(templates[labels] + noise, 0, 255).astype("uint8")
    if split == "unlabelled":
        labels = np.full(n, -1)
    return images, labels.astype("int64")


def _slice(n, spec):
    """`[a:b]` of a split (numbers or percents) as a Python slice."""
    if not spec:
        return slice(None)
    start, _, stop = spec.partition(":")

    def bound(text):
        text = text.strip()
        if not text:
            return None
        if text.endswith("%"):
            return int(round(n * int(text[:-1]) / 100))
        return int(text)

    return slice(bound(start), bound(stop))


def _load_split(name, split):
    parts = []
    for piece in str(split).split("+"):
        match = re.fullmatch(r"\s*([\w/]+)\s*(?:\[([^\]]*)\])?\s*", piece)
        if match is None:
            raise ValueError(f"Cannot read the split {piece!r}")
        images, labels = _examples(name, match.group(1))
        cut = _slice(len(images), match.group(2))
        parts.append((images[cut], labels[cut]))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _dataset(name, split, as_supervised, batch_size=None):
    """A split as `tfds.load` gives it: a dataset of examples, of batches (`batch_size`), or
    with `batch_size=-1` the whole split as tensors."""
    import tensorflow as tf

    images, labels = _load_split(name, split)
    if batch_size == -1:
        images, labels = tf.constant(images), tf.constant(labels)
        return (images, labels) if as_supervised else {"image": images, "label": labels}
    if as_supervised:
        dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    else:
        dataset = tf.data.Dataset.from_tensor_slices({"image": images, "label": labels})
    return dataset.batch(batch_size) if batch_size else dataset


def load(name, split=None, as_supervised=False, with_info=False, batch_size=None, **kwargs):
    name = name.split(":")[0]  # "cats_vs_dogs:4.0.0"
    if name not in _SETS:
        raise RuntimeError(f"offline corpus: no fake tensorflow_datasets set {name!r}")
    if split is None:
        result = {s: _dataset(name, s, as_supervised, batch_size) for s in _SETS[name][2]}
    elif isinstance(split, (list, tuple)):
        result = [_dataset(name, s, as_supervised, batch_size) for s in split]
    else:
        result = _dataset(name, split, as_supervised, batch_size)
    if with_info:
        return result, DatasetInfo(name)
    return result


def as_numpy(dataset):
    return dataset.as_numpy_iterator()
