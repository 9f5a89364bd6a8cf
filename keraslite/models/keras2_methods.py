"""tf.keras 2 members of `Model` and `Sequential` that Keras 3 dropped (DESIGN.md decision 10):
`compiled_loss` and `compiled_metrics` for custom `train_step`s, the `*_generator` methods,
and `Sequential.predict_classes`/`predict_proba` (TF 2.1-2.5)."""

from __future__ import annotations

import warnings

import numpy as np
import torch


def _state(model, what: str):
    state = getattr(model, "_training_state", None)
    if state is None or state.compile_args is None:
        raise RuntimeError(f"You must compile your model before using `model.{what}`: call `model.compile(...)`.")
    return state


class CompiledLoss:
    """tf.keras 2's `model.compiled_loss`: called as `(y_true, y_pred, sample_weight=None,
    regularization_losses=None)` it returns the compiled loss (per-output losses, weighted
    and summed) plus the sum of `regularization_losses`, and updates the `loss` tracker that
    `model.metrics` reports."""

    def __init__(self, model):
        self._model = model

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        state = _state(self._model, "compiled_loss")
        total = state.compute_loss(y_true, y_pred, sample_weight, model_losses=False)
        for extra in regularization_losses or ():
            total = total + torch.as_tensor(extra, dtype=total.dtype, device=total.device)
        first = y_pred if isinstance(y_pred, torch.Tensor) else next(iter(_flat(y_pred)), None)
        batch_size = int(first.shape[0]) if first is not None and getattr(first, "ndim", 0) > 0 else 1
        with torch.no_grad():
            state.loss_tracker._add_scalar(total.detach(), batch_size)
        return total

    @property
    def metrics(self) -> list:
        state = _state(self._model, "compiled_loss")
        return [state.loss_tracker] + (state.compile_loss.trackers if state.compile_loss is not None else [])

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()


class CompiledMetrics:
    """tf.keras 2's `model.compiled_metrics`: `update_state(y_true, y_pred, sample_weight=None)`
    updates the metrics given to `compile`; `metrics` lists them (once built by a first update)."""

    def __init__(self, model):
        self._model = model

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        state = _state(self._model, "compiled_metrics")
        flat_y, flat_pred, flat_sw = state.flat_targets(y_true, y_pred, sample_weight)
        if flat_y is None or state.compile_metrics is None:
            return
        with torch.no_grad():
            state.compile_metrics.update_state(flat_y, [p.detach() for p in flat_pred], flat_sw)

    @property
    def metrics(self) -> list:
        state = _state(self._model, "compiled_metrics")
        return state.compile_metrics.metrics if state.compile_metrics is not None else []

    def result(self) -> dict:
        state = _state(self._model, "compiled_metrics")
        return state.compile_metrics.results() if state.compile_metrics is not None else {}

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    reset_states = reset_state


def _flat(value):
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"`Model.{old}` is deprecated and will be removed in a future version. Please use `Model.{new}`, "
        "which supports generators.",
        DeprecationWarning,
        stacklevel=3,
    )


class Keras2ModelMethods:
    """Mixed into `Model`: the tf.keras 2 members above."""

    @property
    def compiled_loss(self) -> CompiledLoss:
        return CompiledLoss(self)

    @property
    def compiled_metrics(self) -> CompiledMetrics:
        return CompiledMetrics(self)

    def fit_generator(
        self,
        generator,
        steps_per_epoch=None,
        epochs=1,
        verbose=1,
        callbacks=None,
        validation_data=None,
        validation_steps=None,
        validation_freq=1,
        class_weight=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        shuffle=True,
        initial_epoch=0,
    ):
        """tf.keras 2's deprecated alias of `fit` for generators and `Sequence`s."""
        _deprecated("fit_generator", "fit")
        return self.fit(
            generator,
            steps_per_epoch=steps_per_epoch,
            epochs=epochs,
            verbose=verbose,
            callbacks=callbacks,
            validation_data=validation_data,
            validation_steps=validation_steps,
            validation_freq=validation_freq,
            class_weight=class_weight,
            # A `Sequence` is shuffled by batch order; a generator's order is its own (no warning, as tf.keras 2).
            shuffle=bool(shuffle) and hasattr(generator, "__getitem__"),
            initial_epoch=initial_epoch,
        )

    def evaluate_generator(
        self,
        generator,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        """tf.keras 2's deprecated alias of `evaluate`."""
        _deprecated("evaluate_generator", "evaluate")
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(
        self,
        generator,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        """tf.keras 2's deprecated alias of `predict`."""
        _deprecated("predict_generator", "predict")
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)


class Keras2SequentialMethods:
    """Mixed into `Sequential`: `predict_classes` and `predict_proba` (tf.keras 2.1-2.5)."""

    def predict_proba(self, x, batch_size=32, verbose=0):
        """The model's outputs (probabilities, for a model whose last layer gives them)."""
        predictions = self.predict(x, batch_size=batch_size, verbose=verbose)
        if predictions.min() < 0.0 or predictions.max() > 1.0:
            warnings.warn(
                "Network returning invalid probability values. The last layer might not normalize "
                "predictions into probabilities (like softmax or sigmoid would).",
                stacklevel=2,
            )
        return predictions

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Class indices: the argmax of a multi-unit output, else `output > 0.5` as int32."""
        probabilities = self.predict(x, batch_size=batch_size, verbose=verbose)
        if probabilities.shape[-1] > 1:
            return probabilities.argmax(axis=-1)
        return (probabilities > 0.5).astype(np.int32)
