"""The word-index handling shared by IMDB and Reuters (sequences of word ranks)."""

from __future__ import annotations

import numpy as np


def shuffle(rng: np.random.RandomState, *arrays):
    """Shuffle arrays of equal length with one permutation drawn from `rng`."""
    indices = np.arange(len(arrays[0]))
    rng.shuffle(indices)
    return [array[indices] for array in arrays]


def shift_indices(sequences, start_char, index_from) -> list:
    """Prepend `start_char` (if not None) and offset every word index by `index_from`."""
    prefix = [start_char] if start_char is not None else []
    return [prefix + [int(word) + (index_from or 0) for word in sequence] for sequence in sequences]


def remove_long_sequences(maxlen: int, sequences, labels):
    """Keep only the sequences shorter than `maxlen` (as Keras: strictly shorter)."""
    kept = [(sequence, label) for sequence, label in zip(sequences, labels) if len(sequence) < maxlen]
    return [s for s, _ in kept], [label for _, label in kept]


def limit_vocabulary(sequences, num_words, skip_top, oov_char) -> list:
    """Replace (or drop, when `oov_char` is None) words outside `[skip_top, num_words)`."""
    if not num_words:
        num_words = max(max(sequence) for sequence in sequences if sequence)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in sequence] for sequence in sequences]
    return [[w for w in sequence if skip_top <= w < num_words] for sequence in sequences]


def object_array(sequences) -> np.ndarray:
    """A 1-D `dtype=object` array of lists (NumPy would make a 2-D array of equal-length lists)."""
    array = np.empty(len(sequences), dtype="object")
    array[:] = sequences
    return array
