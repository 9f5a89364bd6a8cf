"""`model.forward`: the signature torch's tools read (input names for a functional model,
`call`'s for a subclassed one) and the calls they make with it."""

import inspect

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers


def _two_inputs():
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b-values")  # not an identifier: input_1
    return keras.Model([a, b], layers.Dense(1)(layers.Concatenate()([a, b])))


def test_signatures():
    features = keras.Input((4,), name="features")
    single = keras.Model(features, layers.Dense(2)(features))
    assert str(inspect.signature(single.forward)) == "(features, *, training=None, mask=None)"
    assert str(inspect.signature(_two_inputs().forward)) == "(a, input_1=None, *, training=None, mask=None)"
    assert str(inspect.signature(keras.Sequential([keras.Input((3,)), layers.Dense(1)]).forward)) == (
        "(input_layer, *, training=None, mask=None)"
    )

    class Sub(keras.Model):
        def call(self, images, training=None):
            return images

    assert str(inspect.signature(Sub().forward)) == "(images, training=None)"


def test_inputs_one_by_one_by_position_name_or_structure():
    model = _two_inputs()
    x1, x2 = torch.rand(4, 3), torch.rand(4, 2)
    expected = model([x1, x2]).detach()
    for result in (
        model.forward(x1, x2),
        model.forward([x1, x2]),
        model.forward(a=x1, input_1=x2),
        model(x1, x2),
        model(x1, input_1=x2, training=False),
    ):
        torch.testing.assert_close(result.detach(), expected)
    with pytest.raises(TypeError, match="is missing input\\(s\\): input_1"):
        model.forward(a=x1)
    with pytest.raises(TypeError, match="takes at most 2 inputs"):
        model(x1, x2, x2)


def test_torch_can_patch_forward_and_put_it_back():
    model = _two_inputs()
    original = model.forward
    model.forward = lambda *args: "patched"
    assert model.forward() == "patched"
    del model.forward
    assert inspect.signature(model.forward) == inspect.signature(original)
    x = [np.random.rand(2, 3).astype("float32"), np.random.rand(2, 2).astype("float32")]
    assert model.forward(*[torch.from_numpy(v) for v in x]).shape == (2, 1)


def test_torch_export_of_a_two_input_model_in_the_plain_form():
    model = _two_inputs()
    batch = torch.export.Dim("batch")
    program = torch.export.export(model, (torch.rand(4, 3), torch.rand(4, 2)), dynamic_shapes=({0: batch}, {0: batch}))
    x1, x2 = torch.rand(7, 3), torch.rand(7, 2)
    torch.testing.assert_close(program.module()(x1, x2), model([x1, x2]).detach())
