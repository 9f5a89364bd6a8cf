"""The training half of `Model`: compile/fit/evaluate/predict (see training/README.md).

A flat loop, as in a hand-written PyTorch script: the data adapter yields batches of
tensors already on the device; `StepRunner` runs one train step per batch; callbacks
run at batch boundaries only when a callback asks for them; the host reads metric
values back only when the progress bar draws or an epoch ends.
"""
from __future__ import annotations

import contextlib

import torch

from keraslite.backend import dtypes
from keraslite.metrics.reduction_metrics import Mean
from keraslite.training import data_adapters
from keraslite.training.compile_utils import CompileLoss, CompileMetrics
from keraslite.training.step import StepRunner
from keraslite.backend import tree

_COMPILE_KWARGS_IGNORED = ("sample_weight_mode", "target_tensors", "distribute", "experimental_run_tf_function")


@contextlib.contextmanager
def _cpu_performance_mode(device: torch.device):
    """Flush denormal floats to zero while training on CPU.

    Random or collapsing training drives running averages (RMSprop's velocities, Adam's
    second moments) into the denormal range, where x86 CPUs are many times slower;
    TensorFlow flushes them, so Keras users never see it. torch has no getter for the
    flag, so it is switched off again afterwards.
    """
    if device.type != "cpu":
        yield
        return
    changed = torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if changed:
            torch.set_flush_denormal(False)


class Trainer:
    """Mixed into `Model` ahead of `Layer`, so that Keras's `compile` takes precedence
    over `torch.nn.Module.compile`."""

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None, run_eagerly=False, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True, **kwargs):
        """Configure the model for training.

        Args:
            optimizer: name (`"rmsprop"`) or `keras.optimizers.Optimizer`.
            loss: a loss name, `Loss` object or function; a list (one per output) or a
                dict keyed by output name.
            loss_weights: a list or dict of per-output scalar weights.
            metrics: metric names/objects; a list, or per output a list of lists / dict.
                `"accuracy"`/`"acc"` picks the binary, categorical or sparse variant.
            weighted_metrics: metrics that take `sample_weight`/`class_weight` into account.
            run_eagerly: never compile the step.
            jit_compile: `True` compiles the train step with `torch.compile`; `"auto"`
                (the default) runs eagerly (see `_resolve_jit_compile`).
            steps_per_execution: accepted for compatibility (each step is one Python call anyway).
        """
        from keraslite import optimizers as optimizers_module

        for key in list(kwargs):
            if key in _COMPILE_KWARGS_IGNORED:
                kwargs.pop(key)
        if kwargs:
            raise ValueError(f"Invalid keyword argument(s) in `compile()`: {sorted(kwargs)}. Valid keyword arguments include \"cloning\", \"experimental_run_tf_function\", \"distribute\", \"target_tensors\", or \"sample_weight_mode\".")
        self.optimizer = optimizers_module.get(optimizer)
        self.loss = loss
        self._compile_config = {
            "optimizer": optimizer,
            "loss": loss,
            "loss_weights": loss_weights,
            "metrics": metrics,
            "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile,
        }
        self.run_eagerly = run_eagerly
        self.steps_per_execution = steps_per_execution
        self.jit_compile = self._resolve_jit_compile(jit_compile, run_eagerly)
        self._loss_tracker = Mean(name="loss")
        self._compile_args = (loss, loss_weights, metrics, weighted_metrics)
        self._compile_loss_obj = None
        self._compile_metrics_obj = None
        if getattr(self, "_is_graph_network", False):
            self._build_compile_objects(self.output_names)
        self._step_runner = None
        self.compiled = True
        self.stop_training = False

    def _build_compile_objects(self, output_names):
        loss, loss_weights, metrics, weighted_metrics = self._compile_args
        self._compile_loss_obj = CompileLoss(loss, loss_weights, output_names) if loss is not None else None
        if loss is None and loss_weights is not None:
            raise ValueError("`loss_weights` was given without a `loss`.")
        self._compile_metrics_obj = CompileMetrics(metrics, weighted_metrics, output_names)
        self._trainer_output_names = output_names

    @staticmethod
    def _resolve_jit_compile(jit_compile, run_eagerly) -> bool:
        if run_eagerly:
            return False
        if jit_compile == "auto":
            # Measured with tools/benchmark.py (2 CPU cores, torch 2.13): the compiled step is
            # 1.7x faster on the MLP (1.05 vs 1.8 ms/step) but no faster on the conv net, and
            # compiling costs 25-40 s (4 minutes for the LSTM model), which a typical fit of a
            # few thousand steps never wins back. Eager is the better default here (Keras's
            # torch backend also resolves "auto" to eager); ask for jit_compile=True for long runs.
            return False
        return bool(jit_compile)

    def _assert_compiled(self, what: str) -> None:
        if not getattr(self, "compiled", False):
            raise RuntimeError(f"You must call `compile()` before using the model. (`{what}` was called on model '{self.name}'.)")

    def _get_compile_config(self) -> dict | None:
        """Keras 3's `compile_config` (what `.keras` files store in metadata)."""
        if not getattr(self, "compiled", False):
            return None
        from keraslite.serialization.serialization_lib import serialize_keras_object

        config = dict(self._compile_config)
        optimizer = config["optimizer"]
        config["optimizer"] = serialize_keras_object(self.optimizer if not isinstance(optimizer, str) else optimizer)
        for key in ("loss", "metrics", "weighted_metrics", "loss_weights"):
            config[key] = serialize_keras_object(config[key])
        return config

    def get_compile_config(self):
        return self._get_compile_config()

    def _compile_from_config(self, config: dict) -> None:
        """Re-run `compile` from a Keras 3 `compile_config`."""
        from keraslite import losses as losses_module
        from keraslite import metrics as metrics_module
        from keraslite import optimizers as optimizers_module

        config = dict(config)
        optimizer = config.get("optimizer", "rmsprop")
        optimizer = optimizers_module.get(optimizer) if optimizer is not None else "rmsprop"

        def loss_from(value):
            if isinstance(value, dict) and "class_name" in value:
                return losses_module.deserialize(value)
            if isinstance(value, dict):
                return {k: loss_from(v) for k, v in value.items()}
            if isinstance(value, list):
                return [loss_from(v) for v in value]
            return value

        def metric_from(value):
            if isinstance(value, dict) and "class_name" in value:
                return metrics_module.deserialize(value)
            if isinstance(value, dict):
                return {k: metric_from(v) for k, v in value.items()}
            if isinstance(value, list):
                return [metric_from(v) for v in value]
            return value

        self.compile(
            optimizer=optimizer,
            loss=loss_from(config.get("loss")),
            loss_weights=config.get("loss_weights"),
            metrics=metric_from(config.get("metrics")),
            weighted_metrics=metric_from(config.get("weighted_metrics")),
            run_eagerly=config.get("run_eagerly", False),
            steps_per_execution=config.get("steps_per_execution", 1),
            jit_compile=config.get("jit_compile", "auto"),
        )

    def compile_from_config(self, config):
        self._compile_from_config(config)

    # ------------------------------------------------------------------ metrics
    @property
    def metrics(self) -> list:
        if not getattr(self, "compiled", False):
            return []
        result = [self._loss_tracker]
        if self._compile_loss_obj is not None:
            result += self._compile_loss_obj.trackers
        if self._compile_metrics_obj is not None:
            result += self._compile_metrics_obj.metrics
        return result

    @property
    def metrics_names(self) -> list[str]:
        return list(self._logs_tensors().keys()) if getattr(self, "compiled", False) else []

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def _logs_tensors(self) -> dict:
        logs = {"loss": self._loss_tracker.result()}
        if self._compile_loss_obj is not None:
            for tracker in self._compile_loss_obj.trackers:
                logs[tracker.name] = tracker.result()
        if self._compile_metrics_obj is not None:
            logs.update(self._compile_metrics_obj.results())
        return logs

    def _current_logs(self) -> dict:
        logs = self._logs_tensors()
        # One host sync for every value at once.
        values = torch.stack([v.detach().float().reshape(()) for v in logs.values()]).cpu().tolist()
        return dict(zip(logs.keys(), values))

    # ------------------------------------------------------------------ preparation
    def _structure(self, with_outputs=True) -> data_adapters.Structure:
        functional = getattr(self, "_is_graph_network", False)
        if functional:
            input_dtypes = [dtypes.to_torch_dtype(t._dtype) for t in self.inputs]
            return data_adapters.Structure(self.input_names, self.output_names, input_dtypes)
        return data_adapters.Structure(None, getattr(self, "_trainer_output_names", None))

    def _check_inputs(self, x_flat: list) -> None:
        if not getattr(self, "_is_graph_network", False):
            return
        for index, (value, spec) in enumerate(zip(x_flat, self.inputs)):
            shape = spec._shape
            if value.ndim != len(shape) or any(s is not None and s != d for s, d in zip(shape[1:], value.shape[1:])):
                raise ValueError(
                    f'Input {index} ("{self.input_names[index]}") of model "{self.name}" is incompatible with the data: '
                    f"expected shape={shape}, found shape={tuple(value.shape)}"
                )

    def _prepare_step_runner(self, training: bool) -> StepRunner:
        runner = getattr(self, "_step_runner", None)
        if runner is None:
            runner = self._step_runner = StepRunner(self, self.jit_compile)
            self._may_have_losses = self._model_may_have_losses()
            from keraslite.mixed_precision.policy import configure_step

            configure_step(runner, self._device())
        if training:
            params = [w for w in self.trainable_weights if w.requires_grad]
            cached = getattr(self, "_train_params", None)
            if cached is None or len(cached) != len(params) or any(a is not b for a, b in zip(cached, params)):
                self._train_params = params
                # A subclassed model has no weights before its first call: build then.
                if not self.optimizer.built and params:
                    self.optimizer.build(params)
                built = self.optimizer._trainable_variables if self.optimizer.built else None
                if built is not None and len(built) == len(params) and all(a is b for a, b in zip(built, params)):
                    # The very list the optimizer holds: its per-step identity check is then free.
                    self._train_params = built
        return runner

    def _model_may_have_losses(self) -> bool:
        """Whether `model.losses` can be non-empty: weight regularizers, activity
        regularizers, or layers whose code is not ours (they may call `add_loss`)."""
        from keraslite.layers.base_layer import Layer

        for module in self.modules():
            if not isinstance(module, Layer):
                continue
            if module.activity_regularizer is not None:
                return True
            if any(getattr(w, "regularizer", None) is not None for w in module._own_weights()):
                return True
            if not type(module).__module__.startswith("keraslite.") or type(module).add_loss is not Layer.add_loss:
                return True
        return False

    def _ensure_outputs_known(self, adapter_structure, batch) -> None:
        """Before the first step: subclassed models learn their number of outputs from a
        forward pass, and compile metrics are built from the first batch's shapes (so that
        a custom `train_step` sees every metric in `self.metrics`, as in Keras)."""
        x, y, _ = batch
        metrics = getattr(self, "_compile_metrics_obj", None)
        if getattr(self, "_is_graph_network", False):
            if metrics is not None and not metrics.built and y is not None:
                n = y[0].shape[0] if y and y[0] is not None else 1
                fake = [torch.empty((n,) + tuple(d if d is not None else 1 for d in t.shape[1:])) for t in self.outputs]
                metrics.build(y, fake)
            return
        if metrics is not None and (metrics.built or y is None):
            return
        with torch.no_grad():
            runner = StepRunner(self, False)
            runner._structure = adapter_structure
            flat = runner.forward(x, training=False)
        if getattr(self, "_compile_metrics_obj", None) is None:
            self._build_compile_objects([f"output_{i + 1}" for i in range(len(flat))])
            adapter_structure.output_names = None  # keep the structure of y as given
        if y is not None:
            self._compile_metrics_obj.build(y, flat)

    def _callback_list(self, callbacks, verbose, epochs, steps, add_history):
        from keraslite.callbacks.callback import CallbackList
        from keraslite.callbacks.history import History, ProgbarLogger

        callbacks = list(callbacks or [])
        if isinstance(callbacks, CallbackList):
            callbacks = callbacks.callbacks
        progbar = next((c for c in callbacks if isinstance(c, ProgbarLogger)), None)
        if verbose and progbar is None:
            progbar = ProgbarLogger()
            callbacks.insert(0, progbar)
        history = None
        if add_history:
            history = History()
            callbacks.append(history)
        params = {"verbose": verbose, "epochs": epochs, "steps": steps}
        return CallbackList(callbacks, model=self, params=params), progbar, history

    @staticmethod
    def _resolve_verbose(verbose) -> int:
        if verbose == "auto":
            return 1
        return int(verbose)

    # ------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0, validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1, **kwargs):
        """Train the model for `epochs` epochs; returns a `History`."""
        from keraslite.training.fit_loop import run_fit

        if kwargs:
            raise ValueError(f"Invalid keyword argument(s) in `fit()`: {sorted(kwargs)}")
        self._assert_compiled("fit")
        return run_fit(self, x, y, batch_size, epochs, self._resolve_verbose(verbose), callbacks, validation_split, validation_data, shuffle, class_weight, sample_weight, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size, validation_freq)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None, callbacks=None, return_dict=False, **kwargs):
        """Loss and metric values on the given data (a scalar, a list in `metrics_names` order, or a dict)."""
        from keraslite.training.fit_loop import run_evaluate

        self._assert_compiled("evaluate")
        adapter = kwargs.pop("_adapter", None)
        callback_list = kwargs.pop("_callback_list", None)
        if kwargs:
            raise ValueError(f"Invalid keyword argument(s) in `evaluate()`: {sorted(kwargs)}")
        logs = run_evaluate(self, x, y, batch_size, self._resolve_verbose(verbose), sample_weight, steps, callbacks, adapter, callback_list)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Model outputs for `x` as NumPy arrays, in the structure of the model's outputs."""
        from keraslite.training.fit_loop import run_predict

        return run_predict(self, x, batch_size, self._resolve_verbose(verbose), steps, callbacks)

    # ------------------------------------------------------------------ overridable steps
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of `y_pred` against `y` plus `self.losses` (regularization,
        `add_loss`), as Keras computes it; for use in a custom `train_step`."""
        structure = self._structure()
        flat_pred = tree.flatten(y_pred) if isinstance(y_pred, (list, tuple, dict)) else [y_pred]
        if self._compile_loss_obj is None and self._compile_args[0] is not None:
            self._build_compile_objects([f"output_{i + 1}" for i in range(len(flat_pred))])
        flat_y = structure.flat_y(y) if y is not None else None
        flat_y = None if flat_y is None else [None if v is None else data_adapters._to_tensor(v, None, self._device()) for v in flat_y]
        flat_sw = structure.flat_y(sample_weight, "sample_weight") if sample_weight is not None else None
        total = self._compile_loss_obj(flat_y, flat_pred, flat_sw) if (flat_y is not None and self._compile_loss_obj is not None) else None
        for extra in self.losses:
            total = extra if total is None else total + extra
        if total is None:
            return torch.zeros((), device=self._device())
        return total

    def train_step(self, data):
        """One training step on `data` (`(x, y)` or `(x, y, sample_weight)`); returns logs.
        Override it to customise what `fit` does (as in Keras); the built-in step is used otherwise."""
        from keraslite.training.step import StepRunner

        x, y, sw = data_adapters.unpack_x_y_sample_weight(data)
        structure, batch = self._single_batch(x, y, sw)
        runner = self._prepare_step_runner(training=True)
        runner._structure = structure
        runner.train_step(*batch)
        return self._logs_tensors()

    def test_step(self, data):
        """One evaluation step; override to customise `evaluate`."""
        x, y, sw = data_adapters.unpack_x_y_sample_weight(data)
        structure, batch = self._single_batch(x, y, sw)
        runner = self._prepare_step_runner(training=False)
        runner._structure = structure
        runner.test_step(*batch)
        return self._logs_tensors()

    def _overrides(self, name: str) -> bool:
        return getattr(type(self), name) is not getattr(Trainer, name)

    def _pack_batch(self, structure, batch):
        """A flat batch back in the structure a custom `train_step` receives: `(x, y[, sample_weight])`."""
        x, y, sw = batch
        if getattr(self, "_is_graph_network", False):
            x = x[0] if len(x) == 1 else list(x)
        else:
            x = structure.pack_x(x)
        one = lambda v: None if v is None else (v[0] if len(v) == 1 else list(v))  # noqa: E731
        if y is None:
            return (x,)
        return (x, one(y)) if sw is None else (x, one(y), one(sw))

    def _custom_step_logs(self, logs) -> dict:
        """Keras's rule: a custom step's logs, unless they name exactly the model's metrics,
        in which case the metrics' results."""
        logs = logs or {}
        metric_logs = self._logs_tensors() if getattr(self, "compiled", False) else {}
        if metric_logs and set(logs) == set(metric_logs):
            return self._current_logs()
        return {k: float(v.detach().float().cpu()) if isinstance(v, torch.Tensor) else float(v) for k, v in logs.items()}

    # ------------------------------------------------------------------ single batches
    def _single_batch(self, x, y, sample_weight, class_weight=None):
        structure = self._structure()
        adapter = data_adapters.ArrayDataAdapter(x, y, sample_weight, structure, batch_size=2**62, class_weight=class_weight, device=self._device())
        batch = next(adapter.batches())
        self._check_inputs(batch[0])
        self._ensure_outputs_known(structure, batch)
        return structure, batch

    def _return_logs(self, return_dict):
        logs = self._current_logs()
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on one batch; returns the loss (and metrics)."""
        self._assert_compiled("train_on_batch")
        structure, (xs, ys, sws) = self._single_batch(x, y, sample_weight, class_weight)
        runner = self._prepare_step_runner(training=True)
        runner._structure = structure
        with _cpu_performance_mode(self._device()):
            runner.train_step(xs, ys, sws)
        return self._return_logs(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss (and metrics) on one batch, without training."""
        self._assert_compiled("test_on_batch")
        structure, (xs, ys, sws) = self._single_batch(x, y, sample_weight)
        runner = self._prepare_step_runner(training=False)
        runner._structure = structure
        self.reset_metrics()
        runner.test_step(xs, ys, sws)
        return self._return_logs(return_dict)

    def predict_on_batch(self, x):
        """Model outputs for one batch, as NumPy arrays."""
        structure = self._structure()
        xs = structure.convert_x(structure.flat_x(x), self._device())
        self._check_inputs(xs)
        runner = StepRunner(self, False)
        runner._structure = structure
        outputs = runner.predict_step(xs)
        return self._pack_outputs([o.detach().cpu().numpy() for o in outputs])

    def _pack_outputs(self, flat: list):
        if getattr(self, "_is_graph_network", False):
            return tree.pack_sequence_as(self._outputs_struct, flat)
        template = getattr(self, "_predict_template", None)
        if template is None:
            return flat[0] if len(flat) == 1 else flat
        return tree.pack_sequence_as(template, flat)
