"""TensorBoard: epoch (and optionally batch) scalars through `torch.utils.tensorboard`."""

from __future__ import annotations

import os

from keraslite.callbacks.callback import Callback

_MISSING = (
    "The TensorBoard callback needs the `tensorboard` package (it writes through "
    "`torch.utils.tensorboard`). Install it with `pip install tensorboard`."
)


class TensorBoard(Callback):
    """Write training and validation scalars for TensorBoard to `log_dir/train` and `log_dir/validation`.

    Args:
        log_dir: the log directory.
        update_freq: `"epoch"`, or every N batches (`"batch"` = 1).
        histogram_freq: epochs between weight histograms (0: none).
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
        try:
            # Optional dependency (the `tensorboard` package): checked only when the callback is made.
            from torch.utils.tensorboard import SummaryWriter  # noqa: F401
        except ImportError as error:
            raise ImportError(_MISSING) from error
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self._writers = {}
        self._step = 0
        if self.update_freq == "epoch":
            self.on_train_batch_end = Callback.on_train_batch_end.__get__(self)

    def _writer(self, name):
        # tensorboard is optional: imported only when a TensorBoard callback writes.
        from torch.utils.tensorboard import (
            SummaryWriter,  # optional dependency, present once __init__ passed
        )

        if name not in self._writers:
            self._writers[name] = SummaryWriter(os.path.join(self.log_dir, name))
        return self._writers[name]

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        if isinstance(self.update_freq, int) and self._step % self.update_freq == 0:
            for key, value in (logs or {}).items():
                self._writer("train").add_scalar(f"batch_{key}", value, self._step)

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            if key.startswith("val_"):
                self._writer("validation").add_scalar(f"epoch_{key[4:]}", value, epoch)
            else:
                self._writer("train").add_scalar(f"epoch_{key}", value, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            for weight in self.model.weights:
                self._writer("train").add_histogram(getattr(weight, "path", "weight"), weight.detach().cpu(), epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
