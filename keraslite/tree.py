"""`keras.tree`: nested structures (lists, tuples, namedtuples, dicts, deques) of leaves.

Keras 3 on the torch backend builds these on torch's pytree, and so do we, so that what counts
as a node and the order of leaves are the same: plain dicts (and defaultdicts) are visited in
sorted key order by `flatten`, `flatten_with_path`, `pack_sequence_as` and `traverse`, while an
`OrderedDict` keeps its own order; `None` is a leaf; strings, arrays and tensors are leaves.
`map_structure` keeps each dict's own key order in what it returns.

(`keraslite.backend.tree` holds the package's internal helpers, which keep insertion order.)
"""

from __future__ import annotations

import warnings
from collections import defaultdict

from torch.utils import _pytree as pytree

__all__ = [
    "MAP_TO_NONE",
    "assert_same_paths",
    "assert_same_structure",
    "flatten",
    "flatten_with_path",
    "is_nested",
    "lists_to_tuples",
    "map_shape_structure",
    "map_structure",
    "map_structure_up_to",
    "pack_sequence_as",
    "traverse",
]


class MAP_TO_NONE:
    """Returned by a `traverse` function to replace a sub-structure with `None`."""


def _is_leaf(value) -> bool:
    return pytree._get_node_type(value) not in pytree.SUPPORTED_NODES


def is_nested(structure) -> bool:
    """Whether `structure` is a list, tuple, namedtuple, dict, OrderedDict, defaultdict or
    deque (or a registered pytree node), as opposed to a leaf."""
    return not _is_leaf(structure)


def _children(structure):
    """The direct children of a node, and the spec that puts them back together."""
    return pytree.tree_flatten(structure, is_leaf=lambda x: x is not structure)


def _sorted_dict(value):
    if type(value) is dict:
        return {key: value[key] for key in sorted(value)}
    if type(value) is defaultdict:
        return defaultdict(value.default_factory, {key: value[key] for key in sorted(value)})
    return value


def _sort_dicts(structure):
    """`structure` with every plain dict and defaultdict rebuilt in sorted key order."""
    structure = _sorted_dict(structure)
    if _is_leaf(structure):
        return structure
    children, spec = _children(structure)
    if spec.num_nodes == 1 and spec.num_leaves == 1:
        return structure
    return pytree.tree_unflatten([_sort_dicts(child) for child in children], spec)


def _resolve(replacement, original):
    if replacement is None:
        return original
    if replacement is MAP_TO_NONE:
        return None
    return replacement


def traverse(func, structure, top_down: bool = True):
    """Apply `func` to every sub-structure and leaf of `structure`.

    Top-down, `func` sees a node before its children: a return of `None` goes on into the
    node, anything else replaces the node without visiting it. Bottom-up, `func` sees a node
    after its children were traversed; `None` keeps the traversed node. Return `MAP_TO_NONE`
    to put `None` in the result.
    """
    structure = _sort_dicts(structure)

    def visit_children(node):
        if _is_leaf(node):
            return node
        children, spec = _children(node)
        if spec.num_nodes == 1 and spec.num_leaves == 1:
            return node
        return pytree.tree_unflatten([visit(child) for child in children], spec)

    def visit(node):
        if top_down:
            replacement = func(node)
            if replacement is None:
                return visit_children(node)
            return _resolve(replacement, node)
        traversed = visit_children(node)
        return _resolve(func(traversed), traversed)

    return visit(structure)


def flatten(structure) -> list:
    """The leaves of `structure` in order (plain dicts by sorted key); a leaf gives `[leaf]`."""
    if not is_nested(structure):
        return [structure]
    leaves, _ = pytree.tree_flatten(_sort_dicts(structure))
    return leaves


def _path_entry(key, field_index):
    if isinstance(key, pytree.SequenceKey):
        return key.idx
    if isinstance(key, pytree.MappingKey):
        return key.key
    if isinstance(key, pytree.GetAttrKey):
        return field_index[key.name]
    return key


def flatten_with_path(structure) -> list:
    """`(path, leaf)` pairs: a path is the tuple of indices and dict keys leading to the leaf.
    As in Keras on torch, a namedtuple field's path entry is its rank among the structure's
    field names in sorted order."""
    keyed, _ = pytree.tree_flatten_with_path(_sort_dicts(structure))
    field_names = sorted({key.name for path, _ in keyed for key in path if isinstance(key, pytree.GetAttrKey)})
    field_index = {name: i for i, name in enumerate(field_names)}
    return [(tuple(_path_entry(key, field_index) for key in path), leaf) for path, leaf in keyed]


def map_structure(func, *structures, none_is_leaf: bool = True):
    """`func` applied leaf-wise to `structures`, which must share one layout; the result has
    that layout. With `none_is_leaf=False`, `None` leaves are passed through untouched."""
    if not structures:
        raise ValueError("map_structure() needs at least one structure. Received: no structures.")
    if len(structures) == 1 and not is_nested(structures[0]):
        if structures[0] is None and not none_is_leaf:
            return None
        return func(structures[0])
    call = func
    if not none_is_leaf:

        def call(*leaves):
            if leaves[0] is None:
                if any(leaf is not None for leaf in leaves):
                    raise ValueError(
                        "Structure mismatch: a leaf is None in the first structure but not in all the others. "
                        f"Received leaves: {leaves}."
                    )
                return None
            return func(*leaves)

    return pytree.tree_map(call, *structures)


def map_structure_up_to(shallow_structure, func, *structures):
    """`func` applied to the sub-structures of `structures` found at the leaves of
    `shallow_structure`; anything nested deeper is passed whole."""
    if not structures:
        raise ValueError("map_structure_up_to() needs at least one structure. Received: no structures.")

    def call(shallow, *values):
        if not _is_leaf(shallow):
            raise ValueError("Structures don't have the same nested structure.")
        return func(*values)

    return pytree.tree_map(call, shallow_structure, *structures)


def assert_same_structure(a, b, check_types=None) -> None:
    """Raise `ValueError` unless `a` and `b` nest the same way with the same container types
    (dicts of any kind match each other; list, tuple, namedtuple and deque do not)."""
    if check_types is not None:
        warnings.warn(
            "The `check_types` argument of keras.tree.assert_same_structure is deprecated and has no effect"
            + (
                "; for a check that ignores container types use keras.tree.assert_same_paths()."
                if not check_types
                else "."
            ),
            stacklevel=2,
        )

    def check(a_leaf, b_leaf):
        if not _is_leaf(a_leaf) or not _is_leaf(b_leaf):
            raise ValueError("Structures don't have the same nested structure.")

    pytree.tree_map(check, a, b)


def assert_same_paths(a, b) -> None:
    """Raise `ValueError` unless `a` and `b` have the same leaf paths, whatever their
    container types; the message lists the paths found in only one of them."""
    a_paths = {path for path, _ in flatten_with_path(a)}
    b_paths = {path for path, _ in flatten_with_path(b)}
    if a_paths == b_paths:
        return
    message = "`a` and `b` don't have the same paths."
    if a_paths - b_paths:
        message += f"\nPaths in `a` missing in `b`:\n{a_paths - b_paths}"
    if b_paths - a_paths:
        message += f"\nPaths in `b` missing in `a`:\n{b_paths - a_paths}"
    raise ValueError(message)


def pack_sequence_as(structure, flat_sequence):
    """The leaves of `flat_sequence`, in order, put into the layout of `structure` (plain dicts
    filled in sorted key order and returned sorted)."""
    _, spec = pytree.tree_flatten(_sort_dicts(structure))
    return pytree.tree_unflatten(list(flat_sequence), spec)


def lists_to_tuples(structure):
    """`structure` with every list turned into a tuple."""
    return traverse(lambda node: tuple(node) if isinstance(node, list) else None, structure, top_down=False)


def _is_shape_tuple(value) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(d, (int, type(None))) for d in value)


def map_shape_structure(func, structure):
    """Like `map_structure`, but a list or tuple of ints and `None` (a shape) is one leaf."""
    return pytree.tree_map(func, _sort_dicts(structure), is_leaf=_is_shape_tuple)
