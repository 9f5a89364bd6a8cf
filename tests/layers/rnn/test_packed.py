"""Masked recurrent layers over right-padded sequences (layers/rnn/packed.py): the packed
kernel and the full-length fused kernel give the step loop's outputs, states and gradients
(Keras's semantics, pinned against real Keras in test_masks.py and test_recurrent.py)."""

import itertools

import pytest
import torch

from keraslite import layers
from keraslite.layers.rnn import packed
from keraslite.layers.rnn.builtin import BuiltinRNN

LENGTHS = [7, 3, 0, 1, 5, 7]  # a row without a valid step, full rows, short ones


def _inputs(steps=7, features=3):
    torch.manual_seed(0)
    x = torch.randn(len(LENGTHS), steps, features)
    mask = torch.arange(steps)[None] < torch.tensor(LENGTHS)[:, None]
    return x, mask


def _run(layer, x, mask, route, monkeypatch, initial_state=None, grad=True):
    """Outputs and the gradients of inputs and weights with the masked call forced to `route`."""
    with monkeypatch.context() as patch:
        if route == "loop":
            patch.setattr(packed.RightPadding, "of", classmethod(lambda cls, mask: None))
        else:
            patch.setattr(packed, "prefer_packed", lambda: route == "packed")
        x = x.clone().requires_grad_(grad)
        with torch.set_grad_enabled(grad):
            outputs = layer(x, mask=mask, initial_state=initial_state)
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    if not grad:
        return outputs, []
    total = sum((o * torch.linspace(-1, 1, o.numel()).view(o.shape)).sum() for o in outputs)
    weights = [w.value for w in layer.trainable_weights]
    grads = torch.autograd.grad(total, [x] + weights)
    return outputs, list(grads)


@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU, layers.SimpleRNN])
@pytest.mark.parametrize(
    "go_backwards,return_sequences,return_state,zero_output_for_mask",
    [c for c in itertools.product([False, True], repeat=4) if c[1] or not c[3]],
)
def test_fused_routes_equal_the_step_loop(
    cls, go_backwards, return_sequences, return_state, zero_output_for_mask, monkeypatch
):
    x, mask = _inputs()
    layer = cls(4, go_backwards=go_backwards, return_sequences=return_sequences, return_state=return_state)
    layer.zero_output_for_mask = zero_output_for_mask
    states = [torch.randn(len(LENGTHS), 4) for _ in range(2 if cls is layers.LSTM else 1)]
    expected, expected_grads = _run(layer, x, mask, "loop", monkeypatch, initial_state=states)
    for route, grad in (("packed", True), ("packed", False), ("full", True)):
        got, grads = _run(layer, x, mask, route, monkeypatch, initial_state=states, grad=grad)
        full_lstm_state = route == "full" and return_state and cls is layers.LSTM
        if full_lstm_state:
            continue  # the full-length kernel has no final carry: the layer takes the packed one
        for want, have in zip(expected, got):
            torch.testing.assert_close(have, want, rtol=1e-5, atol=1e-6, msg=f"{route} outputs")
        for want, have in zip(expected_grads, grads):
            torch.testing.assert_close(have, want, rtol=1e-4, atol=1e-5, msg=f"{route} gradients")


def test_lstm_final_carry_comes_from_the_packed_kernel(monkeypatch):
    """`return_state=True` on a masked LSTM: the carry at each row's last valid step, without
    the step loop (which needed it before)."""
    x, mask = _inputs()
    layer = layers.LSTM(4, return_state=True)
    expected, _ = _run(layer, x, mask, "loop", monkeypatch, grad=False)

    def no_loop(*args, **kwargs):
        raise AssertionError("the step loop ran")

    monkeypatch.setattr(BuiltinRNN, "_step_loop", no_loop)
    got = layer(x, mask=mask)
    for want, have in zip(expected, got):
        torch.testing.assert_close(have, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "make",
    [
        lambda: layers.GRU(3, return_sequences=True, return_state=True),
        lambda: layers.LSTM(3, return_sequences=True, return_state=True, go_backwards=True),
        lambda: layers.Bidirectional(layers.GRU(3)),
        lambda: layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
    ],
)
def test_a_batch_without_any_valid_step_gives_the_step_loop_result(make, monkeypatch):
    """Every row fully masked: no packed kernel runs (torch's crashes on an empty packed
    batch); outputs are zeros and states the initial ones, as in the step loop."""
    x = torch.randn(3, 4, 2)
    mask = torch.zeros(3, 4, dtype=torch.bool)
    layer = make()
    with torch.no_grad():
        got = _flat(layer(x, mask=mask))
        monkeypatch.setattr(packed.RightPadding, "of", classmethod(lambda cls, mask: None))
        expected = _flat(layer(x, mask=mask))
    for want, have in zip(expected, got, strict=True):
        torch.testing.assert_close(have, want)


def test_masks_that_are_not_right_padding_take_the_step_loop():
    mask = torch.tensor([[True, False, True], [True, True, False]])
    assert packed.RightPadding.of(mask) is None
    padding = packed.RightPadding.of(torch.tensor([[True, True, False], [False, False, False]]))
    assert padding.lengths.tolist() == [2, 0] and not padding.every_row_valid


def test_packed_layout_follows_the_lengths():
    padding = packed.RightPadding.of(torch.arange(4)[None] < torch.tensor([2, 4, 0, 1])[:, None])
    maps = padding._packed_maps()
    assert maps["batch_sizes"].tolist() == [3, 2, 1, 1]  # rows 1, 0, 3 at step 0; 1, 0 at step 1 ...
    assert maps["order"].tolist() == [1, 0, 3]
    assert maps["forward"].tolist() == [4, 0, 12, 5, 1, 6, 7]
    # backwards: row 1 reads its steps 3, 2, 1, 0; its outputs land after no padding
    assert maps["backward_source"][[0, 3, 5, 6]].tolist() == [7, 6, 5, 4]
    # row 0 (length 2) reads steps 1, 0 and writes them after its 2 padded steps: 2, 3
    assert maps["backward_source"][[1, 4]].tolist() == [1, 0]
    assert maps["backward_target"][[1, 4]].tolist() == [2, 3]


def test_packed_kernel_is_used_for_inference_where_it_is_faster():
    with torch.no_grad():
        assert packed.prefer_packed()
    assert not packed.prefer_packed()  # training keeps the full-length kernel


@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU, layers.SimpleRNN])
@pytest.mark.parametrize("merge_mode", ["concat", "sum", None])
@pytest.mark.parametrize("return_sequences,return_state", [(True, False), (False, False), (True, True), (False, True)])
def test_bidirectional_packed_kernel_equals_two_step_loops(
    cls, merge_mode, return_sequences, return_state, monkeypatch
):
    """At inference a Bidirectional layer over right padding runs both directions in one
    packed kernel; the outputs and states are those of the two layers' step loops."""
    x, mask = _inputs()
    layer = layers.Bidirectional(
        cls(4, return_sequences=return_sequences, return_state=return_state), merge_mode=merge_mode
    )
    count = 4 if cls is layers.LSTM else 2
    states = [torch.randn(len(LENGTHS), 4) for _ in range(count)]
    with torch.no_grad():
        calls = []
        original = packed.RightPadding.run
        monkeypatch.setattr(packed.RightPadding, "run", lambda *a, **k: calls.append(k) or original(*a, **k))
        got = layer(x, mask=mask, initial_state=states)
        assert [k["bidirectional"] for k in calls] == [True]
        monkeypatch.setattr(packed.RightPadding, "of", classmethod(lambda cls, mask: None))
        expected = layer(x, mask=mask, initial_state=states)
    for want, have in zip(_flat(expected), _flat(got), strict=True):
        torch.testing.assert_close(have, want, rtol=1e-5, atol=1e-6)


def _flat(outputs):
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return [o for part in outputs for o in (part if isinstance(part, (list, tuple)) else [part])]
