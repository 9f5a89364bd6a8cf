"""`keras.utils.split_dataset`: split arrays, a `torch.utils.data.Dataset` or a keraslite
`Dataset` (the `tf.data.Dataset` of the TensorFlow shim) into a left and a right part."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Subset, TensorDataset

from keraslite.utils.dataset import Dataset


def _check_size(name: str, size, total: int) -> None:
    if size is None:
        return
    if type(size) not in (int, float):
        raise TypeError(f"Invalid `{name}` Type. Expected: int or float or None, Received: type({name})={type(size)}.")
    if (type(size) is int and not 0 < size < total) or (type(size) is float and not 0 < size < 1):
        raise ValueError(
            f"`{name}` should be either a positive integer smaller than {total}, or a float "
            f"within the range `[0, 1]`. Received: {name}={size}"
        )


def split_sizes(left_size, right_size, total: int) -> tuple[int, int]:
    """The two split lengths for `total` samples: fractions are rounded, a missing side is
    the complement of the other."""
    if left_size is None and right_size is None:
        raise ValueError(
            "At least one of the `left_size` or `right_size` must be specified. "
            "Received: left_size=None and right_size=None"
        )
    _check_size("left_size", left_size, total)
    _check_size("right_size", right_size, total)
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be at most 1.")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(
            f"The sum of `left_size` and `right_size` should be at most the dataset length {total}. "
            f"Received: left_size + right_size = {left + right}"
        )
    for split, side in ((left, "left"), (right, "right")):
        if split == 0:
            raise ValueError(
                f"With `dataset` of length={total}, left_size={left_size} and right_size={right_size}, "
                f"the {side} split would be empty. Adjust the sizes."
            )
    return int(left), int(right)


def _as_torch_dataset(dataset):
    if isinstance(dataset, torch.utils.data.Dataset):
        return dataset
    if isinstance(dataset, np.ndarray):
        return TensorDataset(torch.from_numpy(dataset))
    if isinstance(dataset, (list, tuple)) and dataset and all(hasattr(x, "shape") for x in dataset):
        return TensorDataset(*[torch.as_tensor(np.asarray(x)) for x in dataset])
    raise TypeError(
        "The `dataset` argument must be a `torch.utils.data.Dataset`, a keras `Dataset` (tf.data), an array, "
        f"or a list/tuple of arrays. Received: dataset={dataset!r:.200} of type {type(dataset)}"
    )


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None, preferred_backend=None):
    """`(left, right)`: with `shuffle=False` the first `left_size` samples and the last
    `right_size`; with `shuffle=True` a random split (seeded by `seed`). Arrays and torch
    datasets give `torch.utils.data.Subset`s (as Keras's torch backend does); a keraslite
    `Dataset` gives two `Dataset`s."""
    if preferred_backend not in (None, "torch", "tensorflow"):
        raise ValueError(f"`preferred_backend` must be None, 'torch' or 'tensorflow'. Received: {preferred_backend!r}")
    generator = None
    if shuffle:
        generator = torch.Generator()
        # Without a seed, the split follows the global seed (`keras.utils.set_random_seed`),
        # so that two seeded runs split alike; unseeded, torch's global generator is random.
        generator.manual_seed(seed if seed is not None else int(torch.randint(0, 2**62, ())))
    if isinstance(dataset, Dataset):
        elements = list(dataset._raw())
        left, right = split_sizes(left_size, right_size, len(elements))
        order = torch.randperm(len(elements), generator=generator).tolist() if shuffle else range(len(elements))
        elements = [elements[i] for i in order]
        return _dataset_of(dataset, elements[:left]), _dataset_of(dataset, elements[len(elements) - right :])
    dataset = _as_torch_dataset(dataset)
    total = len(dataset)
    left, right = split_sizes(left_size, right_size, total)
    order = torch.randperm(total, generator=generator).tolist() if shuffle else list(range(total))
    return Subset(dataset, order[:left]), Subset(dataset, order[total - right :])


def _dataset_of(like: Dataset, elements: list) -> Dataset:
    return type(like)(lambda: iter(elements), len(elements))
