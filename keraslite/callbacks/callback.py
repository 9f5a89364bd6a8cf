"""`Callback` (every Keras hook) and `CallbackList` (how the trainer calls them)."""

from __future__ import annotations

import numpy as np
import torch


class Callback:
    """Base class of callbacks. Override any hook; `self.model` and `self.params`
    (`{"verbose", "epochs", "steps"}`) are set by `fit/evaluate/predict`."""

    def __init__(self):
        self.params = {}
        self._model = None

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self._model = model

    @property
    def model(self):
        return self._model

    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...
    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...


_BATCH_HOOKS = {
    "train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


def _overrides(callback, hook: str) -> bool:
    # Resolved on the instance: LambdaCallback binds functions per instance, and callbacks
    # that only sometimes need batch hooks rebind the base (no-op) method.
    bound = getattr(callback, hook, None)
    return getattr(bound, "__func__", bound) is not getattr(Callback, hook)


def python_logs(logs) -> dict:
    """The logs a hook receives: always a fresh dict, as in Keras (never `None`, even for a
    hook with nothing to report, so `logs.keys()` and `logs["loss"]` work in any hook).

    Values of nested dicts become keys of their own (a dict-output model's predictions reach
    `on_predict_batch_end` keyed by output name); tensors become NumPy arrays and scalars
    become Python floats. Other values, lists of tensors included, pass unchanged.
    """
    result = {}
    for key, value in (logs or {}).items():
        if isinstance(value, dict):
            result.update(python_logs(value))
            continue
        if isinstance(value, torch.Tensor):
            value = value.detach()
            if value.dtype == torch.bfloat16:  # NumPy has no bfloat16
                value = value.float()
            value = value.cpu().numpy()  # host sync: only for logs that carry tensors
        if isinstance(value, np.ndarray) and value.ndim == 0 or isinstance(value, (int, np.number)):
            if not isinstance(value, bool):
                value = float(value)
        result[key] = value
    return result


class CallbackList:
    """Calls each hook on every callback, in order, each with a logs dict (`python_logs`).

    Batch hooks are skipped entirely for callbacks that do not override them, so that a fit
    with only History and the progress bar does no per-batch Python work for callbacks (and
    computes no per-batch logs).
    """

    def __init__(self, callbacks=None, model=None, params=None):
        self.callbacks = list(callbacks or [])
        self.model = model
        self.params = params or {}
        for callback in self.callbacks:
            if model is not None:
                callback.set_model(model)
            callback.set_params(self.params)
        self._batch_users = {
            mode: [c for c in self.callbacks if any(_overrides(c, h) for h in hooks)]
            for mode, hooks in _BATCH_HOOKS.items()
        }

    def needs_batch_logs(self, mode: str) -> bool:
        return bool(self._batch_users[mode])

    def _call(self, hook, *args, logs=None):
        logs = python_logs(logs)  # one dict for every callback: what one adds, the next sees
        for callback in self.callbacks:
            getattr(callback, hook)(*args, logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs=logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs=logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs=logs)

    def batch_begin(self, mode, batch, logs=None):
        self._call_batch_users(mode, f"on_{mode}_batch_begin", batch, logs)

    def batch_end(self, mode, batch, logs=None):
        self._call_batch_users(mode, f"on_{mode}_batch_end", batch, logs)

    def _call_batch_users(self, mode, hook, batch, logs):
        users = self._batch_users[mode]
        if not users:
            return
        logs = python_logs(logs)
        for callback in users:
            getattr(callback, hook)(batch, logs)

    def on_batch_begin(self, batch, logs=None):
        self._call_batch_users("train", "on_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._call_batch_users("train", "on_batch_end", batch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self.batch_begin("train", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.batch_end("train", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self.batch_begin("test", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self.batch_end("test", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self.batch_begin("predict", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self.batch_end("predict", batch, logs)
