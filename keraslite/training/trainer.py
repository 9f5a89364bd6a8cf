"""The training half of `Model`: Keras's public training methods (see training/README.md).

`compile()` makes one `TrainingState` (training_state.py) that owns everything the
training of the compiled model needs; `fit/evaluate/predict` hand it to the flat loops
of fit_loop.py, and the `*_on_batch` methods and default steps run it on one batch.
"""

from __future__ import annotations

import warnings

from keraslite import losses as losses_module
from keraslite import metrics as metrics_module
from keraslite import optimizers as optimizers_module
from keraslite.backend.conversion import to_numpy
from keraslite.serialization.serialization_lib import serialize_keras_object
from keraslite.training import data_adapters
from keraslite.training.fit_loop import (
    cpu_performance_mode,
    resolve_verbose,
    run_evaluate,
    run_fit,
    run_predict,
)
from keraslite.training.step import StepRunner
from keraslite.training.step_functions import StepFunctionMethods
from keraslite.training.training_state import TrainingState, attribute_metrics, keras_order

_COMPILE_KWARGS_IGNORED = ("sample_weight_mode", "target_tensors", "distribute", "experimental_run_tf_function")


class Trainer(StepFunctionMethods):
    """Mixed into `Model` ahead of `Layer`, so that Keras's `compile` takes precedence
    over `torch.nn.Module.compile`.

    Keras-visible attributes set by `compile`: `optimizer`, `loss`, `compiled`,
    `run_eagerly`, `jit_compile`, `steps_per_execution`, `stop_training`; `fit` sets
    `history`. Everything else lives in `self._training_state`.
    """

    # What an uncompiled model reports, as Keras's does; `compile` sets the model's own.
    run_eagerly = False
    jit_compile = False
    steps_per_execution = 1

    _training_state: TrainingState | None = None
    # What an uncompiled model answers, as in Keras (`compile` sets them on the instance).
    compiled = False
    optimizer = None
    loss = None

    # ------------------------------------------------------------------ compile
    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        loss_weights=None,
        metrics=None,
        weighted_metrics=None,
        run_eagerly=False,
        steps_per_execution=1,
        jit_compile="auto",
        auto_scale_loss=True,
        **kwargs,
    ):
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
        for key in list(kwargs):
            if key in _COMPILE_KWARGS_IGNORED:
                kwargs.pop(key)
        if kwargs:
            raise ValueError(
                f"Invalid keyword argument(s) in `compile()`: {sorted(kwargs)}. Valid keyword arguments include "
                '"cloning", "experimental_run_tf_function", "distribute", "target_tensors", or "sample_weight_mode".'
            )
        # None is Keras's "no optimizer": a custom `train_step` that updates the weights itself.
        self.optimizer = optimizers_module.get(optimizer) if optimizer is not None else None
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
        self._training_state = TrainingState(
            self,
            (loss, loss_weights, metrics, weighted_metrics),
            custom_steps=tuple(
                self._overrides(name) for name in ("train_step", "test_step", "predict_step", "compute_loss")
            ),
        )
        self.compiled = True
        self.stop_training = False

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
            raise RuntimeError(
                f"You must call `compile()` before using the model. (`{what}` was called on model '{self.name}'.)"
            )

    def _get_compile_config(self) -> dict | None:
        """Keras 3's `compile_config` (what `.keras` files store in metadata)."""
        if not getattr(self, "compiled", False):
            return None
        config = dict(self._compile_config)
        optimizer = config["optimizer"]
        config["optimizer"] = serialize_keras_object(self.optimizer if not isinstance(optimizer, str) else optimizer)
        for key in ("loss", "metrics", "weighted_metrics", "loss_weights"):
            config[key] = serialize_keras_object(config[key])
        return config

    def get_compile_config(self):
        return self._get_compile_config()

    def _compile_from_config(self, config: dict) -> None:
        """Re-run `compile` from a Keras 3 `compile_config`; as in Keras, not for a model whose
        class overrides `compile` (its arguments are its own): it warns and stays uncompiled."""
        if self._overrides("compile"):
            warnings.warn(
                "`compile()` was not called as part of model loading because the model's `compile()` method is "
                "custom. All subclassed Models that have `compile()` overridden should also override "
                "`get_compile_config()` and `compile_from_config(config)`. Alternatively, you can call `compile()` "
                "manually after loading.",
                stacklevel=3,
            )
            return
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
        """Keras's order: the compiled loss tracker, loss trackers and metrics, then the
        `Metric` objects the model holds as attributes (`self.tracker = keras.metrics.Mean()`),
        which `fit` and `evaluate` therefore reset too. A model may override this property."""
        compiled = self._training_state.metrics if getattr(self, "compiled", False) else []
        held = [m for m in attribute_metrics(self) if all(m is not c for c in compiled)]
        return compiled + held

    @property
    def metrics_names(self) -> list[str]:
        if type(self).metrics is not Trainer.metrics:
            return [m.name for m in self.metrics]  # the model's own list, as Keras names it
        names = list(self._training_state.logs_tensors().keys()) if getattr(self, "compiled", False) else []
        return names + [m.name for m in attribute_metrics(self) if m.name not in names]

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def _overrides(self, name: str) -> bool:
        return getattr(type(self), name) is not getattr(Trainer, name)

    def _training_signature(self):
        """The hook training asks a model for its inputs and outputs: `None` here (a
        subclassed model's are learned from data); `Functional` returns a `ModelSignature`."""
        return None

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
        **kwargs,
    ):
        """Train the model for `epochs` epochs; returns a `History`."""
        if kwargs:
            raise ValueError(f"Invalid keyword argument(s) in `fit()`: {sorted(kwargs)}")
        self._assert_compiled("fit")
        return run_fit(
            self._training_state,
            x,
            y,
            batch_size,
            epochs,
            resolve_verbose(verbose),
            callbacks,
            validation_split,
            validation_data,
            shuffle,
            class_weight,
            sample_weight,
            initial_epoch,
            steps_per_epoch,
            validation_steps,
            validation_batch_size,
            validation_freq,
        )

    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        return_dict=False,
        **kwargs,
    ):
        """Loss and metric values on the given data (a scalar, a list in `metrics_names` order, or a dict)."""
        self._assert_compiled("evaluate")
        if kwargs:
            raise ValueError(f"Invalid keyword argument(s) in `evaluate()`: {sorted(kwargs)}")
        logs = run_evaluate(
            self._training_state, x, y, batch_size, resolve_verbose(verbose), sample_weight, steps, callbacks
        )
        return _logs_result(logs, return_dict)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Model outputs for `x` as NumPy arrays, in the structure of the model's outputs
        (or of what an overridden `predict_step` returns)."""
        return run_predict(self._state_for_predict(), x, batch_size, resolve_verbose(verbose), steps, callbacks)

    def _state_for_predict(self) -> TrainingState:
        # An uncompiled model predicts through a throwaway state (no losses, no metrics).
        if self._training_state is not None:
            return self._training_state
        return TrainingState(self, custom_steps=(False, False, self._overrides("predict_step"), False))

    # ------------------------------------------------------------------ overridable steps
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of `y_pred` against `y` plus `self.losses` (regularization,
        `add_loss`), as Keras computes it; for use in a custom `train_step`."""
        return self._training_state.compute_loss(y, y_pred, sample_weight)

    def train_step(self, data):
        """One training step on `data` (`(x, y)` or `(x, y, sample_weight)`); returns logs.
        Override it to customise what `fit` does (as in Keras); the built-in step is used otherwise."""
        state = self._training_state
        batch = state.single_batch(*data_adapters.unpack_x_y_sample_weight(data))
        state.prepare_runner(training=True).train_step(*batch)
        return state.logs_tensors()

    def test_step(self, data):
        """One evaluation step; override to customise `evaluate`."""
        state = self._training_state
        batch = state.single_batch(*data_adapters.unpack_x_y_sample_weight(data))
        state.prepare_runner(training=False).test_step(*batch)
        return state.logs_tensors()

    def predict_step(self, data):
        """The model's outputs on one batch (`x`, or `(x, ...)` whose targets are ignored);
        override to customise what `predict` returns (any structure of tensors)."""
        x, _, _ = data_adapters.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # ------------------------------------------------------------------ single batches
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on one batch; returns the loss (and metrics)."""
        self._assert_compiled("train_on_batch")
        state = self._training_state
        batch = state.single_batch(x, y, sample_weight, class_weight)
        runner = state.prepare_runner(training=True)
        with cpu_performance_mode(self._device()):
            runner.train_step(*batch)
        return _logs_result(state.current_logs(), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss (and metrics) on one batch, without training."""
        self._assert_compiled("test_on_batch")
        state = self._training_state
        batch = state.single_batch(x, y, sample_weight)
        runner = state.prepare_runner(training=False)
        self.reset_metrics()
        runner.test_step(*batch)
        return _logs_result(state.current_logs(), return_dict)

    def predict_on_batch(self, x):
        """Model outputs for one batch, as NumPy arrays."""
        state = self._state_for_predict()
        structure = state.data_structure()
        xs = structure.convert_x(structure.flat_x(x), self._device())
        state.check_inputs(xs)
        state.structure = structure
        outputs = StepRunner(state, False).predict_step(xs)
        return state.pack_outputs([to_numpy(o) for o in outputs])


def _logs_result(logs: dict, return_dict: bool):
    """What `evaluate` and the `*_on_batch` methods return: the dict (in the dialect's order),
    one value, or a list (loss, then the compiled metrics in order)."""
    if return_dict:
        return keras_order(logs)
    values = list(logs.values())
    return values[0] if len(values) == 1 else values
