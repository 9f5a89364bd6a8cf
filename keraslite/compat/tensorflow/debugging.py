"""`tf.debugging`: assertions on values, and the logging switches (no-ops here)."""

from __future__ import annotations

import torch

from keraslite.compat.tensorflow.errors import InvalidArgumentError
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.ops.dispatch import to_tensor

__getattr__ = module_getattr("tf.debugging")


def set_log_device_placement(enabled) -> None:
    """Accepted: keraslite places everything on `keras.backend.get_device()`."""


def enable_check_numerics(stack_height_limit=30, path_length_limit=50) -> None:
    """Accepted (no-op)."""


def _check(condition, message, default):
    if not bool(condition):
        raise InvalidArgumentError(message=str(message or default))


def assert_equal(x, y, message=None, summarize=None, name=None):
    _check(torch.equal(*torch.broadcast_tensors(to_tensor(x), to_tensor(y))), message, "Condition x == y did not hold.")


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    close = torch.allclose(to_tensor(x).double(), to_tensor(y).double(), rtol=rtol or 1e-6, atol=atol or 1e-6)
    _check(close, message, "x and y not equal to tolerance.")


def assert_greater(x, y, message=None, summarize=None, name=None):
    _check(bool((to_tensor(x) > to_tensor(y)).all()), message, "Condition x > y did not hold.")


def assert_less(x, y, message=None, summarize=None, name=None):
    _check(bool((to_tensor(x) < to_tensor(y)).all()), message, "Condition x < y did not hold.")


def assert_non_negative(x, message=None, summarize=None, name=None):
    _check(bool((to_tensor(x) >= 0).all()), message, "Condition x >= 0 did not hold.")


def assert_all_finite(t, message, name=None):
    _check(bool(torch.isfinite(to_tensor(t)).all()), message, "Tensor had Inf or NaN values.")
    return t


check_numerics = assert_all_finite


def assert_rank(x, rank, message=None, name=None):
    _check(to_tensor(x).ndim == int(rank), message, f"Tensor must have rank {rank}.")


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None) -> None:
    """Accepted: named-dimension consistency is not checked."""
