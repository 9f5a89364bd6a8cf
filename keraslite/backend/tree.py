"""Nested structures (lists, tuples, dicts) of leaves: flatten, rebuild, map."""

from __future__ import annotations


def is_nested(x) -> bool:
    return isinstance(x, (list, tuple, dict))


def flatten(structure) -> list:
    """Leaves in order; dicts by insertion order (as Keras 3 keeps them)."""
    out = []

    def walk(x):
        if isinstance(x, dict):
            for value in x.values():
                walk(value)
        elif isinstance(x, (list, tuple)):
            for value in x:
                walk(value)
        else:
            out.append(x)

    walk(structure)
    return out


def map_structure(fn, structure):
    if isinstance(structure, dict):
        return (
            type(structure)((k, map_structure(fn, v)) for k, v in structure.items())
            if type(structure) is not dict
            else {k: map_structure(fn, v) for k, v in structure.items()}
        )
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return type(structure)(*(map_structure(fn, v) for v in structure))
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(fn, v) for v in structure)
    return fn(structure)


def pack_sequence_as(structure, flat):
    """Rebuild `structure` with the leaves taken in order from `flat`."""
    iterator = iter(flat)
    result = map_structure(lambda _: next(iterator), structure)
    return result
