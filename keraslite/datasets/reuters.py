"""`keras.datasets.reuters`: 11,228 Reuters newswires as word-index sequences, in 46 topics."""

from __future__ import annotations

import json

import numpy as np

from keraslite.datasets import _sequences
from keraslite.datasets._safe_pickle import load_npz
from keraslite.utils.file_utils import get_file

_BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
_WORD_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"
_LABEL_NAMES = (
    "cocoa",
    "grain",
    "veg-oil",
    "earn",
    "acq",
    "wheat",
    "copper",
    "housing",
    "money-supply",
    "coffee",
    "sugar",
    "trade",
    "reserves",
    "ship",
    "cotton",
    "carcass",
    "crude",
    "nat-gas",
    "cpi",
    "money-fx",
    "interest",
    "gnp",
    "meal-feed",
    "alum",
    "oilseed",
    "gold",
    "tin",
    "strategic-metal",
    "livestock",
    "retail",
    "ipi",
    "iron-steel",
    "rubber",
    "heat",
    "jobs",
    "lei",
    "bop",
    "zinc",
    "orange",
    "pet-chem",
    "dlr",
    "gas",
    "silver",
    "wpi",
    "hog",
    "lead",
)


def load_data(
    path: str = "reuters.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
):
    """Loads the Reuters newswire topic-classification dataset.

    Args:
        path: File name in the cache (relative to `~/.keras/datasets`).
        num_words: Keep only the `num_words` most frequent words (`None`: all).
        skip_top: Skip the most frequent words (replaced by `oov_char`).
        maxlen: Drop sequences of `maxlen` words or more.
        test_split: Fraction of the data kept for the test set.
        seed: Seed of the shuffle.
        start_char: Index marking the start of each sequence (`None`: no marker).
        oov_char: Index of out-of-vocabulary words (`None`: drop them).
        index_from: Offset added to every word index.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: `x_*` 1-D object arrays of lists of ints,
        `y_*` int arrays of topic indices (0-45).
    """
    path = get_file(fname=path, origin=_BASE + "reuters.npz", file_hash=_SHA256)
    data = load_npz(path)
    sequences, labels = _sequences.shuffle(np.random.RandomState(seed), data["x"], data["y"])
    sequences = _sequences.shift_indices(sequences, start_char, index_from)
    if maxlen:
        sequences, labels = _sequences.remove_long_sequences(maxlen, sequences, labels)
    sequences = _sequences.limit_vocabulary(sequences, num_words, skip_top, oov_char)
    split = int(len(sequences) * (1 - test_split))
    labels = np.asarray(labels)
    return (
        (_sequences.object_array(sequences[:split]), np.array(labels[:split])),
        (_sequences.object_array(sequences[split:]), np.array(labels[split:])),
    )


def get_word_index(path: str = "reuters_word_index.json") -> dict:
    """The dict word -> index of the Reuters dataset (indices before the `index_from` shift)."""
    path = get_file(path, origin=_BASE + "reuters_word_index.json", file_hash=_WORD_INDEX_MD5)
    with open(path) as file:
        return json.load(file)


def get_label_names() -> tuple:
    """The 46 topic names, in label order."""
    return _LABEL_NAMES
