"""Weights with Keras's shape and torch's memory layout (layers/memory_layout.py): values,
shapes and the Parameter object stay; torch's view is contiguous, so no call copies it."""

import numpy as np
import torch
from torch.profiler import ProfilerActivity, profile

import keraslite as keras
from keraslite import layers
from keraslite.layers.memory_layout import lay_out_in_memory


def test_lay_out_keeps_shape_values_and_identity():
    variable = torch.nn.Parameter(torch.arange(24.0).reshape(2, 3, 4))
    before = variable.detach().clone()
    lay_out_in_memory(variable, (2, 0, 1))
    assert torch.equal(variable.detach(), before)
    assert variable.permute(2, 0, 1).is_contiguous() and not variable.is_contiguous()


def _clones(fn):
    fn()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fn()
    return sum(1 for event in prof.events() if event.name in ("aten::clone", "aten::contiguous"))


def test_lstm_kernels_are_read_without_a_copy(tmp_path):
    cls = layers.LSTM
    layer = cls(5)
    x = torch.randn(3, 4, 2)
    expected = layer(x)
    cell = layer.cell
    assert tuple(cell.kernel.shape) == (2, 20)
    assert cell.kernel.T.is_contiguous() and cell.recurrent_kernel.T.is_contiguous()
    assert all(w.flags["C_CONTIGUOUS"] for w in layer.get_weights())  # users see Keras's arrays
    # The floor: torch's own module (batch-first input is made time-major: one copy).
    module = torch.nn.LSTM(2, 5, batch_first=True)
    with torch.no_grad():
        floor = _clones(lambda: module(x))
        assert _clones(lambda: layer(x)) == floor
        # The check can fail: kernels in Keras's memory order are copied on every call.
        for weight in (cell.kernel, cell.recurrent_kernel):
            weight.value.data = weight.value.data.contiguous()
        torch.testing.assert_close(layer(x), expected)
        assert _clones(lambda: layer(x)) > floor
    inputs = keras.Input((4, 2))
    model = keras.Model(inputs, cls(5)(inputs))
    path = str(tmp_path / "rnn.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert loaded.layers[1].cell.kernel.T.is_contiguous()
