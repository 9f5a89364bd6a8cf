"""ModelCheckpoint and BackupAndRestore."""

from __future__ import annotations

import json
import os
import shutil
import warnings

import numpy as np

from keraslite.callbacks.callback import Callback
from keraslite.callbacks.monitor import monitor_op
from keraslite.distribution import process, sharded_variables


class ModelCheckpoint(Callback):
    """Save the model (or its weights) during training.

    Args:
        filepath: a path, possibly a template (`"model_{epoch:02d}-{val_loss:.2f}.keras"`)
            filled with the epoch (1-based) and the logs.
        monitor: the quantity for `save_best_only`.
        save_best_only: only save when `monitor` improved.
        save_weights_only: `model.save_weights` instead of `model.save`.
        mode: `"auto"`, `"min"` or `"max"`.
        save_freq: `"epoch"` or a number of batches.
        initial_value_threshold: the value `monitor` must beat first.
    """

    def __init__(
        self,
        filepath,
        monitor="val_loss",
        verbose=0,
        save_best_only=False,
        save_weights_only=False,
        mode="auto",
        save_freq="epoch",
        initial_value_threshold=None,
        **kwargs,
    ):
        super().__init__()
        # tf.keras 2's deprecated `period=N`: with save_freq="epoch", save every N epochs.
        self.period = kwargs.pop("period", 1)
        self._epochs_since_last_save = 0
        if kwargs:
            raise TypeError(f"ModelCheckpoint got unexpected keyword argument(s): {sorted(kwargs)}")
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or integer values")
        self.monitor_op = monitor_op(monitor, mode, "ModelCheckpoint")
        self.best = (
            initial_value_threshold
            if initial_value_threshold is not None
            else (np.inf if self.monitor_op is np.less else -np.inf)
        )
        self._batches_seen = 0
        self._current_epoch = 0
        if save_freq == "epoch":
            # No batch hook: fit then computes no per-batch logs (no host sync per step).
            self.on_train_batch_end = Callback.on_train_batch_end.__get__(self)
        if save_weights_only and self.filepath.endswith(".keras"):
            raise ValueError(
                "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end in "
                f"`.weights.h5` (Keras weights format). Received: filepath={self.filepath}"
            )

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if isinstance(self.save_freq, int):
            self._batches_seen += 1
            if self._batches_seen % self.save_freq == 0:
                self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._epochs_since_last_save += 1
            if self._epochs_since_last_save >= self.period:
                self._epochs_since_last_save = 0
                self._save(epoch, None, logs)

    def _path(self, epoch, batch, logs):
        values = dict(logs or {})
        try:
            if batch is None or "batch" in values:
                return self.filepath.format(epoch=epoch + 1, **values)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **values)
        except KeyError as error:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {error}') from error

    def _save(self, epoch, batch, logs):
        logs = logs or {}
        filepath = self._path(epoch, batch, logs)
        directory = os.path.dirname(filepath)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"Can save best model only with {self.monitor} available, skipping.", stacklevel=2)
                return
            if not self.monitor_op(current, self.best):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose > 0:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, saving "
                    f"model to {filepath}"
                )
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)


class BackupAndRestore(Callback):
    """Back up the training state (model and optimizer weights, and the epoch reached);
    a fit interrupted and started again with the same `backup_dir` resumes from there.

    Args:
        backup_dir: where the backup lives (deleted when training ends normally,
            unless `delete_checkpoint=False`).
        save_freq: `"epoch"` (back up at each epoch end) or an integer: back up every that
            many training batches (the fit then resumes at the start of the epoch it was in).
        double_checkpoint: keep the previous backup beside the latest one, and fall back
            to it when the latest cannot be read.
        delete_checkpoint: delete the backup when training ends normally.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)):
            raise ValueError(
                f"Invalid value for argument `save_freq`. Received: save_freq={save_freq}. "
                "Expected either 'epoch' or an integer value."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.npz")
        self._meta_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = self._weights_path + ".bkp"
        self._prev_meta_path = self._meta_path + ".bkp"
        if save_freq == "epoch":
            # No batch hook at all: a fit with this callback does no per-batch work for it.
            self.on_train_batch_end = Callback.on_train_batch_end.__get__(self)

    def on_train_begin(self, logs=None):
        try:
            self._load()
        except (OSError, ValueError, KeyError) as error:
            if not (self.double_checkpoint and os.path.exists(self._prev_weights_path)):
                raise error
            shutil.copyfile(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_meta_path):
                shutil.copyfile(self._prev_meta_path, self._meta_path)
            elif os.path.exists(self._meta_path):
                os.remove(self._meta_path)
            self._load()

    def _load(self):
        if not os.path.exists(self._weights_path):
            return
        with np.load(self._weights_path, allow_pickle=False) as data:
            count = sum(1 for key in data.files if key.startswith("model_"))
            model_weights = [data[f"model_{i}"] for i in range(count)]
            optimizer_count = sum(1 for key in data.files if key.startswith("optimizer_"))
            optimizer_values = [data[f"optimizer_{i}"] for i in range(optimizer_count)]
        self.model.set_weights(model_weights)
        optimizer = self.model.optimizer
        if optimizer_values:
            if not optimizer.built:
                optimizer.build([w for w in self.model.trainable_weights if w.requires_grad])
            optimizer.set_weights(optimizer_values)
        if os.path.exists(self._meta_path):
            with open(self._meta_path) as f:
                self.model._initial_epoch = json.load(f)["epoch"]

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save()

    def on_train_batch_end(self, batch, logs=None):
        if batch <= self._last_batch_seen:  # a new epoch started
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            self._save()

    def _save(self):
        # In a multi-process run rank 0 writes (under ModelParallel the other ranks give it their
        # shards of each weight); every rank reads the same backup to resume.
        sharded_variables.write_from_primary(self.model, self._write_backup)

    def _write_backup(self):
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for latest, previous in (
                (self._weights_path, self._prev_weights_path),
                (self._meta_path, self._prev_meta_path),
            ):
                if os.path.exists(latest):
                    shutil.copyfile(latest, previous)
        arrays = {f"model_{i}": w for i, w in enumerate(self.model.get_weights())}
        optimizer = self.model.optimizer
        optimizer_values = optimizer.get_weights() if optimizer is not None and optimizer.built else []
        arrays.update({f"optimizer_{i}": v for i, v in enumerate(optimizer_values)})
        temporary = self._weights_path + ".tmp.npz"
        np.savez(temporary, **arrays)
        os.replace(temporary, self._weights_path)
        with open(self._meta_path + ".tmp", "w") as f:
            json.dump({"epoch": self._current_epoch, "batch": self._last_batch_seen}, f)
        os.replace(self._meta_path + ".tmp", self._meta_path)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and process.is_primary_process() and os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir, ignore_errors=True)
