"""`tf.compat`: `v2` (the shim itself: `import tensorflow.compat.v2 as tf`), `v1` (the few
TF1 names that still run eagerly), and the bytes/text helpers."""

from __future__ import annotations

from keraslite.compat.tensorflow.compat import v1 as v1
from keraslite.compat.tensorflow.compat import v2 as v2
from keraslite.compat.tensorflow.missing import module_getattr

__getattr__ = module_getattr("tf.compat")


def as_bytes(bytes_or_text, encoding="utf-8") -> bytes:
    if isinstance(bytes_or_text, bytearray):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    if isinstance(bytes_or_text, bytes):
        return bytes_or_text
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text, encoding="utf-8") -> str:
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text).decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text
