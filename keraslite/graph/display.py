"""How symbolic shapes and dtypes print.

Plain keraslite prints them as Keras 3 does (`(None, 784)`, `float32`). The
TensorFlow shim of `keraslite run` swaps in types that print as the seed guide shows
(`TensorShape([None, 784])`, `tf.float32`) while staying a tuple and a str.
"""

from __future__ import annotations

_shape_type = tuple
_dtype_type = str


def shape_type():
    return _shape_type


def dtype_type():
    return _dtype_type


def set_display_types(shape_type: type, dtype_type: type) -> None:
    global _shape_type, _dtype_type
    _shape_type, _dtype_type = shape_type, dtype_type
