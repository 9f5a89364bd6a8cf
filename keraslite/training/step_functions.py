"""Keras 3's step-level members of `Model`, mixed into `Trainer`: the `make_*_function`
factories (one callable step, as the loops of Keras's torch backend call it),
`compute_metrics`/`get_metrics_result` (what a custom `train_step` returns) and
`stateless_compute_loss` (the loss on given variable values, the model left unchanged).
The built-in loops do not go through them: they run `StepRunner` directly.
"""

from __future__ import annotations

import inspect

import torch

from keraslite.backend import scopes


class StepFunctionMethods:
    """Mixed into `Trainer`; uses its `train_step`/`test_step`/`predict_step`,
    `compute_loss`, `metrics` and the compiled `TrainingState`."""

    # Keras's attributes: the step callables `make_*_function` made (None until then).
    train_function = None
    test_function = None
    predict_function = None

    # ------------------------------------------------------------------ step functions
    def _check_steps_per_execution(self) -> None:
        steps = getattr(self, "steps_per_execution", 1)
        if steps > 1:
            raise ValueError(
                f"`steps_per_execution` must be 1 with the PyTorch backend. Received: steps_per_execution={steps}"
            )

    def make_train_function(self, force: bool = False):
        """The callable that runs one training step: `train_function(data)`, where
        `data[0]` is a batch `(x, y[, sample_weight])`; it returns the step's logs.
        Made once (again with `force=True`) and kept as `self.train_function`."""
        if self.train_function is not None and not force:
            return self.train_function
        self._check_steps_per_execution()

        def one_step_on_data(data):
            """Runs a single training step on a batch of data."""
            return self.train_step(data[0])

        self.train_function = one_step_on_data
        return one_step_on_data

    def make_test_function(self, force: bool = False):
        """The callable that runs one evaluation step (`test_function(data)`, `data[0]` a
        batch), without gradients; kept as `self.test_function`."""
        if self.test_function is not None and not force:
            return self.test_function
        self._check_steps_per_execution()

        def one_step_on_data(data):
            """Runs a single test step on a batch of data."""
            with torch.no_grad():
                return self.test_step(data[0])

        self.test_function = one_step_on_data
        return one_step_on_data

    def make_predict_function(self, force: bool = False):
        """The callable that predicts one batch (`predict_function(data)`, `data[0]` the
        inputs), without gradients; kept as `self.predict_function`."""
        if self.predict_function is not None and not force:
            return self.predict_function
        self._check_steps_per_execution()

        def one_step_on_data(data):
            """Runs a predict step on a batch of data."""
            with torch.no_grad():
                return self.predict_step(data[0])

        self.predict_function = one_step_on_data
        return one_step_on_data

    # ------------------------------------------------------------------ metrics
    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Update the metrics given to `compile` with `(y, y_pred, sample_weight)` and return
        `get_metrics_result()` (override it to add custom metric logic; `x` is unused here)."""
        del x  # the default implementation does not use it, as in Keras
        state = self._training_state
        if state is not None and state.compile_args is not None:
            flat_y, flat_pred, flat_sw = state.flat_targets(y, y_pred, sample_weight)
            if flat_y is not None and state.compile_metrics is not None:
                with torch.no_grad():
                    state.compile_metrics.update_state(flat_y, [p.detach() for p in flat_pred], flat_sw)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        """The current result of each metric in `self.metrics`, by name (a metric whose
        result is a dict contributes its entries)."""
        results = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                results.update(result)
            else:
                results[metric.name] = result
        return results

    # ------------------------------------------------------------------ stateless
    def stateless_compute_loss(
        self,
        trainable_variables,
        non_trainable_variables,
        metrics_variables,
        x=None,
        y=None,
        y_pred=None,
        sample_weight=None,
        training=True,
    ):
        """`compute_loss` on the given variable values, leaving the model unchanged.

        Returns:
            `(loss, (trainable_variables, non_trainable_variables, metrics_variables))`,
            the last two holding the values the computation left.
        """
        mapping = list(zip(self.trainable_variables, trainable_variables))
        mapping += list(zip(self.non_trainable_variables, non_trainable_variables))
        mapping += list(zip(self.metrics_variables, metrics_variables))
        accepts_training = "training" in inspect.signature(self.compute_loss).parameters
        with scopes.StatelessScope(state_mapping=mapping) as scope:
            kwargs = {"training": training} if accepts_training else {}
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, **kwargs)
        new_non_trainable = [scope.get_current_value(v) for v in self.non_trainable_variables]
        new_metrics = [scope.get_current_value(v) for v in self.metrics_variables]
        return loss, (trainable_variables, new_non_trainable, new_metrics)
