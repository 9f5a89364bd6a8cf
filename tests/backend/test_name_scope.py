"""`keras.name_scope`: the path prefix of variables made inside a block."""

import pytest
import torch

import keraslite as keras
from keraslite.backend.name_scope import current_path, name_scope


def test_scopes_nest_and_prefix_new_weights():
    with keras.name_scope("encoder"):
        with keras.name_scope("block"):
            assert current_path() == "encoder/block"
            layer = keras.layers.Dense(2)
            layer.build((None, 3))
            variable = keras.Variable(torch.zeros(2), name="offset")
        assert current_path() == "encoder"
    assert current_path() == ""
    assert layer.kernel.path == "encoder/block/dense/kernel"
    assert variable.path == "encoder/block/offset" and variable.name == "offset"
    outside = keras.layers.Dense(2, name="plain")
    outside.build((None, 3))
    assert outside.kernel.path == "plain/kernel"


def test_a_scope_pops_even_when_its_block_raises():
    with pytest.raises(KeyError):
        with keras.name_scope("failing"):
            raise KeyError("inside")
    assert current_path() == ""


def test_same_caller_and_name_adds_no_level_unless_deduplicate_is_off():
    owner = object()
    with name_scope("layer", caller=owner):
        with name_scope("layer", caller=owner):
            assert current_path() == "layer"
        with name_scope("layer", caller=owner, deduplicate=False):
            assert current_path() == "layer/layer"
        with name_scope("layer"):
            assert current_path() == "layer/layer"


def test_override_parent_replaces_the_enclosing_path():
    with name_scope("outer"):
        with name_scope("inner", override_parent="root/branch"):
            assert current_path() == "root/branch/inner"
        assert current_path() == "outer"


@pytest.mark.parametrize("name", ["a/b", 3, None])
def test_name_must_be_a_string_without_slash(name):
    with pytest.raises(ValueError, match=f"cannot contain character `/`. Received: name={name}"):
        keras.name_scope(name)
