"""String handling for the text layers. torch has no string tensors, so string inputs are
Python lists (possibly nested) or NumPy arrays of `str`/`bytes`; these helpers turn them
into NumPy unicode arrays and implement TextVectorization's standardize/split/ngrams
the way TensorFlow's string ops (which Keras uses) do."""

from __future__ import annotations

import re

import numpy as np
import torch

# tf.strings.lower (no encoding) changes ASCII letters only.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Keras's punctuation class for "strip_punctuation" (',-.' is the range , - .).
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~\']')
# tf.strings.split with no separator splits on ASCII whitespace and drops empty pieces.
_WHITESPACE = re.compile(r"[ \t\n\r\v\f]+")


def is_string_input(value) -> bool:
    """Whether `value` holds strings (a str, bytes, a NumPy str/bytes/object array, or a
    nested list whose first leaf is a str/bytes)."""
    if isinstance(value, (str, bytes)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind in ("U", "S", "O")
    while isinstance(value, (list, tuple)) and value:
        value = value[0]
    return isinstance(value, (str, bytes, np.str_, np.bytes_))


def as_numpy_strings(value, encoding: str = "utf-8") -> np.ndarray:
    """A str/bytes or nested sequence / array of them -> a NumPy unicode array."""
    if isinstance(value, torch.Tensor):
        raise TypeError("torch tensors cannot hold strings: pass a list or a NumPy array of str.")
    array = np.asarray(value)
    if array.dtype.kind == "S":
        return np.char.decode(array, encoding)
    if array.dtype.kind == "O":
        flat = [v.decode(encoding) if isinstance(v, bytes) else str(v) for v in array.reshape(-1).tolist()]
        return np.asarray(flat, dtype=str).reshape(array.shape) if flat else array.astype(str)
    if array.dtype.kind != "U":
        return array.astype(str)
    return array


def lower_ascii(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def strip_punctuation(text: str) -> str:
    return _PUNCTUATION.sub("", text)


def split_whitespace(text: str) -> list[str]:
    return [piece for piece in _WHITESPACE.split(text) if piece]


def split_characters(text: str) -> list[str]:
    return list(text)


def ngrams(tokens: list[str], widths: tuple[int, ...]) -> list[str]:
    """All n-grams of each width, width by width (tf.strings.ngrams, separator " ",
    no padding, short sequences give nothing for that width)."""
    out: list[str] = []
    for width in widths:
        out.extend(" ".join(tokens[i : i + width]) for i in range(len(tokens) - width + 1))
    return out
