"""keraslite.backend.tree, the package's internal structure helpers."""

import gc

import torch

from keraslite.backend import tree


def test_flatten_order_keeps_insertion_order():
    assert tree.flatten({"b": 1, "a": [2, (3, None)]}) == [1, 2, 3, None]
    assert tree.flatten(5) == [5]


def test_flatten_leaves_no_reference_cycle():
    # A layer call flattens its inputs and outputs; a cycle here would keep those tensors
    # alive until the cyclic garbage collector ran (peak memory of a whole forward pass).
    tensor = torch.zeros(3)
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(3):
            tree.flatten([tensor, {"x": (tensor,)}])
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()
