import copy

import numpy as np
import pytest
import torch

from keraslite import layers
from keraslite.backend.variable import Variable


def test_variable_is_a_parameter_with_keras_api():
    layer = layers.Dense(3, name="d")
    layer.build((None, 2))
    kernel = layer.kernel
    assert isinstance(kernel, torch.nn.Parameter)
    assert kernel.name == "kernel" and kernel.path == "d/kernel"
    assert kernel.numpy().shape == (2, 3)
    kernel.assign(np.ones((2, 3)))
    assert np.all(layer.get_weights()[0] == 1)
    with pytest.raises(ValueError, match=r"variable.shape=\(2, 3\).*value.shape=\(3, 2\)"):
        kernel.assign(np.ones((3, 2)))


def test_trainable_flag_is_requires_grad():
    v = Variable(torch.zeros(2), trainable=True, name="v")
    v.trainable = False
    assert not v.requires_grad


def test_deepcopy_keeps_metadata():
    v = Variable(torch.ones(2), name="w", path="layer/w")
    w = copy.deepcopy(v)
    assert isinstance(w, Variable) and w.path == "layer/w" and torch.equal(w, v) and w is not v


def test_assign_add_sub():
    v = Variable(torch.zeros(2), name="v")
    v.assign_add(np.array([1.0, 2.0]))
    v.assign_sub(1.0)
    np.testing.assert_array_equal(v.numpy(), [0.0, 1.0])
