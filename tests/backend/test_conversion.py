"""`backend.conversion.to_tensor`: array-likes as torch tensors, with Keras's dtype rules."""

import numpy as np
import pytest
import torch

from keraslite.backend.conversion import to_tensor
from keraslite.ops import dispatch


def test_ops_convert_with_the_same_function():
    assert dispatch.to_tensor is to_tensor


def test_to_tensor_follows_keras_dtype_rules():
    assert to_tensor(1.5).dtype == torch.float32
    assert to_tensor(3).dtype == torch.int32
    assert to_tensor(2**40).dtype == torch.int64
    assert to_tensor(True).dtype == torch.bool
    assert to_tensor([1.0, 2.0]).dtype == torch.float32
    assert to_tensor(np.zeros(2, "float64")).dtype == torch.float64  # arrays keep theirs
    assert to_tensor(np.float32(1.0)).ndim == 0
    assert to_tensor([1, 2], dtype="float16").dtype == torch.float16
    stacked = to_tensor([torch.ones(2), torch.zeros(2)])
    assert tuple(stacked.shape) == (2, 2)
    t = torch.ones(2)
    assert to_tensor(t) is t


def test_to_tensor_refuses_objects():
    with pytest.raises(TypeError, match="Cannot convert"):
        to_tensor([object()])
