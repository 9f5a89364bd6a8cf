"""`keras.datasets.imdb`: 50,000 movie reviews as word-index sequences, labelled by sentiment."""

from __future__ import annotations

import json

import numpy as np

from keraslite.datasets import _sequences
from keraslite.datasets._safe_pickle import load_npz
from keraslite.utils.file_utils import get_file

_BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
_WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"


def load_data(
    path: str = "imdb.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    **kwargs,
):
    """Loads the IMDB sentiment dataset (25,000 train and 25,000 test reviews).

    Words are indexed by overall frequency (index 1 = most frequent word before the
    `index_from` shift); 0 is padding, `start_char` marks the start, `oov_char` replaces
    words cut by `num_words`/`skip_top`.

    Args:
        path: File name in the cache (relative to `~/.keras/datasets`).
        num_words: Keep only the `num_words` most frequent words (`None`: all).
        skip_top: Skip the most frequent words (replaced by `oov_char`).
        maxlen: Drop sequences of `maxlen` words or more.
        seed: Seed of the shuffle.
        start_char: Index marking the start of each sequence (`None`: no marker).
        oov_char: Index of out-of-vocabulary words (`None`: drop them).
        index_from: Offset added to every word index.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: `x_*` are 1-D object arrays of lists of
        ints, `y_*` int arrays of 0/1 labels.
    """
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments for imdb.load_data: {sorted(kwargs)}")
    path = get_file(fname=path, origin=_BASE + "imdb.npz", file_hash=_SHA256)
    data = load_npz(path)
    rng = np.random.RandomState(seed)
    x_train, labels_train = _sequences.shuffle(rng, data["x_train"], data["y_train"])
    x_test, labels_test = _sequences.shuffle(rng, data["x_test"], data["y_test"])
    x_train = _sequences.shift_indices(x_train, start_char, index_from)
    x_test = _sequences.shift_indices(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = _sequences.remove_long_sequences(maxlen, x_train, labels_train)
        x_test, labels_test = _sequences.remove_long_sequences(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(
                f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. Increase maxlen."
            )
    sequences = _sequences.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    split = len(x_train)
    return (
        (_sequences.object_array(sequences[:split]), labels[:split]),
        (_sequences.object_array(sequences[split:]), labels[split:]),
    )


def get_word_index(path: str = "imdb_word_index.json") -> dict:
    """The dict word -> index of the IMDB dataset (indices before the `index_from` shift)."""
    path = get_file(fname=path, origin=_BASE + "imdb_word_index.json", file_hash=_WORD_INDEX_MD5)
    with open(path) as file:
        return json.load(file)
