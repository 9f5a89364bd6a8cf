"""`tf.errors`: TensorFlow's exception classes, as subclasses of the Python exceptions the
same failures raise in keraslite (so `except tf.errors.InvalidArgumentError` catches a
shape error from torch)."""

from __future__ import annotations


class OpError(Exception):
    def __init__(self, node_def=None, op=None, message="", *args, **kwargs):
        super().__init__(message or node_def or "")
        self.message = message


class InvalidArgumentError(OpError, ValueError, RuntimeError):
    pass


class FailedPreconditionError(OpError, RuntimeError):
    pass


class NotFoundError(OpError, FileNotFoundError):
    pass


class OutOfRangeError(OpError, IndexError, StopIteration):
    pass


class ResourceExhaustedError(OpError, MemoryError):
    pass


class UnimplementedError(OpError, NotImplementedError):
    pass


class UnknownError(OpError):
    pass


class AlreadyExistsError(OpError, FileExistsError):
    pass


class CancelledError(OpError):
    pass


class InternalError(OpError, RuntimeError):
    pass


class PermissionDeniedError(OpError, PermissionError):
    pass


class AbortedError(OpError):
    pass


class DeadlineExceededError(OpError, TimeoutError):
    pass


class UnavailableError(OpError):
    pass


class DataLossError(OpError):
    pass
