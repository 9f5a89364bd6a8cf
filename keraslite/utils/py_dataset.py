"""`keras.utils.PyDataset` (and its old name `Sequence`): a dataset of batches by index."""

from __future__ import annotations


class PyDataset:
    """Base class for datasets of batches: implement `__len__` (the number of batches)
    and `__getitem__(index)` returning `x`, `(x, y)` or `(x, y, sample_weight)`.
    `on_epoch_begin()` runs as each epoch starts, `on_epoch_end()` after it (reshuffle there).

    Args:
        workers, use_multiprocessing, max_queue_size: accepted for compatibility;
            batches are read in the training process.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self):
        return getattr(self, "_workers", 1)

    @property
    def use_multiprocessing(self):
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self):
        return getattr(self, "_max_queue_size", 10)

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement `__getitem__(index)` returning a batch.")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement `__len__` (the number of batches).")

    @property
    def num_batches(self):
        return len(self)

    def on_epoch_begin(self):
        """Called as each epoch (and each evaluate or predict pass) begins."""

    def on_epoch_end(self):
        """Called after each epoch."""

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]


Sequence = PyDataset
