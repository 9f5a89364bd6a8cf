"""`Callback` (every Keras hook) and `CallbackList` (how the trainer calls them)."""

from __future__ import annotations


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


class CallbackList:
    """Calls each hook on every callback, in order. Batch hooks are skipped entirely for
    callbacks that do not override them, so that a fit with only History and the progress
    bar does no per-batch Python work for callbacks (and computes no per-batch logs)."""

    def __init__(self, callbacks, model=None, params=None):
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

    def _call(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs)

    def batch_begin(self, mode, batch, logs=None):
        hook = f"on_{mode}_batch_begin"
        for callback in self._batch_users[mode]:
            getattr(callback, hook)(batch, logs)

    def batch_end(self, mode, batch, logs=None):
        hook = f"on_{mode}_batch_end"
        for callback in self._batch_users[mode]:
            getattr(callback, hook)(batch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self.batch_begin("train", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.batch_end("train", batch, logs)
