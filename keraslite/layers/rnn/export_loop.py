"""The RNN time loop as `torch.export` needs it when the number of steps is symbolic.

Under `torch.export` (and the ONNX exporter built on it) with a dynamic sequence length, a
Python loop over time steps (and torch's fused LSTM/GRU kernels, which torch.export unrolls
into one) would fix the exported program to the traced length. `scan_steps` runs the same
step function through torch's `scan` operator instead, so the program takes any length.
"""

from __future__ import annotations

import torch


def has_symbolic_steps(sequences: torch.Tensor) -> bool:
    """Whether `sequences`' time axis (axis 1) is symbolic: a dynamic length being exported."""
    return isinstance(sequences.shape[1], torch.SymInt) and torch.compiler.is_exporting()


def scan_steps(inputs, states, mask, step, go_backwards: bool, zero_output_for_mask: bool, keep_masked, step_mask):
    """`(last_output, outputs, final_states)` of `step(x_t, states) -> (output, states)` over
    axis 1 of `inputs`, as `RNN._step_loop` computes them (outputs in processing order)."""
    from torch._higher_order_ops.scan import scan

    if go_backwards:
        inputs = inputs.flip(1)
        mask = None if mask is None else mask.flip(1)
    states = list(states)
    if mask is None:

        def combine(carry, x_t):
            output, new_states = step(x_t, list(carry))
            return [s.clone() for s in new_states], output.clone()

        final_states, outputs = scan(combine, states, inputs, dim=1)  # outputs stacked on axis 1
        return outputs[:, -1], outputs, list(final_states)

    # With a mask, the carry also holds the previous output (zeros before the first step).
    first_output, _ = step(inputs[:, 0], states)
    previous = torch.zeros_like(first_output)

    def masked_combine(carry, xs):
        x_t, mask_t = xs
        previous, old_states = carry[0], list(carry[1:])
        output, new_states = step(x_t, old_states)
        new_states = keep_masked(mask_t, new_states, old_states)
        fill = torch.zeros_like(output) if zero_output_for_mask else previous
        output = torch.where(step_mask(mask_t, output), output, fill)
        return [output.clone()] + [s.clone() for s in new_states], output.clone()

    carry, outputs = scan(masked_combine, [previous] + states, (inputs, mask), dim=1)
    return carry[0], outputs, list(carry[1:])
