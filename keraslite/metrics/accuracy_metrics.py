"""Accuracy metrics: functions returning per-sample 0/1 matches, and their Mean wrappers."""

from __future__ import annotations

import torch

from keraslite.backend import state
from keraslite.losses.loss import squeeze_or_expand_to_same_rank, to_tensor
from keraslite.metrics.reduction_metrics import MeanMetricWrapper


def _float(x: torch.Tensor) -> torch.Tensor:
    return x.to(getattr(torch, state.floatx()))


def accuracy(y_true, y_pred):
    """1 where `y_true == y_pred` exactly."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(to_tensor(y_true), to_tensor(y_pred))
    return _float(y_true == y_pred.to(y_true.dtype))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1 where `(y_pred > threshold) == y_true`."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(to_tensor(y_true), to_tensor(y_pred))
    return _float(y_true == (y_pred > threshold).to(y_true.dtype))


def class_indices(one_hot, dim: int = -1):
    """`argmax` of one-hot labels, which may be bool (torch has no bool argmax)."""
    if one_hot.dtype == torch.bool:
        one_hot = one_hot.to(torch.uint8)
    return torch.argmax(one_hot, dim=dim)


def categorical_accuracy(y_true, y_pred):
    """1 where `argmax(y_true) == argmax(y_pred)` (one-hot labels)."""
    labels = class_indices(to_tensor(y_true))
    return _sparse_matches(labels, to_tensor(y_pred))


def _sparse_matches(y_true, y_pred):
    original_shape = y_true.shape
    reshape = y_true.ndim == y_pred.ndim
    if reshape:
        y_true = y_true.squeeze(-1)
    predicted = class_indices(y_pred)
    if predicted.dtype != y_true.dtype:
        predicted = predicted.to(y_true.dtype)
    matches = _float(y_true == predicted)
    return matches.reshape(original_shape) if reshape else matches


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where the integer label equals `argmax(y_pred)`."""
    return _sparse_matches(to_tensor(y_true), to_tensor(y_pred))


def _in_top_k(labels, predictions, k):
    """Whether each label's score is among the `k` highest of its row, for labels of any
    rank (Keras flattens both to rows of classes, then restores the labels' shape)."""
    rows = predictions.reshape(-1, predictions.shape[-1])
    top = torch.topk(rows, min(k, rows.shape[-1]), dim=-1).values[:, -1:]
    target = torch.gather(rows, 1, labels.long().reshape(-1, 1))
    return (target >= top).squeeze(-1).reshape(labels.shape)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the true class (one-hot) is among the `k` highest predictions."""
    y_pred = to_tensor(y_pred)
    return _float(_in_top_k(class_indices(to_tensor(y_true)), y_pred, k))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1 where the integer label is among the `k` highest predictions."""
    y_true, y_pred = to_tensor(y_true), to_tensor(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    if from_sorted_ids:
        return _float((y_pred[..., :k] == y_true.unsqueeze(-1).to(y_pred.dtype)).any(dim=-1))
    return _float(_in_top_k(y_true, y_pred, k))


def _sparse_match_count(y_true, y_pred):
    """How many rows of 2-D scores have their label (shape `(batch,)` or `(batch, 1)`) as argmax."""
    if y_pred.ndim != 2 or y_true.shape not in ((y_pred.shape[0],), (y_pred.shape[0], 1)):
        return None
    return (y_pred.argmax(dim=-1) == y_true.reshape(-1)).sum()


def _categorical_match_count(y_true, y_pred):
    """How many rows of 2-D scores have the one-hot label's class as argmax."""
    if y_pred.ndim != 2 or y_true.shape != y_pred.shape:
        return None
    return (y_pred.argmax(dim=-1) == class_indices(y_true)).sum()


def _binary_match_count(y_true, y_pred, threshold=0.5):
    """How many single-output rows have `y_pred > threshold` equal to the label."""
    if y_pred.ndim != 2 or y_pred.shape[1] != 1 or y_true.shape != y_pred.shape:
        return None
    return (y_true == (y_pred > threshold).to(y_true.dtype)).sum()


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often `y_pred > threshold` matches binary labels."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)

    _unweighted_sum = _binary_match_count


class CategoricalAccuracy(MeanMetricWrapper):
    """How often `argmax(y_pred)` matches one-hot labels."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    _unweighted_sum = _categorical_match_count


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often `argmax(y_pred)` matches integer labels."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    _unweighted_sum = _sparse_match_count


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label is in the top `k` predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is in the top `k` predictions."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        super().__init__(
            sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k, from_sorted_ids=from_sorted_ids
        )
