"""Recurrent layers under `torch.export` with a dynamic sequence length: the program runs
at other lengths and batch sizes than the traced ones, with the eager layer's numbers
(fused and step-loop cells, `go_backwards`, masks)."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers


def _export(model, sample):
    dims = {0: torch.export.Dim("batch"), 1: torch.export.Dim("length")}
    return torch.export.export(model, (sample,), dynamic_shapes=(dims,), strict=False).module()


@pytest.mark.parametrize(
    "make",
    [
        lambda: layers.LSTM(4, return_sequences=True, go_backwards=True),  # fused kernel when eager
        lambda: layers.GRU(3, activation="relu"),  # not fusable: the step loop when eager
    ],
    ids=["lstm-backwards-sequences", "gru-step-loop"],
)
def test_program_takes_any_length(make):
    inputs = keras.Input((None, 8))
    model = keras.Model(inputs, make()(inputs))
    program = _export(model, torch.ones(2, 5, 8))
    for shape in ((3, 9, 8), (1, 2, 8)):
        x = torch.randn(*shape)
        np.testing.assert_allclose(program(x).detach().numpy(), model(x).detach().numpy(), atol=1e-6)


def test_masked_program_takes_any_length():
    inputs = keras.Input((None,))
    embedded = layers.Embedding(20, 8, mask_zero=True)(inputs)
    model = keras.Model(inputs, layers.LSTM(4, return_sequences=True)(embedded))
    program = _export(model, torch.ones(2, 5))
    x = torch.randint(1, 20, (3, 9)).float()
    x[0, 6:] = 0  # right padding
    x[1, 2:4] = 0  # a gap
    np.testing.assert_allclose(program(x).detach().numpy(), model(x).detach().numpy(), atol=1e-6)
