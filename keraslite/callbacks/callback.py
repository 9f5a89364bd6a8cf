"""`Callback` (every Keras hook) and `CallbackList` (how the trainer calls them)."""

from __future__ import annotations

import importlib

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


def _flatten(callbacks) -> list:
    if isinstance(callbacks, (list, tuple)):
        return [c for item in callbacks for c in _flatten(item)]
    return [callbacks]


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


class CallbackList(Callback):
    """Calls each hook on every callback, in order, each with a logs dict (`python_logs`).

    Args:
        callbacks: the callbacks (a list, possibly nested).
        add_history: append a `History` if none is in `callbacks` (it becomes `model.history`).
        add_progbar: append a `ProgbarLogger` if none is in `callbacks`.
        model: the model every callback gets (`set_model`).
        **params: the params every callback gets (`set_params`): `verbose`, `epochs`, `steps`.

    Batch hooks are skipped entirely for callbacks that do not override them, so that a fit
    with only History and the progress bar does no per-batch Python work for callbacks (and
    computes no per-batch logs).
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        self.callbacks = _flatten(callbacks) if callbacks else []
        if set(params) == {"params"} and isinstance(params["params"], dict):
            params = params["params"]  # keraslite's own callers name the dict
        self._history = next((c for c in self.callbacks if type(c).__name__ == "History"), None)
        self._progbar = next((c for c in self.callbacks if type(c).__name__ == "ProgbarLogger"), None)
        if add_history or add_progbar:
            # History and ProgbarLogger subclass Callback (history.py imports this module):
            # found by name on the package, as in a registry lookup.
            history_module = importlib.import_module("keraslite.callbacks.history")
            if add_history and self._history is None:
                self._history = history_module.History()
                self.callbacks.append(self._history)
            if add_progbar and self._progbar is None:
                self._progbar = history_module.ProgbarLogger()
                self.callbacks.append(self._progbar)
        self.set_model(model)
        self.set_params(params)
        self._update_batch_users()

    def _update_batch_users(self):
        self._batch_users = {
            mode: [c for c in self.callbacks if any(_overrides(c, h) for h in hooks)]
            for mode, hooks in _BATCH_HOOKS.items()
        }

    def append(self, callback) -> None:
        """Add a callback at the end (it gets the list's model and params)."""
        self.callbacks.append(callback)
        if self._model is not None:
            callback.set_model(self._model)
        if self.params:
            callback.set_params(self.params)
        self._update_batch_users()

    def set_model(self, model) -> None:
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def set_params(self, params) -> None:
        self.params = params or {}
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

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
