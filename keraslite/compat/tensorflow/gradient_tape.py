"""`tf.GradientTape` on torch autograd.

torch records every operation on tensors that require grad, so the tape only has to
make sure recording is on inside its block, let `watch` mark plain tensors as
requiring grad, and turn `tape.gradient(target, sources)` into `torch.autograd.grad`.
"""

from __future__ import annotations

import torch

from keraslite.backend import tree
from keraslite.compat.tensorflow.eager import wrap

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
                    raise ValueError(
                        "GradientTape.watch: cannot watch a tensor computed outside the tape; watch its inputs instead."
                    )
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
                grad_outputs = [
                    torch.as_tensor(g, dtype=t.dtype, device=t.device)
                    for g, t in zip(tree.flatten(output_gradients), differentiable)
                ]
            # Inside an outer tape the gradient itself must be differentiable (higher order).
            nested = any(tape is not self for tape in _active_tapes)
            computed = torch.autograd.grad(
                differentiable,
                [flat_sources[i] for i in wanted],
                grad_outputs=grad_outputs,
                # Kept: another tape recording the same computation (a GAN's generator and
                # discriminator tapes) takes its gradient from the same graph afterwards.
                retain_graph=True,
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

    def jacobian(
        self, target, sources, unconnected_gradients="none", parallel_iterations=None, experimental_use_pfor=True
    ):
        """d target[i...] / d source[j...], shaped `target.shape + source.shape` (one
        backward pass per element of `target`)."""
        if self._used and not self._persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)."
            )
        self._used = True
        flat_sources = tree.flatten(sources)
        flat_target = target.reshape(-1)
        rows = [[] for _ in flat_sources]
        connected = [False] * len(flat_sources)
        wanted = [s for s in flat_sources if isinstance(s, torch.Tensor) and s.requires_grad]
        wanted_ids = {id(s) for s in wanted}
        for index in range(flat_target.shape[0]):
            if target.requires_grad and wanted:
                grads = iter(torch.autograd.grad(flat_target[index], wanted, retain_graph=True, allow_unused=True))
            else:
                grads = iter([None] * len(wanted))
            for position, source in enumerate(flat_sources):
                grad = next(grads) if id(source) in wanted_ids else None
                connected[position] |= grad is not None
                rows[position].append(torch.zeros_like(source) if grad is None else grad)
        zero = str(unconnected_gradients).lower().endswith("zero")
        results = []
        for position, source in enumerate(flat_sources):
            stacked = torch.stack(rows[position]).reshape(tuple(target.shape) + tuple(source.shape))
            results.append(wrap(stacked) if connected[position] or zero else None)
        if isinstance(sources, torch.Tensor):
            return results[0]
        return tree.pack_sequence_as(sources, results)

    def batch_jacobian(
        self, target, source, unconnected_gradients="none", parallel_iterations=None, experimental_use_pfor=True
    ):
        """d target[b, i...] / d source[b, j...] for each example b, shaped
        `target.shape + source.shape[1:]`: the examples are taken as independent, so one
        backward pass per element of `target[0]` gives every example's row."""
        if self._used and not self._persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)."
            )
        self._used = True
        if target.shape[0] != source.shape[0]:
            raise ValueError(
                f"Need first dimension of `target` shape ({tuple(target.shape)}) and `source` shape "
                f"({tuple(source.shape)}) to match."
            )
        batch = target.shape[0]
        per_example = target.reshape(batch, -1)
        connected = target.requires_grad and source.requires_grad
        rows, used = [], False
        for index in range(per_example.shape[1]):
            grad = None
            if connected:
                (grad,) = torch.autograd.grad(per_example[:, index].sum(), source, retain_graph=True, allow_unused=True)
            used |= grad is not None
            rows.append(torch.zeros_like(source) if grad is None else grad)
        if not used and not str(unconnected_gradients).lower().endswith("zero"):
            return None
        if not rows:
            return wrap(torch.zeros(tuple(target.shape) + tuple(source.shape[1:]), dtype=source.dtype))
        stacked = torch.stack(rows, dim=1)
        return wrap(stacked.reshape(tuple(target.shape) + tuple(source.shape[1:])))


class UnconnectedGradients:
    """`tf.UnconnectedGradients`: what a gradient is for a source the target does not use."""

    NONE = "none"
    ZERO = "zero"


class _UnregisteredGradient(torch.autograd.Function):
    """Passes a computed value through, tied to the op's inputs; asking for its gradient
    raises what TensorFlow raises for an op with no registered gradient."""

    @staticmethod
    def forward(ctx, op_type, value, *inputs):
        ctx.op_type = op_type
        return value.view_as(value)

    @staticmethod
    def backward(ctx, *grads):
        raise LookupError(f"gradient registry has no entry for: {ctx.op_type}")


def without_gradient(op_type: str, value: torch.Tensor, *inputs) -> torch.Tensor:
    """`value` as the output of TensorFlow op `op_type`, which has no gradient: a tape asked
    to differentiate through it raises `LookupError` (as TensorFlow's tape does)."""
    sources = [x for x in inputs if isinstance(x, torch.Tensor) and x.requires_grad]
    if not sources or not torch.is_grad_enabled():
        return value
    return _UnregisteredGradient.apply(op_type, value.detach(), *sources)
