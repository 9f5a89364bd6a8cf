"""The train / test / predict steps: flat, one function each, what `torch.compile` wraps.

    train step = forward(training=True) -> loss (+ model.losses) -> backward
                 -> optimizer update (clip, decay, foreach kernels, constraints)
                 -> loss tracker and metrics updated in place on the device

Nothing in a step reads a value back to the host. With `jit_compile=True` each step
(train, test, predict) is one `torch.compile`d function (for training dynamo traces
`torch.autograd.grad`), with no graph break; the last, shorter batch of an epoch costs
one dynamic-shape recompilation, after which every batch size reuses it.
"""

from __future__ import annotations

import contextlib
import warnings

import torch

from keraslite.backend import tree


class StepRunner:
    """Runs the steps of one `TrainingState` (training/training_state.py): it reads the
    optimizer, the compiled loss and metrics, the trackers, the trainable parameters and
    the data structure from there, and calls the model (or its lowered graph)."""

    data_parallel = None  # the DataParallelRun of training/distributed.py's runner
    # What `torch.compile` lowers the steps with; tests set "eager" to check dynamo's
    # graphs (breaks, recompilations) without paying for inductor's code generation.
    compile_backend = "inductor"

    def __init__(self, state, jit_compile: bool):
        self.state = state
        self.model = state.model
        self.jit_compile = jit_compile
        self._compiled = {}
        self._compile_failed = False
        # A functional model's lowered graph, run directly on the adapter's checked tensors.
        self._graph_module = state.signature.forward if state.signature is not None else None
        self.autocast = None  # (device_type, dtype) under a mixed precision policy
        self.grad_scaler = None

    # ------------------------------------------------------------------ pieces
    def forward(self, x: list, training: bool) -> list:
        if self._graph_module is not None:
            # The lowered fx graph directly: inputs were checked and converted by the adapter.
            outputs = self._graph_module(*x, training=training)
            return list(outputs)
        structure = self.state.structure
        inputs = structure.pack_x(x) if structure is not None else (x[0] if len(x) == 1 else x)
        outputs = self.model(inputs, training=training)
        return tree.flatten(outputs) if isinstance(outputs, (list, tuple, dict)) else [outputs]

    def _regularization(self):
        if not self.state.may_have_losses:
            return None
        extra = self.model.losses
        if not extra:
            return None
        return torch.stack([torch.as_tensor(v, dtype=torch.float32).reshape(()) for v in extra]).sum()

    def _outputs_and_losses(self, x, y, sw, training):
        compile_loss = self.state.compile_loss
        outputs = self.forward(x, training)
        if self.state.custom_compute_loss:
            # The model's own `compute_loss` (Keras's built-in steps call it too): its result
            # is the whole loss, regularization included when it calls `super()`.
            return outputs, self.state.call_compute_loss(x, y, sw, outputs, training), None
        loss = compile_loss(y, outputs, sw) if (y is not None and compile_loss is not None) else None
        return outputs, loss, self._regularization()

    def forward_and_loss(self, x, y, sw, training: bool):
        if self.autocast is None:
            outputs, loss, extra = self._outputs_and_losses(x, y, sw, training)
        else:
            with self._autocast_context():
                outputs, loss, extra = self._outputs_and_losses(x, y, sw, training)
        if extra is not None:
            loss = extra if loss is None else loss + extra
        if loss is None:
            raise ValueError(
                "No loss to compute. Provide a `loss` argument in `compile()` (and targets `y` to `fit`), "
                "or add losses in the model with `add_loss`."
            )
        return outputs, loss

    def _autocast_context(self):
        if self.autocast is None:
            return contextlib.nullcontext()
        device_type, dtype = self.autocast
        return torch.autocast(device_type=device_type, dtype=dtype)

    def _update_trackers(self, loss, outputs, y, sw, batch_size):
        with torch.no_grad():
            self._update_trackers_no_grad(loss, outputs, y, sw, batch_size)

    def _update_trackers_no_grad(self, loss, outputs, y, sw, batch_size):
        state = self.state
        state.loss_tracker._add_scalar(loss.detach(), batch_size)
        if y is not None and state.compile_metrics is not None:
            state.compile_metrics.update_state(y, [o.detach() for o in outputs], sw)

    # ------------------------------------------------------------------ steps
    def _train_core(self, x, y, sw):
        state = self.state
        params = state.train_params
        outputs, loss = self.forward_and_loss(x, y, sw, training=True)
        scaled = loss
        if self.grad_scaler is not None:
            scaled = self.grad_scaler.scale(loss)
        elif state.optimizer.loss_scale_factor is not None:
            scaled = loss * state.optimizer.loss_scale_factor
        grads = torch.autograd.grad(scaled, params, allow_unused=True)
        return outputs, loss, grads

    def _full_train_step(self, x, y, sw):
        """Forward, loss, gradients, update and metric updates: the whole step, one graph
        under `torch.compile` (outputs and loss are detached before leaving it)."""
        outputs, loss, grads = self._train_core(x, y, sw)
        outputs = [o.detach() for o in outputs]
        loss = loss.detach()
        self.state.optimizer._fast_apply(list(grads), self.state.train_params)
        self._update_trackers(loss, outputs, y, sw, x[0].shape[0] if x else 1)
        return loss

    def train_step(self, x, y, sw):
        if not self.state.train_params:
            return self._step_without_weights(x, y, sw)
        metrics = self.state.compile_metrics
        # The first step runs eagerly when metrics are still to be built (they are made from
        # the first batch's shapes): creating state inside a compiled function would break it.
        ready = metrics is None or metrics.built or y is None
        if (
            self.jit_compile
            and ready
            and not self._compile_failed
            and self.grad_scaler is None
            and not self.state.custom_compute_loss  # the user's Python stays eager
        ):
            return self._get_compiled("train", self._full_train_step)(x, y, sw)
        outputs, loss, grads = self._train_core(x, y, sw)
        if self.grad_scaler is not None:
            grads = self._unscale(grads)
        with torch.no_grad():  # one context for the update and the metrics
            self.state.optimizer._fast_apply(list(grads), self.state.train_params)
            self._update_trackers_no_grad(loss, outputs, y, sw, x[0].shape[0] if x else 1)
        return loss

    def _step_without_weights(self, x, y, sw):
        """Keras's step for a model with nothing to train (no weights, or all frozen): the
        loss and metrics are computed and tracked as usual, nothing is updated, and it warns."""
        with torch.no_grad():
            outputs, loss = self.forward_and_loss(x, y, sw, training=True)
            self._update_trackers_no_grad(loss, outputs, y, sw, x[0].shape[0] if x else 1)
        warnings.warn("The model does not have any trainable weights.", stacklevel=3)
        return loss

    def _unscale(self, grads):
        scaler = self.grad_scaler
        inv = 1.0 / scaler.get_scale()
        grads = [None if g is None else g * inv for g in grads]
        found_inf = any(
            bool(torch.isinf(g).any() or torch.isnan(g).any()) for g in grads if g is not None
        )  # host sync: fp16 only
        scaler.update_scale(found_inf)
        if found_inf:
            return [None] * len(grads)
        return grads

    def _use_compiled(self, y) -> bool:
        """Whether a test or predict step runs compiled: `jit_compile=True`, the compiler
        working, and the metrics built (they are made from the first batch's shapes, and
        creating state inside a compiled function would break it)."""
        if not self.jit_compile or self._compile_failed or self.state.custom_compute_loss:
            return False
        metrics = self.state.compile_metrics
        return metrics is None or metrics.built or y is None

    def _test_body(self, x, y, sw):
        with torch.no_grad():
            outputs, loss = self.forward_and_loss(x, y, sw, training=False)
            self._update_trackers_no_grad(loss, outputs, y, sw, x[0].shape[0] if x else 1)
        return loss

    def test_step(self, x, y, sw):
        if self._use_compiled(y):
            return self._get_compiled("test", self._test_body)(x, y, sw)
        return self._test_body(x, y, sw)

    def _predict_body(self, x):
        with torch.no_grad(), self._autocast_context():
            return self.forward(x, training=False)

    def predict_step(self, x):
        if self.jit_compile and not self._compile_failed:
            return self._get_compiled("predict", self._predict_body)(x)
        return self._predict_body(x)

    # ------------------------------------------------------------------ compilation
    def _get_compiled(self, key, fn):
        compiled = self._compiled.get(key)
        if compiled is None:
            # dynamic=None: the last, shorter batch gets one extra (dynamic-shape) graph,
            # not a recompilation for every new size.
            compiled = torch.compile(fn, dynamic=None, backend=self.compile_backend)
            wrapped = self._guarded(compiled, fn)
            self._compiled[key] = wrapped
            return wrapped
        return compiled

    def _guarded(self, compiled, eager):
        def call(*args):
            if self._compile_failed:
                return eager(*args)
            # Let dynamo trace torch.autograd.grad, so backward and the optimizer update join
            # the forward in one graph (no graph break). Set and restored directly: the
            # `config.patch()` context costs about 27 µs a call, a tenth of a small batch.
            config = torch._dynamo.config
            previous = config.trace_autograd_ops
            config.trace_autograd_ops = True
            try:
                return compiled(*args)
            except Exception as error:  # no C++ compiler, unsupported platform, ...
                if not _is_compiler_error(error):
                    raise
                self._compile_failed = True
                warnings.warn(
                    f"jit_compile=True: torch.compile failed on this platform ({type(error).__name__}: "
                    f"{str(error).splitlines()[0][:200] if str(error) else ''}); the steps continue in eager mode.",
                    stacklevel=3,
                )
                return eager(*args)
            finally:
                config.trace_autograd_ops = previous

        return call


def _is_compiler_error(error: Exception) -> bool:
    name = type(error).__module__ + "." + type(error).__name__
    return (
        any(
            part in name
            for part in ("torch._dynamo", "torch._inductor", "BackendCompilerFailed", "InductorError", "CompileError")
        )
        or isinstance(error, (OSError, RuntimeError))
        and "compiler" in str(error).lower()
    )
