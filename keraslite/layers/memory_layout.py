"""Weights with Keras's shape and torch's memory layout.

Keras and torch disagree on how kernels are shaped: a Dense-like recurrent kernel is
`(in, units)` in Keras and `(units, in)` in torch's fused RNN kernels; a convolution kernel is
`(*k, in, out)` in Keras and `(out, in, *k)` in torch. A layer keeps Keras's shape (what users,
`get_weights` and saved files see) and lays the *memory* out the way torch reads it, so that
torch's view of the weight is contiguous and no call copies it.
"""

from __future__ import annotations

import torch

from keraslite.graph import shape_inference


def lay_out_in_memory(variable: torch.Tensor, order: tuple[int, ...]) -> None:
    """Re-lay `variable`'s storage, in place, so that `variable.permute(order)` is contiguous;
    its shape, values and identity (the Parameter object, what optimizers hold) stay the same.
    Copies (`assign`, optimizer updates, `.to()`, loading) then keep this layout.
    A layer built while a shape is inferred under fake tensors (a subclassed layer's `call`
    building its sublayers) re-lays its real weight for real: the fake copy would put a meta
    tensor under the Parameter."""
    inverse = tuple(sorted(range(len(order)), key=order.__getitem__))
    with shape_inference.real_tensors(), torch.no_grad():
        variable.data = variable.data.permute(order).contiguous().permute(inverse)
