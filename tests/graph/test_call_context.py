"""The outermost-call output wrapper: off by default, applied only to the outermost call."""

import numpy as np
import torch

import keraslite as keras
from keraslite.graph import call_context


class Marked(torch.Tensor):
    __torch_function__ = torch._C._disabled_torch_function_impl


def test_outputs_are_plain_tensors_without_a_wrapper():
    model = keras.Sequential([keras.layers.Dense(2)])
    assert type(model(np.ones((1, 3), "float32"))) is torch.Tensor


def test_wrapper_applies_to_the_outermost_call_only():
    seen = []

    class Probe(keras.layers.Layer):
        def call(self, x):
            inner = self.inner(x)
            seen.append(type(inner))
            return inner

        def build(self, shape):
            self.inner = keras.layers.Dense(2)

    probe = Probe()
    call_context.set_outermost_output_wrapper(lambda out: out.as_subclass(Marked))
    try:
        out = probe(np.ones((1, 3), "float32"))
    finally:
        call_context.set_outermost_output_wrapper(None)
    assert type(out) is Marked and seen[-1] is torch.Tensor
    assert type(probe(np.ones((1, 3), "float32"))) is torch.Tensor
