"""`keras.backend.result_type`: Keras 3's dtype promotion, which follows JAX's lattice.

The lattice orders the dtypes by "can hold without surprise": bool < weak int < the integer
widths < weak float < bfloat16 / float16 < float32 < float64 < complex128 (and float32 <
complex64 < complex128). A Python `int` or `float` is *weak*: it takes the other operand's
kind and width (`int8 + 1` stays int8, `int32 + 1.0` becomes float32). The result of a set
of dtypes is their least upper bound; 64-bit results then narrow to 32 bits (int64 ->
int32, float64 -> float32 ...), as on Keras's torch backend, unless every input said so.
"""

from __future__ import annotations

import functools

from keraslite.backend.dtypes import standardize_dtype
from keraslite.backend.state import floatx

_WEAK_INT, _WEAK_FLOAT = "int", "float"

# Each dtype's immediate successors on the lattice.
_SUCCESSORS = {
    "bool": (_WEAK_INT,),
    _WEAK_INT: ("uint8", "int8", "complex64"),
    "uint8": ("int16", "uint16"),
    "uint16": ("int32", "uint32"),
    "uint32": ("int64", "uint64"),
    "uint64": (_WEAK_FLOAT,),
    "int8": ("int16",),
    "int16": ("int32",),
    "int32": ("int64",),
    "int64": (_WEAK_FLOAT,),
    _WEAK_FLOAT: ("bfloat16", "float16"),
    "bfloat16": ("float32",),
    "float16": ("float32",),
    "float32": ("float64", "complex64"),
    "float64": ("complex128",),
    "complex64": ("complex128",),
    "complex128": (),
}
_NARROW_64_BITS = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}


@functools.lru_cache(maxsize=None)
def _upper_bounds(dtype: str) -> frozenset:
    """`dtype` and everything above it on the lattice."""
    bounds = {dtype}
    for successor in _SUCCESSORS[dtype]:
        bounds |= _upper_bounds(successor)
    return frozenset(bounds)


def _least_upper_bound(nodes: set) -> str:
    common = frozenset.intersection(*(_upper_bounds(n) for n in nodes))
    least = (common & nodes) or {c for c in common if common <= _upper_bounds(c)}
    if len(least) != 1:
        raise ValueError(
            f"Input dtypes {tuple(sorted(nodes))} have no implicit dtype promotion path. "
            "Cast the inputs explicitly to the dtype you want."
        )
    return next(iter(least))


def _as_weak(dtype: str) -> str:
    if dtype == "bool":
        return dtype
    for kind in ("complex", "float", "int"):
        if kind in dtype:
            return "complex64" if kind == "complex" else kind
    raise ValueError(f"Invalid dtype for promotion: {dtype!r}")


def _resolve_weak(dtype: str) -> str:
    """A weak result at the precision of `floatx()`: weak int -> int32 (float32 floatx)."""
    precision = floatx()[-2:]
    if dtype == "bool":
        return dtype
    if dtype.startswith("uint"):
        return f"uint{precision}"
    if dtype.startswith("int"):
        return f"int{precision}"
    return f"float{precision}"


def _parse(value) -> tuple[str, bool]:
    if value is int:
        return "int32", True
    if value is float:
        return "float32", True
    if value is bool:
        return "bool", False
    if value is None:
        return floatx(), False
    return standardize_dtype(value), False


def result_type(*dtypes) -> str:
    """The dtype Keras gives an operation on values of `dtypes` (dtype names, numpy/torch
    dtypes, or the Python types `int`, `float`, `bool` for weakly typed scalars);
    `floatx()` when none are given."""
    if not dtypes:
        return floatx()
    names, weak = zip(*(_parse(d) for d in dtypes))
    if len(names) == 1:
        result, result_weak = names[0], weak[0]
    elif len(set(names)) == 1 and not all(weak):
        result, result_weak = names[0], False
    elif all(weak):
        result, result_weak = _least_upper_bound(set(names)), True
    else:
        nodes = {_as_weak(n) if w else n for n, w in zip(names, weak)}
        result = _least_upper_bound(nodes)
        result_weak = result in (_WEAK_INT, _WEAK_FLOAT)
    if result_weak and result != "bool":
        result = _resolve_weak(result)
    return _NARROW_64_BITS.get(result, result)
