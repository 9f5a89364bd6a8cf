"""Running part of a recurrent layer outside the graph `torch.compile` traces.

A masked RNN picks its kernel from the mask's data (right padding runs torch's fused kernel,
anything else the step loop): one host read per call. Traced by dynamo, that choice is
unavailable and the masked step loop unrolls into the graph, one copy per time step and
direction, which takes minutes to compile and runs slower than the fused kernel. Under
`jit_compile=True` that call runs eagerly instead, between two compiled graphs (a graph break);
`torch.export`, which needs one whole graph, keeps tracing it (see `export_loop`).
"""

from __future__ import annotations

import torch


def compiling_a_graph() -> bool:
    """Whether dynamo is tracing for `torch.compile` (not for `torch.export`)."""
    return torch.compiler.is_compiling() and not torch.compiler.is_exporting()


@torch.compiler.disable
def run_outside_graph(function, *args):
    """`function(*args)`, run eagerly even when called from a compiled function."""
    return function(*args)
