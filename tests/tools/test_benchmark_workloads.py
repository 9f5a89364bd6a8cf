"""tools/benchmark_workloads.py: each hand-written PyTorch module does the same work as its
Keras model (same number of parameters, same output shape), and real Keras 3 builds the
same models as keraslite (the same parameter counts)."""

import os
import sys

import numpy as np
import pytest
import torch

import keraslite

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tools"))
import benchmark_workloads as workloads  # noqa: E402


def torch_params(module):
    """Parameters and BatchNorm's moving statistics (Keras counts those, as non-trainable
    weights), less the second bias of torch's LSTMs (Keras's LSTM has one; the sum of two
    biases is the same work). Keras's GRU (reset_after=True) has torch's two."""
    total = sum(p.numel() for p in module.parameters())
    total += sum(b.numel() for name, b in module.named_buffers() if name.endswith(("running_mean", "running_var")))
    second_biases = sum(
        p.numel()
        for lstm in module.modules()
        if isinstance(lstm, torch.nn.LSTM)
        for name, p in lstm.named_parameters()
        if name.startswith("bias_hh")
    )
    return total - second_biases


@pytest.mark.parametrize("workload", ["W1", "W2", "W3", "W4", "W5", "W6"])
def test_hand_written_torch_has_the_keras_models_parameters_and_outputs(workload):
    keraslite.backend.clear_session()
    model = workloads.keras_model(keraslite, workload)
    module = workloads.torch_model(torch, workload)
    assert torch_params(module) == model.count_params()
    if workload in ("W4", "W6"):  # the new workloads: outputs and loss agree in shape and kind
        data = workloads.make_data(workload, 4, np.random.default_rng(0))
        x, y = workloads.torch_tensors(torch, workload, data)
        module.eval()
        out = module(*x)
        assert tuple(out.shape) == tuple(model.predict(data["x"], verbose=0).shape)
        assert workloads.torch_loss(torch, workload, out, y).dim() == 0


@pytest.mark.parametrize("workload", ["W4", "W6"])
def test_real_keras_builds_the_same_model(workload):
    os.environ.setdefault("KERAS_BACKEND", "torch")  # before real Keras's first import
    keras = pytest.importorskip("keras")
    keraslite.backend.clear_session()
    assert (
        workloads.keras_model(keras, workload).count_params()
        == workloads.keras_model(keraslite, workload).count_params()
    )


def test_text_data_is_right_padded_with_zeros():
    tokens = workloads.make_data("W6", 32, np.random.default_rng(0))["x"]
    lengths = (tokens != 0).sum(axis=1)
    assert lengths.min() >= 8
    for row, length in zip(tokens, lengths):
        assert (row[:length] != 0).all() and (row[length:] == 0).all()
