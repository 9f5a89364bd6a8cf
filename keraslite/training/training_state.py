"""`TrainingState`: the training of one compiled model, owned by one object.

`Model.compile()` makes one (`model._training_state`); `fit/evaluate/predict`, the
`*_on_batch` methods and the default `train_step/test_step` run through it. It holds what
one `compile()` sets up and what running it learns:

    optimizer                    the model's (`model.optimizer`, read per step)
    compile_loss, compile_metrics, loss_tracker
                                 per-output losses and metrics, and the loss mean
    signature                    the model's inputs/outputs (None: a subclassed model)
    structure                    how the data being run maps to flat batches
    runner                       the `StepRunner` with its `torch.compile`d steps
    train_params                 the trainable parameters, the optimizer's own list
    data_parallel                the `DataParallelRun` of a multi-process run (distributed.py),
                                 None in a one-process run

It reaches the model through its public face (`model(x)`, `trainable_weights`, `losses`,
`modules()`), its device (`model._device()`) and one hook, `model._training_signature()`,
which a functional model overrides (training never imports `models/`).
"""

from __future__ import annotations

import inspect

import torch

from keraslite.backend import state, tree
from keraslite.layers.base_layer import Layer
from keraslite.metrics.metric import Metric
from keraslite.metrics.reduction_metrics import Mean
from keraslite.mixed_precision.policy import configure_step
from keraslite.training import data_adapters
from keraslite.training.compile_utils import CompileLoss, CompileMetrics
from keraslite.training.distributed import CUSTOM_STEP_NOT_SUPPORTED
from keraslite.training.distribution_runs import run_for_current_distribution
from keraslite.training.step import StepRunner


class TrainingState:
    """The state of one compiled model's training (see the module docstring).

    Args:
        model: the model (anything with Keras's public `Model` face and the hooks
            `_training_signature()` and `_device()`).
        compile_args: `(loss, loss_weights, metrics, weighted_metrics)` as given to
            `compile()`; `None` for an uncompiled model that only predicts.
        custom_steps: `(train_step, test_step, predict_step, compute_loss)`: whether the
            model's class overrides them.
    """

    def __init__(self, model, compile_args=None, custom_steps=(False, False, False, False)):
        self.model = model
        (self.custom_train_step, self.custom_test_step, self.custom_predict_step, self.custom_compute_loss) = (
            custom_steps
        )
        self.compile_args = compile_args
        self.loss_tracker = Mean(name="loss") if compile_args is not None else None
        self.compile_loss: CompileLoss | None = None
        self.compile_metrics: CompileMetrics | None = None
        self.output_names: list[str] | None = None
        self.signature = model._training_signature()
        self.structure: data_adapters.Structure | None = None
        self.runner: StepRunner | None = None
        self.train_params: list | None = None
        self.may_have_losses = True
        self.data_parallel = None
        if compile_args is not None and self.signature is not None:
            self.build_compile_objects(self.signature.output_names)

    @property
    def optimizer(self):
        return self.model.optimizer

    def build_compile_objects(self, output_names: list[str]) -> None:
        loss, loss_weights, metrics, weighted_metrics = self.compile_args
        self.compile_loss = CompileLoss(loss, loss_weights, output_names) if loss is not None else None
        if loss is None and loss_weights is not None:
            raise ValueError("`loss_weights` was given without a `loss`.")
        self.compile_metrics = CompileMetrics(metrics, weighted_metrics, output_names)
        self.output_names = output_names

    # ------------------------------------------------------------------ metrics and logs
    @property
    def metrics(self) -> list:
        """The loss tracker, the per-output loss trackers, the compiled metrics, then what
        layers measure with tf.keras 2's `add_metric`."""
        result = [self.loss_tracker]
        if self.compile_loss is not None:
            result += self.compile_loss.trackers
        if self.compile_metrics is not None:
            result += self.compile_metrics.metrics
        return result + self.model._collect_added_metrics()

    def logs_tensors(self) -> dict:
        logs = {"loss": self.loss_tracker.result()}
        if self.compile_loss is not None:
            for tracker in self.compile_loss.trackers:
                logs[tracker.name] = tracker.result()
        if self.compile_metrics is not None:
            logs.update(self.compile_metrics.results())
        for metric in self.model._collect_added_metrics():
            logs[metric.name] = metric.result()
        # The metrics the model holds as attributes (a custom `compute_loss`'s trackers): Keras
        # logs every metric of `model.metrics`.
        held = attribute_metrics(self.model)
        known = self.metrics if held else []
        for metric in held:
            if metric.name not in logs and all(metric is not m for m in known):
                logs[metric.name] = metric.result()
        return logs

    def current_logs(self) -> dict:
        """The logs as Python floats; in a multi-process run, reduced over the processes
        (a collective: every rank reads them at the same points)."""
        if self.data_parallel is None:
            return self.local_logs()
        saved = self.data_parallel.reduce_metric_states(self.metrics)
        try:
            return self.local_logs()
        finally:
            self.data_parallel.restore_metric_states(saved)

    def local_logs(self) -> dict:
        """This process's logs as Python floats (what a progress bar draws mid-epoch)."""
        logs = self.logs_tensors()
        # One host sync for every value at once.
        values = torch.stack([v.detach().float().reshape(()) for v in logs.values()]).cpu().tolist()
        return dict(zip(logs.keys(), values))

    def custom_step_logs(self, logs) -> dict:
        """Keras's rule: a custom step's logs, unless they name exactly the model's metrics
        (`model.metrics`, the property a model may override), in which case the metrics'
        current results."""
        logs = logs if isinstance(logs, dict) else {}
        if state.dialect() == "tf2" and self.compile_loss is None:
            # tf.keras 2 compares with `model.metrics` too, but it holds no loss tracker when no
            # loss was compiled: a custom step's `{"loss": ...}` is then reported as returned.
            return {k: _to_log_value(v) for k, v in logs.items()}
        metric_logs = {}
        for metric in self.model.metrics:
            result = metric.result()
            if isinstance(result, dict):
                metric_logs.update(result)
            else:
                metric_logs[metric.name] = result
        if metric_logs and set(logs) == set(metric_logs):
            logs = metric_logs
        return {k: _to_log_value(v) for k, v in logs.items()}

    # ------------------------------------------------------------------ data
    def data_structure(self) -> data_adapters.Structure:
        """A fresh `Structure` for one call's data (it learns a subclassed model's `x`
        structure from that data); refreshes the model's signature."""
        self.signature = signature = self.model._training_signature()
        if signature is not None:
            # Keras picks a list-input model's inputs out of a dict by name silently, and
            # warns about unknown keys for a model whose inputs are a dict or one tensor.
            inputs_are_a_list = isinstance(getattr(self.model, "input", None), (list, tuple))
            return data_adapters.Structure(
                signature.input_names,
                signature.output_names,
                signature.input_dtypes,
                signature.input_shapes,
                warn_unknown_keys=not inputs_are_a_list,
            )
        return data_adapters.Structure(None, self.output_names)

    def check_inputs(self, x_flat: list, batch_axis: bool = False) -> None:
        """The model's input shapes against flat input tensors (nothing for a subclassed model)."""
        if self.signature is not None:
            self.signature.check_inputs(x_flat, batch_axis=batch_axis)

    def make_adapter(
        self,
        x,
        y=None,
        sample_weight=None,
        batch_size=None,
        steps=None,
        shuffle=False,
        class_weight=None,
        for_predict=False,
    ):
        """The data adapter for one call; in-memory inputs are checked here, whole. In a
        multi-process `DataParallel` run it yields this process's part of each batch."""
        adapter = data_adapters.get_data_adapter(
            x,
            y,
            sample_weight,
            structure=self.data_structure(),
            batch_size=batch_size,
            steps=steps,
            shuffle=shuffle,
            class_weight=class_weight,
            device=self.model._device(),
        )
        if isinstance(adapter, data_adapters.ArrayDataAdapter):
            self.check_inputs(adapter.x)
        self.data_parallel = run_for_current_distribution(self)
        if self.data_parallel is not None:
            adapter = self.data_parallel.shard_adapter(adapter, for_predict=for_predict)
        return adapter

    def first_batch(self, adapter, batch) -> None:
        """Before the first step on `adapter`: check a streamed batch's inputs (in-memory
        data was checked whole), and make sure outputs, losses and metrics are known."""
        if not isinstance(adapter, data_adapters.ArrayDataAdapter):
            self.check_inputs(batch[0])
        self.ensure_outputs_known(self.structure, batch)
        self.refresh_may_have_losses()

    def refresh_may_have_losses(self) -> None:
        """Look again for layers that add losses once the first batch has built the model: a
        Sequential without an `Input` has no layers registered before it is built, and a
        model whose only loss is added (`add_loss`, activity regularizers) must not then
        look loss-free."""
        if self.runner is not None:
            self.may_have_losses = _may_have_losses(self.model)

    def ensure_outputs_known(self, structure, batch) -> None:
        """Subclassed models learn their number of outputs from a forward pass, and compile
        metrics are built from the first batch's shapes (so that a custom `train_step` sees
        every metric in `self.metrics`, as in Keras)."""
        x, y, _ = batch
        metrics = self.compile_metrics
        if self.signature is not None:
            if metrics is not None and not metrics.built and y is not None:
                n = y[0].shape[0] if y and y[0] is not None else 1
                fake = [
                    torch.empty((n,) + tuple(d if d is not None else 1 for d in shape[1:]))
                    for shape in self.signature.output_shapes
                ]
                metrics.build(y, fake)
            return
        if metrics is not None and (metrics.built or y is None):
            return
        if not self.model._has_forward():
            # A model whose steps are all its own (a GAN's `train_step`) need not define `call`:
            # it has no outputs to learn, and Keras never calls it either.
            return
        if self.custom_train_step and metrics is None:
            # The user's `train_step` reads the batch as it likes (a triplet model's batch is
            # `(anchor, positive, negative)`, not `(x, y, sample_weight)`), and there are no
            # compiled metrics to build: nothing to learn from a forward pass here.
            return
        previous, self.structure = self.structure, structure
        try:
            with torch.no_grad():
                flat = StepRunner(self, False).forward(x, training=False)
        finally:
            self.structure = previous
        if self.compile_metrics is None:
            self.build_compile_objects([f"output_{i + 1}" for i in range(len(flat))])
            structure.output_names = None  # keep the structure of y as given
        if y is not None:
            self.compile_metrics.build(y, flat)

    def pack_batch(self, batch, structure=None):
        """A flat batch back in the structure a custom `train_step` receives: `(x, y[, sample_weight])`.
        `structure`: the one its data was flattened with, when not fit's (validation data
        may be nested differently from the training data)."""
        x, y, sw = self._pack_parts(batch, structure)
        if y is None and sw is None:
            return x  # Keras hands a step data without targets as `x` alone, not `(x,)`
        if y is None:
            return (x, None, sw)
        return (x, y) if sw is None else (x, y, sw)

    def call_compute_loss(self, x, y, sw, outputs, training):
        """The model's overridden `compute_loss` on one flat batch and its flat outputs, in
        the user's structures (`training` passed only to an override that takes it, as Keras does)."""
        x, y, sw = self._pack_parts((x, y, sw))
        kwargs = {"training": training} if "training" in inspect.signature(self.model.compute_loss).parameters else {}
        return self.model.compute_loss(x=x, y=y, y_pred=self.pack_outputs(outputs), sample_weight=sw, **kwargs)

    def _pack_parts(self, batch, structure=None):
        x, y, sw = batch
        if self.signature is not None:
            x = x[0] if len(x) == 1 else list(x)
        else:
            x = (structure or self.structure).pack_x(x)

        def one(values):
            return None if values is None else (values[0] if len(values) == 1 else list(values))

        return x, one(y), one(sw)

    def pack_outputs(self, flat: list):
        """Flat predictions in the structure of the model's outputs."""
        if self.signature is not None:
            return self.signature.pack_outputs(flat)
        return flat[0] if len(flat) == 1 else flat

    def single_batch(self, x, y, sample_weight, class_weight=None):
        """One user batch as a flat batch, checked, with outputs known (the `*_on_batch` path)."""
        structure = self.data_structure()
        adapter = data_adapters.ArrayDataAdapter(
            x, y, sample_weight, structure, batch_size=2**62, class_weight=class_weight, device=self.model._device()
        )
        self.check_inputs(adapter.x)
        batch = next(adapter.batches())
        self.ensure_outputs_known(structure, batch)
        self.refresh_may_have_losses()
        self.structure = structure
        return batch

    # ------------------------------------------------------------------ steps
    def prepare_runner(self, training: bool, build_optimizer: bool = True) -> StepRunner:
        """The step runner, made on first use; for training, the trainable parameters
        (and the optimizer, built on them). `build_optimizer=False` before the first batch:
        a subclassed model's lazily built layers (a `Dense` beside a raw `torch.nn.Linear`)
        have no weights yet, and the optimizer is built on the variables that exist at the
        first step, as in Keras."""
        runner = self.runner
        if runner is None or runner.data_parallel is not self.data_parallel:
            if self.data_parallel is None:
                runner = self.runner = StepRunner(self, self.model.jit_compile)
            else:
                runner = self.runner = self.data_parallel.make_runner(self, self.model.jit_compile)
            self.may_have_losses = _may_have_losses(self.model)
            configure_step(runner, self.model._device())
        if self.data_parallel is not None:
            if training and self.custom_train_step:
                raise ValueError(CUSTOM_STEP_NOT_SUPPORTED.format(name=self.model.name))
            runner.wrap()  # DDP / FSDP over the model's parameters (a collective)
            if runner.owns_parameters:
                return runner  # FSDP: the optimizer trains each process's shards
        if not training:
            return runner
        params = [w for w in self.model.trainable_weights if w.requires_grad]
        cached = self.train_params
        if cached is None or len(cached) != len(params) or any(a is not b for a, b in zip(cached, params)):
            self.train_params = params
        if self.optimizer is None:
            # compile(optimizer=None): a custom `train_step` updates the weights itself.
            return runner
        if build_optimizer and not self.optimizer.built and params:
            self.optimizer.build(params)
        built = self.optimizer._trainable_variables if self.optimizer.built else None
        if (
            built is not None
            and built is not self.train_params
            and len(built) == len(params)
            and all(a is b for a, b in zip(built, params))
        ):
            # The very list the optimizer holds: its per-step identity check is then free.
            self.train_params = built
        return runner

    def predict_runner(self) -> StepRunner:
        """The compiled model's runner if it exists (its autocast applies), else a plain one;
        with `jit_compile=True` the runner is made and kept, so that its compiled predict step
        is reused by every later call."""
        if self.runner is not None:
            return self.runner
        if getattr(self.model, "jit_compile", False) and self.compile_args is not None:
            return self.prepare_runner(training=False)
        return StepRunner(self, False)

    def flat_targets(self, y, y_pred, sample_weight=None):
        """`(flat_y, flat_pred, flat_sample_weight)` in output order, targets as tensors on the
        model's device; builds the compiled loss and metrics for a model first seen here."""
        structure = self.data_structure()
        flat_pred = tree.flatten(y_pred) if isinstance(y_pred, (list, tuple, dict)) else [y_pred]
        if self.compile_loss is None and self.compile_args is not None and self.compile_metrics is None:
            self.build_compile_objects([f"output_{i + 1}" for i in range(len(flat_pred))])
        device = self.model._device()
        flat_y = structure.flat_y(y) if y is not None else None
        flat_y = (
            None
            if flat_y is None
            else [None if v is None else data_adapters._to_tensor(v, None, device) for v in flat_y]
        )
        flat_sw = structure.flat_y(sample_weight, "sample_weight") if sample_weight is not None else None
        return flat_y, flat_pred, flat_sw

    def compute_loss(self, y, y_pred, sample_weight=None, model_losses=True):
        """The compiled loss of `y_pred` against `y` plus `model.losses` (regularization, `add_loss`;
        left out with `model_losses=False`, for tf.keras 2's `compiled_loss`)."""
        flat_y, flat_pred, flat_sw = self.flat_targets(y, y_pred, sample_weight)
        total = (
            self.compile_loss(flat_y, flat_pred, flat_sw)
            if (flat_y is not None and self.compile_loss is not None)
            else None
        )
        for extra in self.model.losses if model_losses else ():
            total = extra if total is None else total + extra
        if total is None:
            return torch.zeros((), device=self.model._device())
        return total


def attribute_metrics(model) -> list:
    """The `Metric` objects a model holds as attributes, alone or in a list, tuple or dict:
    what Keras's attribute tracking collects into a model's metrics."""
    found = []
    for value in vars(model).values():
        values = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, Metric) and all(item is not m for m in found):
                found.append(item)
    return found


def _to_log_value(value):
    """One value of a custom step's logs as Keras's history and progress bar keep it: a
    scalar tensor becomes a Python float (a host sync: once per log read), anything else
    stays as it is."""
    if isinstance(value, torch.Tensor):
        value = value.detach()
        return float(value.float().cpu()) if value.numel() == 1 else value.cpu().numpy()
    if isinstance(value, (int, float, bool)):
        return float(value)
    return value


def _may_have_losses(model) -> bool:
    """Whether `model.losses` can be non-empty: weight regularizers, activity
    regularizers, or layers whose code is not ours (they may call `add_loss`)."""
    for module in model.modules():
        if not isinstance(module, Layer):
            continue
        if module.activity_regularizer is not None:
            return True
        if any(getattr(w, "regularizer", None) is not None for w in module._own_weights()):
            return True
        if not type(module).__module__.startswith("keraslite.") or type(module).add_loss is not Layer.add_loss:
            return True
    return False


def keras_order(logs: dict) -> dict:
    """Logs in the order the dialect's Keras hands them to callbacks, History, the progress bar
    and `return_dict=True`: Keras 3 sorts them by name; tf.keras 2 kept loss, then the
    compiled metrics in order. (A list result keeps the compiled order in both.)"""
    if state.dialect() == "tf2":
        return logs
    return dict(sorted(logs.items()))
