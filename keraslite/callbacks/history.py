"""`History` (what `fit` returns) and `ProgbarLogger` (the progress output)."""

from __future__ import annotations

from keraslite.backend import state
from keraslite.callbacks.callback import Callback
from keraslite.utils.progbar import Progbar


class History(Callback):
    """Records the epoch-end logs: `history.history["loss"]`, `["val_accuracy"]`, ...;
    `history.epoch` lists the epoch indices."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self


class ProgbarLogger(Callback):
    """Prints `Epoch i/n` and a progress bar per epoch (verbose 1) or one line per epoch (verbose 2).

    The trainer feeds it through `update(step, logs_fn)`: the logs are only computed
    (one host sync) when the bar is about to be drawn.
    """

    def __init__(self, count_mode: str = "steps"):
        super().__init__()
        self.verbose = 1
        self.epochs = 1
        self.progbar = None
        self._mode = "train"

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)

    def _new_bar(self, target):
        self.progbar = Progbar(target=target, verbose=self.verbose, unit_name="step")

    def on_train_begin(self, logs=None):
        self._mode = "train"

    def on_epoch_begin(self, epoch, logs=None):
        self._mode = "train"
        # Keras 3 leaves the line out of a one-epoch fit; tf.keras 2 always printed it.
        if self.verbose and (self.epochs > 1 or state.dialect() == "tf2"):
            print(f"Epoch {epoch + 1}/{self.epochs}", flush=True)
        self._new_bar(self.params.get("steps"))

    def on_test_begin(self, logs=None):
        if (
            self._mode == "train"
            and self.progbar is not None
            and self.model is not None
            and getattr(self.model, "_in_fit_validation", False)
        ):
            return  # validation inside fit: its numbers join the epoch line
        self._mode = "test"
        self._new_bar(self.params.get("steps"))

    def on_predict_begin(self, logs=None):
        self._mode = "predict"
        self._new_bar(self.params.get("steps"))

    def update(self, step: int, logs_fn) -> None:
        """Called by the trainer after each batch, with a function returning the current logs."""
        bar = self.progbar
        if bar is None or not self.verbose:
            return
        bar._seen = step
        if bar.should_update():
            bar.update(step, list(logs_fn().items()), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize(logs)

    def on_test_end(self, logs=None):
        if self._mode == "test":
            self._finalize(logs)

    def on_predict_end(self, logs=None):
        self._finalize(None)

    def _finalize(self, logs):
        if self.progbar is None or not self.verbose:
            return
        target = self.progbar.target if self.progbar.target is not None else self.progbar._seen
        self.progbar.target = target
        self.progbar.update(self.progbar._seen or target, list((logs or {}).items()), finalize=True)
        self.progbar = None
