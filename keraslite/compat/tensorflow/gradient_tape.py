"""`tf.GradientTape` on torch autograd.

torch records every operation on tensors that require grad, so the tape only has to
make sure recording is on inside its block, let `watch` mark plain tensors as
requiring grad, and turn `tape.gradient(target, sources)` into `torch.autograd.grad`.
"""
from __future__ import annotations

import torch

from keraslite.compat.tensorflow.eager import wrap
from keraslite.utils import tree

_active_tapes: list = []


class GradientTape:
    """Records operations for automatic differentiation.

    Args:
        persistent: allow several `gradient()` calls (keeps the graph alive).
        watch_accessed_variables: accepted for compatibility (trainable weights are
            always watched: they require grad).
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = persistent
        self._used = False
        self._grad_mode = None
        self._watched: list = []

    def __enter__(self) -> "GradientTape":
        self._grad_mode = torch.enable_grad()
        self._grad_mode.__enter__()
        _active_tapes.append(self)
        return self

    def __exit__(self, *exc_info) -> None:
        _active_tapes.remove(self)
        self._grad_mode.__exit__(*exc_info)

    def watch(self, tensor) -> None:
        """Track `tensor` (a plain tensor or structure of them) so gradients reach it."""
        for value in tree.flatten(tensor):
            if isinstance(value, torch.Tensor) and not value.requires_grad:
                if not value.is_leaf:
                    raise ValueError("GradientTape.watch: cannot watch a tensor computed outside the tape; watch its inputs instead.")
                value.requires_grad_(True)
            self._watched.append(value)

    def watched_variables(self) -> list:
        return list(self._watched)

    def stop_recording(self):
        return torch.no_grad()

    def reset(self) -> None:
        self._used = False
        self._watched.clear()

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """Gradients of `target` (summed if several) with respect to `sources`, in the
        structure of `sources`; None (or zeros) for sources the target does not depend on."""
        if self._used and not self._persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of "
                "gradients (or jacobians). Create it with `persistent=True` to call it again."
            )
        self._used = True
        targets = [t for t in tree.flatten(target) if isinstance(t, torch.Tensor)]
        flat_sources = tree.flatten(sources)
        wanted = [i for i, s in enumerate(flat_sources) if isinstance(s, torch.Tensor) and s.requires_grad]
        grads = [None] * len(flat_sources)
        differentiable = [t for t in targets if t.requires_grad]
        if wanted and differentiable:
            if output_gradients is None:
                grad_outputs = [torch.ones_like(t) for t in differentiable]
            else:
                grad_outputs = [torch.as_tensor(g, dtype=t.dtype, device=t.device) for g, t in zip(tree.flatten(output_gradients), differentiable)]
            # Inside an outer tape the gradient itself must be differentiable (higher order).
            nested = any(tape is not self for tape in _active_tapes)
            computed = torch.autograd.grad(
                differentiable,
                [flat_sources[i] for i in wanted],
                grad_outputs=grad_outputs,
                retain_graph=self._persistent or nested,
                create_graph=nested,
                allow_unused=True,
            )
            for i, g in zip(wanted, computed):
                grads[i] = g
        zero = str(unconnected_gradients).lower().endswith("zero")
        for i, source in enumerate(flat_sources):
            if grads[i] is None and zero and isinstance(source, torch.Tensor):
                grads[i] = torch.zeros_like(source)
        grads = [wrap(g) if g is not None else None for g in grads]
        if isinstance(sources, torch.Tensor):
            return grads[0]
        return tree.pack_sequence_as(sources, grads)

    def jacobian(self, target, sources, **kwargs):
        raise NotImplementedError("GradientTape.jacobian is not part of keraslite's TensorFlow shim. Use torch.autograd.functional.jacobian instead.")
