"""`tf.summary`: scalars and histograms written to TensorBoard event files.

`create_file_writer(logdir)` makes a writer (keraslite's own event-file writer, the one
the TensorBoard callback uses); `with writer.as_default():` makes it the one
`tf.summary.scalar(name, value, step=...)` / `histogram(...)` write to. Without a default
writer the calls do nothing and return False, as in TensorFlow.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch

from keraslite.callbacks.tensorboard_writer import EventFileWriter
from keraslite.compat.tensorflow.missing import module_getattr

__getattr__ = module_getattr("tf.summary")

_default_writers: list = []
_step = [None]


def _value(data):
    if isinstance(data, torch.Tensor):
        return data.detach().cpu().numpy()
    return np.asarray(data)


class SummaryWriter:
    """A writer of one log directory."""

    def __init__(self, logdir: str):
        self._writer = EventFileWriter(str(logdir))

    @contextlib.contextmanager
    def as_default(self, step=None):
        _default_writers.append(self)
        previous = _step[0]
        if step is not None:
            _step[0] = int(step)
        try:
            yield self
        finally:
            _default_writers.pop()
            _step[0] = previous
            self.flush()

    def set_as_default(self, step=None) -> None:
        _default_writers.append(self)
        if step is not None:
            _step[0] = int(step)

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()


def create_file_writer(
    logdir, max_queue=None, flush_millis=None, filename_suffix=None, name=None, experimental_trackable=False
):
    return SummaryWriter(logdir)


def create_noop_writer():
    return _NoopWriter()


class _NoopWriter:
    @contextlib.contextmanager
    def as_default(self, step=None):
        yield self

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def _resolve_step(step):
    step = _step[0] if step is None else step
    if step is None:
        raise ValueError("No step set: pass `step=` or call tf.summary.experimental.set_step(step).")
    return int(_value(step))


def scalar(name, data, step=None, description=None) -> bool:
    if not _default_writers or isinstance(_default_writers[-1], _NoopWriter):
        return False
    _default_writers[-1]._writer.scalar(name, float(_value(data)), _resolve_step(step))
    return True


def histogram(name, data, step=None, buckets=None, description=None) -> bool:
    if not _default_writers or isinstance(_default_writers[-1], _NoopWriter):
        return False
    _default_writers[-1]._writer.histogram(name, _value(data).reshape(-1), _resolve_step(step), bins=buckets or 30)
    return True


def flush(writer=None, name=None) -> None:
    target = writer or (_default_writers[-1] if _default_writers else None)
    if target is not None:
        target.flush()


class experimental:  # noqa: N801  (TensorFlow's name)
    @staticmethod
    def set_step(step) -> None:
        _step[0] = None if step is None else int(_value(step))

    @staticmethod
    def get_step():
        return _step[0]
