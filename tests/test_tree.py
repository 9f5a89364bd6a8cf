"""`keraslite.tree` against `keras.tree` (torch backend): the same leaves, order, paths and errors."""

import collections
import warnings

import numpy as np
import pytest
import torch

import keraslite
from keraslite import tree

# Each case is an expression over `t` (the tree module) evaluated here and in real Keras; the
# reprs must agree (tuples, dict key order and namedtuples included).
SETUP = "import collections\nP = collections.namedtuple('P', 'y x')\n"
CASES = [
    "t.flatten(None)",
    "t.flatten(5)",
    "t.flatten([1, None, {'b': 2, 'a': None}])",
    "t.flatten(collections.OrderedDict(b=1, a=2))",
    "t.flatten(P(1, [2, 3]))",
    "t.flatten({})",
    "t.flatten_with_path({'b': [1, 2], 'a': (3, None)})",
    "t.flatten_with_path(P(1, [2]))",
    "t.is_nested(None), t.is_nested('ab'), t.is_nested(collections.deque([1])), t.is_nested(set([1]))",
    "t.map_structure(lambda x: x, {'b': 1, 'a': None})",
    "t.map_structure(lambda x: 0 if x is None else 2 * x, {'b': 1, 'a': None})",
    "t.map_structure(lambda x: x, {'b': 1, 'a': None}, none_is_leaf=False)",
    "t.map_structure(lambda x: x + 1, P(1, 2))",
    "t.map_structure(lambda x, y: x + y, {'a': 1, 'b': 2}, {'b': 3, 'a': 4})",
    "t.map_structure(lambda x: x, 3)",
    "t.pack_sequence_as({'b': 0, 'a': 0}, [1, 2])",
    "t.pack_sequence_as(((0, 0), (0, 0, 0), 0), [1, 2, 3, 4, 5, 6])",
    "t.lists_to_tuples([1, [2, {'a': [3]}]])",
    "t.map_shape_structure(lambda s: len(s), {'x': (None, 3), 'y': [(1, 2), (3,)]})",
    "t.traverse(lambda x: None, [(1, 2), [3], {'a': 4}])",
    "t.traverse(lambda x: t.MAP_TO_NONE if x == 3 else None, [(1, 2), [3]])",
    "t.traverse(lambda x: 'seen' if isinstance(x, tuple) else None, [(1, 2), [3]])",
    "t.traverse(lambda x: x * 10 if isinstance(x, int) else None, {'b': [1], 'a': 2}, top_down=False)",
    "t.map_structure_up_to([0, 0], lambda a: str(a), [[1, 1], [2, 2]])",
]
ERRORS = [
    "t.assert_same_structure([1, 2], (1, 2))",
    "t.assert_same_structure([1, [2]], [1, 2])",
    "t.assert_same_paths([1, 2], [1])",
    "t.map_structure_up_to([[0, 0], [0]], str, [[1, 1], 2])",
    "t.pack_sequence_as([0, 0], [1])",
    "t.map_structure(lambda x, y: x, [1, 2], [1])",
]


def _keras_reprs(oracle):
    code = SETUP + "t = keras.tree\nresult['cases'] = [repr(eval(c)) for c in CASES]\nerrors = []\n"
    code += "for c in ERRORS:\n    try:\n        eval(c)\n        errors.append(None)\n"
    code += "    except Exception as e:\n        errors.append(type(e).__name__)\nresult['errors'] = errors\n"
    return oracle.run(f"CASES = {CASES!r}\nERRORS = {ERRORS!r}\n" + code)


def test_tree_matches_keras(keras_oracle):
    expected = _keras_reprs(keras_oracle)
    scope = {"t": tree, "collections": collections, "P": collections.namedtuple("P", "y x")}
    for case, want in zip(CASES, expected["cases"]):
        assert repr(eval(case, scope)) == want, case
    for case, want in zip(ERRORS, expected["errors"]):
        with pytest.raises(Exception) as info:
            eval(case, scope)
        assert type(info.value).__name__ == want, case


def test_arrays_and_tensors_are_leaves_and_namespace_is_public():
    array, tensor = np.zeros(2), torch.ones(2)
    assert tree.flatten({"b": tensor, "a": [array]}) == [array, tensor]
    assert keraslite.tree is tree
    assert not tree.is_nested(array) and not tree.is_nested(tensor)


def test_none_is_leaf_false_rejects_mixed_none():
    with pytest.raises(ValueError, match="a leaf is None in the first structure"):
        tree.map_structure(lambda a, b: a, [None], [1], none_is_leaf=False)


def test_check_types_is_deprecated():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tree.assert_same_structure([1], [2], check_types=False)
    assert "assert_same_paths" in str(caught[0].message)
