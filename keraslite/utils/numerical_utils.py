"""`keras.utils.to_categorical` and `keras.utils.normalize`."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


def to_categorical(x: Any, num_classes: int | None = None):
    """Converts a class vector (integers) to a binary class matrix (one-hot).

    Args:
        x: Array-like with class values from 0 to `num_classes - 1`. A trailing
            axis of size 1 (labels shaped `(n, 1)`, as CIFAR's) is dropped first.
        num_classes: Total number of classes. `None` infers `max(x) + 1`.

    Returns:
        For NumPy/array-like input, a float64 NumPy array with the class axis last
        (as Keras returns); for a torch tensor, a float32 torch tensor.

    Example:
        >>> to_categorical([0, 1, 2, 3], num_classes=4)
        array([[1., 0., 0., 0.], ...
    """
    if isinstance(x, torch.Tensor):
        if x.ndim > 1 and x.shape[-1] == 1:
            x = x.reshape(x.shape[:-1])
        if num_classes is None:
            num_classes = int(x.max()) + 1 if x.numel() else 0
        return torch.nn.functional.one_hot(x.long(), num_classes).to(torch.float32)
    x = np.array(x, dtype="int64")
    input_shape = x.shape
    if len(input_shape) > 1 and input_shape[-1] == 1:
        input_shape = input_shape[:-1]
    x = x.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(x)) + 1 if x.size else 0
    if x.size and (x.min() < 0 or x.max() >= num_classes):
        raise ValueError(
            f"`to_categorical`: class values must be in [0, num_classes - 1] = [0, {num_classes - 1}]. "
            f"Received: values from {x.min()} to {x.max()} with num_classes={num_classes}"
        )
    categorical = np.zeros((x.shape[0], num_classes))
    categorical[np.arange(x.shape[0]), x] = 1
    return categorical.reshape(tuple(input_shape) + (num_classes,))


def normalize(x: Any, axis: int = -1, order: int = 2):
    """Normalizes an array along `axis` by its `order`-norm (L2 by default).

    Zero vectors stay zero. A NumPy array gives a NumPy array, a torch tensor a torch tensor.

    Args:
        x: Array to normalize.
        axis: Axis along which to normalize.
        order: Normalization order (e.g. `order=2` for the L2 norm).

    Returns:
        A normalized copy of the array.
    """
    if isinstance(x, torch.Tensor):
        norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
        return x / torch.where(norm == 0, torch.ones_like(norm), norm)
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis if axis is not None else -1)
