"""`keras.utils.pad_sequences` (also `keras.preprocessing.sequence.pad_sequences`)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def pad_sequences(
    sequences: Sequence[Any],
    maxlen: int | None = None,
    dtype: Any = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: Any = 0.0,
) -> np.ndarray:
    """Pads sequences to the same length.

    Turns a list of `num_samples` sequences (lists of integers, or arrays whose
    items share one shape) into an array of shape `(num_samples, maxlen, ...)`.
    Longer sequences are cut and shorter ones filled with `value`, at the start
    (`"pre"`, the default) or the end (`"post"`).

    Args:
        sequences: List of sequences (each sequence is a list of integers).
        maxlen: Maximum length of all sequences. `None` pads to the longest.
        dtype: Type of the output (default `"int32"`; `object` for strings).
        padding: `"pre"` or `"post"`: pad before or after each sequence.
        truncating: `"pre"` or `"post"`: remove values from sequences longer than
            `maxlen` at their beginning or their end.
        value: Float or string, the padding value (default `0.`).

    Returns:
        NumPy array of shape `(len(sequences), maxlen)`.
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"`sequences` must be iterable. Received: sequences={sequences!r}")
    if padding not in ("pre", "post"):
        raise ValueError(
            f'Padding type "{padding}" not understood: expected "pre" or "post". Received: padding={padding!r}'
        )
    if truncating not in ("pre", "post"):
        raise ValueError(
            f'Truncating type "{truncating}" not understood: expected "pre" or "post". Received: '
            f"truncating={truncating!r}"
        )
    lengths = []
    sample_shape: tuple = ()
    found_sample_shape = False
    for sequence in sequences:
        try:
            lengths.append(len(sequence))
        except TypeError as error:
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable: {sequence!r}") from error
        # The first non-empty sequence fixes the shape of the items.
        if not found_sample_shape and len(sequence):
            sample_shape = np.asarray(sequence).shape[1:]
            found_sample_shape = True
    if maxlen is None:
        maxlen = int(np.max(lengths)) if lengths else 0
    is_string_dtype = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_string_dtype:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings."
        )
    padded = np.full((len(sequences), maxlen) + tuple(sample_shape), value, dtype=dtype)
    if maxlen == 0:
        return padded
    for index, sequence in enumerate(sequences):
        if not len(sequence):
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {kept.shape[1:]} of sequence at position {index} is different from "
                f"expected shape {sample_shape}"
            )
        if padding == "post":
            padded[index, : len(kept)] = kept
        else:
            padded[index, -len(kept) :] = kept
    return padded
