"""TensorBoard: the scalars and histograms Keras 3 logs, as event files we write ourselves
(`tensorboard_writer.py`; no TensorFlow or `tensorboard` package needed to write them)."""

from __future__ import annotations

import os
import time
import warnings

import numpy as np

from keraslite.callbacks.callback import Callback
from keraslite.callbacks.tensorboard_writer import EventFileWriter
from keraslite.distribution import process

_PROFILE_BATCH_ERROR = (
    "`profile_batch` must be a non-negative integer or a pair of positive integers (first <= last), "
    "as an int, a tuple/list or a string 'first,last'. Received: profile_batch={!r}"
)


def _profile_range(profile_batch):
    value = profile_batch
    if isinstance(value, str):
        value = [int(part) for part in value.split(",")]
    if isinstance(value, int) and not isinstance(value, bool):
        start = stop = value
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        start, stop = value
    else:
        raise ValueError(_PROFILE_BATCH_ERROR.format(profile_batch))
    if start < 0 or stop < start:
        raise ValueError(_PROFILE_BATCH_ERROR.format(profile_batch))
    return start, stop


class TensorBoard(Callback):
    """Write logs for TensorBoard (`tensorboard --logdir=log_dir`), as Keras 3 does.

    Training scalars go to `log_dir/train`, validation scalars to `log_dir/validation`:

    - each epoch, `epoch_<metric>` at step `epoch` (validation metrics without their `val_`
      prefix, in `validation/`), plus `epoch_learning_rate`;
    - at the end of each evaluation (validation inside `fit`, or `evaluate` given this
      callback), `evaluation_<metric>_vs_iterations` in `validation/` at step
      `optimizer.iterations`;
    - with an integer `update_freq` (or `"batch"`), `batch_<metric>` every `update_freq`
      training batches, at the global batch number (counted from 1);
    - with `histogram_freq`, a `<weight path>/histogram` of every weight every
      `histogram_freq` epochs.

    Args:
        log_dir: the directory for the logs (its `train/` and `validation/` subdirectories).
        histogram_freq: epochs between weight histograms; 0 writes none.
        write_graph: accepted for compatibility; no graph is written.
        write_images: accepted for compatibility; weights are not written as images.
        write_steps_per_second: also log `steps_per_second` (per epoch, and per batch with
            batch-level logging).
        update_freq: `"epoch"`, `"batch"` (every batch) or an integer number of batches.
        profile_batch: accepted and checked as in Keras; profiling is not available with the
            torch backend, so a non-zero value warns and nothing is profiled.
        embeddings_freq: accepted for compatibility; embeddings are not written.
        embeddings_metadata: accepted for compatibility.

    Example:

    ```python
    model.fit(x, y, epochs=2, callbacks=[keras.callbacks.TensorBoard(log_dir="./logs")])
    ```
    """

    def __init__(
        self,
        log_dir="logs",
        histogram_freq=0,
        write_graph=True,
        write_images=False,
        write_steps_per_second=False,
        update_freq="epoch",
        profile_batch=0,
        embeddings_freq=0,
        embeddings_metadata=None,
    ):
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        if self.update_freq != "epoch" and not (isinstance(self.update_freq, int) and self.update_freq > 0):
            raise ValueError(
                "`update_freq` must be 'epoch', 'batch' or a positive integer number of batches. "
                f"Received: update_freq={update_freq!r}"
            )
        self.profile_batch = profile_batch
        if _profile_range(profile_batch) != (0, 0):
            warnings.warn(
                "TensorBoard profiling is not available with the torch backend; "
                f"profile_batch={profile_batch!r} is ignored.",
                stacklevel=2,
            )
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers: dict[str, EventFileWriter] = {}
        self._global_train_batch = 0
        self._batch_start_time = 0.0
        self._epoch_start_time = 0.0
        self._epoch_start_iterations = 0
        if self.update_freq == "epoch" and not write_steps_per_second:
            # Nothing to log per batch: let fit skip computing batch logs for this callback.
            self.on_train_batch_begin = Callback.on_train_batch_begin.__get__(self)
            self.on_train_batch_end = Callback.on_train_batch_end.__get__(self)

    def set_model(self, model) -> None:
        super().set_model(model)
        self._close_writers()  # a new model gets new files, as Keras resets its writers

    def _writer(self, name: str) -> EventFileWriter:
        if not process.is_primary_process():
            return _DISCARDING_WRITER  # in a multi-process run only rank 0 writes logs
        if name not in self._writers:
            self._writers[name] = EventFileWriter(os.path.join(self.log_dir, name))
        return self._writers[name]

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _iterations(self) -> int:
        optimizer = getattr(self.model, "optimizer", None)
        iterations = getattr(optimizer, "iterations", None)
        return 0 if iterations is None else int(iterations)  # host sync: at epoch/evaluation ends only

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0

    def on_train_end(self, logs=None):
        self._close_writers()

    def on_epoch_begin(self, epoch, logs=None):
        if self.write_steps_per_second:
            self._epoch_start_time = time.time()
            self._epoch_start_iterations = self._iterations()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        step = self._global_train_batch
        writer = self._writer("train")
        if self.write_steps_per_second:
            elapsed = time.time() - self._batch_start_time
            writer.scalar("batch_steps_per_second", 1.0 / elapsed if elapsed > 0 else 0.0, step)
        for name, value in _scalars(logs).items():
            writer.scalar(f"batch_{name}", value, step)

    def on_test_end(self, logs=None):
        if getattr(self.model, "optimizer", None) is None:
            return
        writer = self._writer("validation")
        step = self._iterations()
        for name, value in _scalars(logs).items():
            writer.scalar(f"evaluation_{name}_vs_iterations", value, step)
        writer.flush()

    def on_epoch_end(self, epoch, logs=None):
        scalars = _scalars(logs)
        train = {name: value for name, value in scalars.items() if not name.startswith("val_")}
        validation = {name[4:]: value for name, value in scalars.items() if name.startswith("val_")}
        if scalars:
            train.update(self._learning_rate())
            if self.write_steps_per_second:
                elapsed = time.time() - self._epoch_start_time
                steps = self._iterations() - self._epoch_start_iterations
                train["steps_per_second"] = steps / elapsed if elapsed > 0 else 0.0
        for writer_name, values in (("train", train), ("validation", validation)):
            for name, value in values.items():
                self._writer(writer_name).scalar(f"epoch_{name}", value, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        for writer in self._writers.values():
            writer.flush()

    # ------------------------------------------------------------------ helpers
    def _learning_rate(self) -> dict:
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # a LossScaleOptimizer's wrapped one
        try:
            return {"learning_rate": float(optimizer.learning_rate)}
        except (AttributeError, TypeError, ValueError):
            return {}

    def _log_weights(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = str(getattr(weight, "path", None) or getattr(weight, "name", "weight")).replace(":", "_")
                values = weight.detach().float().cpu().numpy()  # host sync: every histogram_freq epochs
                writer.histogram(f"{name}/histogram", values, epoch)


def _scalars(logs) -> dict:
    """The entries of `logs` that are single numbers (arrays and other values are skipped)."""
    result = {}
    for name, value in (logs or {}).items():
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float, np.number)) or (isinstance(value, np.ndarray) and value.size == 1):
            result[name] = float(np.asarray(value).reshape(()))
    return result


class _DiscardingWriter:
    """What a rank other than 0 writes TensorBoard logs to: nothing."""

    def write_values(self, step: int, values: bytes) -> None:
        pass

    def scalar(self, tag: str, value: float, step: int) -> None:
        pass

    def histogram(self, tag: str, values, step: int, bins: int = 30) -> None:
        pass

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


_DISCARDING_WRITER = _DiscardingWriter()
