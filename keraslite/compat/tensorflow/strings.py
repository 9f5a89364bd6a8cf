"""`tf.strings`: string functions on the string values tf.data and the shim hand out.

keraslite tensors hold numbers; strings travel as NumPy arrays of bytes (`StringArray`,
which answers `.numpy()` as a string tensor does). These functions take bytes/str
scalars, lists and arrays, work element-wise in Python, and return `StringArray`s (or
number tensors for `length` / `to_number` / `to_hash_bucket_fast`). Splitting, which makes
ragged results in TensorFlow, returns an array of bytes arrays (a list per row).
"""

from __future__ import annotations

import re
import zlib

import numpy as np
import torch

from keraslite.compat.tensorflow.eager import wrap
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.utils.dataset import StringArray

__getattr__ = module_getattr("tf.strings")


def _to_bytes(value) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return _to_bytes(value.item())
    if isinstance(value, (np.bytes_, np.str_)):
        return _to_bytes(value.item())
    return str(value).encode("utf-8")


def bytes_scalar(data: bytes):
    """`data` as a scalar string value (what `tf.io.read_file` gives). An object array:
    NumPy's bytes dtype would drop trailing NUL bytes, corrupting binary file contents."""
    holder = np.empty((), dtype=object)
    holder[()] = bytes(data)
    return holder.view(StringArray)


def _as_array(value) -> np.ndarray:
    """`value` as an object array of bytes, any shape."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    array = np.asarray(value, dtype=object)
    flat = [_to_bytes(v) for v in array.reshape(-1)]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(array.shape)


def _strings(array: np.ndarray):
    """An object array of bytes as what the shim hands out (a bytes array, or a scalar)."""
    result = np.asarray(array.tolist(), dtype=bytes) if array.size else np.asarray(array, dtype="S1")
    return result.view(StringArray) if isinstance(result, np.ndarray) else result


def _map(function, value):
    array = _as_array(value)
    out = np.empty(array.shape, dtype=object)
    for index in np.ndindex(array.shape):
        out[index] = function(array[index])
    return out


def lower(input, encoding="", name=None):  # noqa: A002
    return _strings(_map(lambda s: s.decode("utf-8").lower().encode("utf-8"), input))


def upper(input, encoding="", name=None):  # noqa: A002
    return _strings(_map(lambda s: s.decode("utf-8").upper().encode("utf-8"), input))


def strip(input, name=None):  # noqa: A002
    return _strings(_map(lambda s: s.strip(), input))


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """RE2 `pattern` replaced by `rewrite` (`\\1` for groups), everywhere or once."""
    compiled = re.compile(_to_bytes(pattern))
    replacement = re.sub(rb"\\(\d)", rb"\\g<\1>", _to_bytes(rewrite))
    count = 0 if replace_global else 1
    return _strings(_map(lambda s: compiled.sub(replacement, s, count=count), input))


def regex_full_match(input, pattern, name=None):  # noqa: A002
    compiled = re.compile(_to_bytes(pattern))
    return wrap(torch.as_tensor(_map(lambda s: compiled.fullmatch(s) is not None, input).astype(bool)))


def length(input, unit="BYTE", name=None):  # noqa: A002
    def count(s):
        return len(s.decode("utf-8")) if unit == "UTF8_CHAR" else len(s)

    return wrap(torch.as_tensor(_map(count, input).astype(np.int32)))


def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002
    def cut(s):
        text = s.decode("utf-8") if unit == "UTF8_CHAR" else s
        piece = text[int(pos) : int(pos) + int(len)]
        return piece.encode("utf-8") if isinstance(piece, str) else piece

    return _strings(_map(cut, input))


def join(inputs, separator="", name=None):
    """Element-wise concatenation of the string arrays in `inputs`."""
    arrays = np.broadcast_arrays(*[_as_array(v) for v in inputs])
    out = np.empty(arrays[0].shape, dtype=object)
    sep = _to_bytes(separator)
    for index in np.ndindex(out.shape):
        out[index] = sep.join(a[index] for a in arrays)
    return _strings(out)


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    array = _as_array(inputs)
    sep = _to_bytes(separator)
    if axis is None:
        result = np.empty((), dtype=object)
        result[()] = sep.join(array.reshape(-1).tolist())
        return _strings(result)
    moved = np.moveaxis(array, axis, -1)
    out = np.empty(moved.shape[:-1], dtype=object)
    for index in np.ndindex(out.shape):
        out[index] = sep.join(moved[index].tolist())
    if keepdims:
        out = np.expand_dims(out, axis)
    return _strings(out)


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """Each string split on `sep` (whitespace when None): one bytes array per string (a
    list of them for a 1-D input, as the rows of TensorFlow's ragged result)."""
    array = _as_array(input)
    separator = None if sep is None else _to_bytes(sep)

    def cut(s):
        parts = s.split(separator, maxsplit) if separator is not None else s.split(None, maxsplit)
        return np.asarray(parts, dtype=bytes).view(StringArray) if parts else np.asarray([], dtype="S1")

    if array.ndim == 0:
        return cut(array[()])
    return [cut(s) for s in array.reshape(-1)]


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533, name=None):  # noqa: A002
    """Each string as its characters (UTF-8 bytes each)."""
    array = _as_array(input)

    def chars(s):
        return np.asarray([c.encode("utf-8") for c in s.decode("utf-8", errors=errors)], dtype=bytes).view(StringArray)

    if array.ndim == 0:
        return chars(array[()])
    return [chars(s) for s in array.reshape(-1)]


def bytes_split(input, name=None):  # noqa: A002
    """Each string as its single bytes (a list of arrays for a 1-D input, as the rows of
    TensorFlow's ragged result)."""
    array = _as_array(input)

    def single_bytes(s):
        return np.asarray([s[i : i + 1] for i in range(len(s))], dtype=bytes).view(StringArray)

    if array.ndim == 0:
        return single_bytes(array[()])
    return [single_bytes(s) for s in array.reshape(-1)]


def unicode_decode(input, input_encoding, errors="replace", replacement_char=65533, name=None):  # noqa: A002
    """Each string as its Unicode code points (int32)."""
    array = _as_array(input)

    def points(s):
        return wrap(torch.as_tensor([ord(c) for c in s.decode("utf-8", errors=errors)], dtype=torch.int32))

    if array.ndim == 0:
        return points(array[()])
    return [points(s) for s in array.reshape(-1)]


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533, name=None):  # noqa: A002
    """Code points (a 1-D tensor, or a list of them) back to UTF-8 strings."""
    if isinstance(input, (list, tuple)) and input and not np.isscalar(input[0]):
        return _strings(_as_array([unicode_encode(row, output_encoding) for row in input]))
    codes = np.asarray(input.detach().cpu() if isinstance(input, torch.Tensor) else input).reshape(-1)
    return np.asarray("".join(chr(int(c)) for c in codes).encode("utf-8")).view(StringArray)


def to_number(string_tensor, out_type=torch.float32, name=None):
    dtype = getattr(out_type, "torch_dtype", out_type)
    if not isinstance(dtype, torch.dtype):
        dtype = torch.float32
    values = _map(lambda s: float(s), string_tensor).astype(np.float64)
    return wrap(torch.as_tensor(values).to(dtype))


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="", name=None):  # noqa: A002
    array = np.asarray(input.detach().cpu() if isinstance(input, torch.Tensor) else input)

    def show(v):
        if isinstance(v, (float, np.floating)) and precision >= 0:
            text = f"{v:.{precision}{'e' if scientific else 'f'}}"
        elif isinstance(v, (float, np.floating)):
            text = f"{v:f}" if not shortest else repr(float(v))
        else:
            text = str(v)
        return text.rjust(width, fill or " ").encode() if width > 0 else text.encode()

    out = np.empty(array.shape, dtype=object)
    for index in np.ndindex(array.shape):
        out[index] = show(array[index].item())
    return _strings(out)


def to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002
    """A stable hash of each string modulo `num_buckets` (int64). The hash function differs
    from TensorFlow's farmhash, so bucket numbers differ from TensorFlow's."""
    return wrap(torch.as_tensor(_map(lambda s: zlib.crc32(s) % int(num_buckets), input).astype(np.int64)))


to_hash_bucket = to_hash_bucket_fast
to_hash_bucket_strong = to_hash_bucket_fast


def format(template, inputs, placeholder="{}", summarize=3, name=None):  # noqa: A001
    values = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    text = str(template)
    for value in values:
        shown = value.numpy() if hasattr(value, "numpy") else value
        text = text.replace(placeholder, str(shown), 1)
    return np.asarray(text.encode()).view(StringArray)
