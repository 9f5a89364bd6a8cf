"""torch's fused recurrent kernels over right-padded sequences: the valid steps only.

A mask that is right padding (each row: its valid steps, then padding; what `mask_zero=True`
gives for padded token sequences) lets a masked Keras RNN run in torch's packed-sequence
kernels, which skip the padding. Keras's outputs follow from the packed ones: a masked step
keeps the state, so the final state of a row is the one at its last valid step (for LSTM, `c`
as well as `h`); padded positions of the output sequence are zeros or repeat the last output.

`RightPadding.of(mask)` reads the mask once on the host (one sync per call, as a hand-written
`pack_padded_sequence` loop does) and builds the index maps: where each packed row comes from
(forward, or each row's valid steps reversed for `go_backwards`) and where its output goes.
"""

from __future__ import annotations

import torch


class RightPadding:
    """The valid-step layout of a right-padded `(batch, steps)` mask."""

    def __init__(self, lengths: torch.Tensor, device_lengths: torch.Tensor, steps: int):
        self.steps = steps
        self.lengths = lengths  # on the host: the index maps are built there
        self.device_lengths = device_lengths
        self.device = device_lengths.device
        self._cache = {}

    @classmethod
    def of(cls, mask: torch.Tensor) -> RightPadding | None:
        """The layout of `mask`, or None when some row has a valid step after a masked one."""
        lengths = mask.sum(dim=1)
        holes = (mask[:, 1:] & ~mask[:, :-1]).any(dim=1)
        # Host sync (one per call, never per step): the layout depends on the data.
        lengths_and_holes = torch.stack([lengths, holes.to(lengths.dtype)]).cpu()
        if bool(lengths_and_holes[1].any()):
            return None
        return cls(lengths_and_holes[0], lengths, mask.shape[1])

    def _cached(self, key, build):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def _rows_and_positions(self):
        """`(row offsets (batch, 1), positions (1, steps), lengths (batch, 1))`, on the host."""
        rows = torch.arange(len(self.lengths)).unsqueeze(1) * self.steps
        return rows, torch.arange(self.steps).unsqueeze(0), self.lengths.unsqueeze(1)

    def _packed_maps(self):
        return self._cached("packed", self._build_packed_maps)

    def _build_packed_maps(self):
        """The packed layout: rows sorted by length (rows without a valid step left out),
        `batch_sizes` per step, and where each packed row comes from and goes to."""
        lengths, steps = self.lengths, self.steps
        order = torch.argsort(lengths, descending=True, stable=True)
        order = order[: int((lengths > 0).sum())]  # rows without a valid step are not packed
        sorted_lengths = lengths[order]
        batch_sizes = (sorted_lengths.unsqueeze(0) > torch.arange(steps).unsqueeze(1)).sum(dim=1)
        batch_sizes = batch_sizes[batch_sizes > 0]
        time = torch.repeat_interleave(torch.arange(len(batch_sizes)), batch_sizes)
        starts = torch.cumsum(batch_sizes, 0) - batch_sizes
        rows = order[torch.arange(len(time)) - starts[time]]
        row_lengths = lengths[rows]
        forward = rows * steps + time
        backward_source = rows * steps + row_lengths - 1 - time
        backward_target = rows * steps + steps - row_lengths + time
        to_device = lambda index: index.to(self.device)  # noqa: E731
        return {
            "order": to_device(order),
            "batch_sizes": batch_sizes,  # torch wants it on the host
            "forward": to_device(forward),
            "backward_source": to_device(backward_source),
            "backward_target": to_device(backward_target),
        }

    @property
    def every_row_valid(self) -> bool:
        """Whether every row has at least one valid step."""
        return bool((self.lengths > 0).all())

    def run(
        self,
        op,
        sequences,
        hx: list,
        weights: list,
        has_biases: bool,
        training: bool,
        *,
        bidirectional=False,
        go_backwards=False,
        with_outputs=True,
    ):
        """`(outputs, final_states)` of the packed kernel `op` (`torch._VF.lstm`/`gru`/`rnn_tanh`).

        `hx`: the initial states, each `(directions, batch, units)`. `outputs` (None unless
        `with_outputs`): `(batch, steps, units * directions)` in processing order (Keras's order
        for `go_backwards`; time order for `bidirectional`), zeros at the padded positions.
        `final_states`: each `(directions, batch, units)`, the initial state for rows without a
        valid step."""
        maps = self._packed_maps()
        batch, steps, features = sequences.shape
        if not len(maps["batch_sizes"]):  # no row has a valid step (torch's kernel would crash)
            units = hx[0].shape[-1] * hx[0].shape[0]
            outputs = sequences.new_zeros(batch, steps, units) if with_outputs else None
            return outputs, list(hx)
        source = maps["backward_source"] if go_backwards else maps["forward"]
        data = sequences.reshape(batch * steps, features).index_select(0, source)
        order = maps["order"]
        packed_hx = [h.index_select(1, order) for h in hx]
        result = op(
            data,
            maps["batch_sizes"],
            tuple(packed_hx) if len(packed_hx) > 1 else packed_hx[0],
            weights,
            has_biases,
            1,  # num_layers
            0.0,  # dropout between layers
            bool(training),
            bidirectional,
        )
        packed_outputs, packed_finals = result[0], result[1:]
        finals = [h.index_copy(1, order, f) for h, f in zip(hx, packed_finals)]
        if not with_outputs:
            return None, finals
        target = maps["backward_target"] if go_backwards else maps["forward"]
        outputs = packed_outputs.new_zeros(batch * steps, packed_outputs.shape[-1])
        outputs = outputs.index_copy(0, target, packed_outputs)
        return outputs.view(batch, steps, -1), finals

    def reversed_valid_index(self) -> torch.Tensor:
        """Flat `(batch * steps)` index that reverses each row's valid steps in place (padding
        stays where it is): a forward run over it is a `go_backwards` run over the valid steps."""

        def build():
            rows, positions, ends = self._rows_and_positions()
            within = torch.where(positions < ends, ends - 1 - positions, positions)
            return (rows + within).reshape(-1).to(self.device)

        return self._cached("reversed", build)

    def padding_first_index(self) -> tuple[torch.Tensor, torch.Tensor]:
        """`(index, padded)`: the flat index that moves each row's valid steps after its padding
        (a `go_backwards` run's outputs are in processing order: padding first), and the
        `(batch, steps, 1)` bool of the padded positions there."""

        def build():
            rows, positions, ends = self._rows_and_positions()
            shift = positions - (self.steps - ends)
            index = (rows + shift.clamp(min=0)).reshape(-1)
            return index.to(self.device), (shift < 0).unsqueeze(-1).to(self.device)

        return self._cached("padding_first", build)


def prefer_packed() -> bool:
    """Whether a masked call runs the packed kernel rather than the full-length one (plus the
    index work): at inference, where skipping the padding pays; in training the full-length
    kernel, whose backward has no scatter, is faster on CPU.

    `python tools/masked_rnn_benchmark.py` (2-core CPU, one thread, 64 steps, lengths 8-64):
    packed over full-length time 0.47-0.88 at inference (batch 1024: Bidirectional(GRU) 0.47,
    Bidirectional(LSTM) 0.78, LSTM 0.88) and 0.99-1.79 in training (batch 64: LSTM 1.79,
    Bidirectional(LSTM) 1.62). The same rule for every kernel and device until one is
    measured otherwise (CUDA is not measured yet)."""
    return not torch.is_grad_enabled()
