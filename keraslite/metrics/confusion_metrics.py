"""Threshold-based metrics (Precision, Recall, TruePositives ...) and F-scores.

Counts are accumulated per threshold on the device: a batch compares its predictions
with every threshold at once (`pred > thresholds`), no host sync.
"""

from __future__ import annotations

import torch

from keraslite.backend import state
from keraslite.losses.loss import to_tensor
from keraslite.metrics.metric import Metric


def _div(a, b):
    return torch.where(b == 0, torch.zeros_like(a), a / torch.where(b == 0, torch.ones_like(b), b))


def _counts(y_true, y_pred, thresholds, sample_weight, top_k=None, class_id=None):
    """(tp, fp, tn, fn), each of shape (len(thresholds),), weighted by `sample_weight`."""
    y_pred = to_tensor(y_pred).float()
    y_true = to_tensor(y_true).float()
    if y_true.ndim == y_pred.ndim - 1:
        y_true = y_true.unsqueeze(-1)
    if top_k is not None:
        kth = torch.topk(y_pred, top_k, dim=-1).values[..., -1:]
        y_pred = torch.where(y_pred >= kth, y_pred, torch.full_like(y_pred, -float("inf")))
    if class_id is not None:
        y_true, y_pred = y_true[..., class_id], y_pred[..., class_id]
    weights = (
        torch.ones_like(y_pred)
        if sample_weight is None
        else torch.broadcast_to(_expand_weight(to_tensor(sample_weight, torch.float32), y_pred), y_pred.shape)
    )
    labels = y_true.reshape(-1).to(torch.bool)
    preds = y_pred.reshape(-1)
    weights = weights.reshape(-1)
    above = preds.unsqueeze(0) > thresholds.unsqueeze(1)  # (T, N)
    positive = (labels.float() * weights).unsqueeze(0)
    negative = ((~labels).float() * weights).unsqueeze(0)
    tp = (above * positive).sum(1)
    fp = (above * negative).sum(1)
    fn = ((~above) * positive).sum(1)
    tn = ((~above) * negative).sum(1)
    return tp, fp, tn, fn


def _expand_weight(weight, like):
    while weight.ndim < like.ndim:
        weight = weight.unsqueeze(-1)
    return weight


class _ThresholdCounts(Metric):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None, default=0.5):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        values = (
            [default]
            if thresholds is None
            else (list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds])
        )
        self._scalar = thresholds is None or not isinstance(thresholds, (list, tuple))
        self.thresholds = torch.tensor(values, dtype=torch.float32, device=state.get_device())

    @torch.no_grad()
    def _accumulate(self, y_true, y_pred, sample_weight):
        counts = _counts(
            y_true, y_pred, self.thresholds.to(to_tensor(y_pred).device), sample_weight, self.top_k, self.class_id
        )
        if counts[0].device != self._variables[0].device:
            self._to_device(counts[0].device)
        return counts

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }

    def _out(self, value):
        return value[0] if self._scalar else value


def _count_metric(class_name, index, default_name):
    class CountMetric(_ThresholdCounts):
        def __init__(self, thresholds=None, name=None, dtype=None):
            super().__init__(thresholds=thresholds, name=name or state.unique_name(default_name), dtype=dtype)
            self.accumulator = self.add_variable((len(self.thresholds),), name="accumulator")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.accumulator.add_(self._accumulate(y_true, y_pred, sample_weight)[index])

        def result(self):
            return self._out(self.accumulator.detach().clone())

        def get_config(self):
            return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds}

    CountMetric.__name__ = CountMetric.__qualname__ = class_name
    CountMetric.__doc__ = f"The (weighted) number of {default_name.replace('_', ' ')} (prediction > threshold)."
    return CountMetric


TruePositives = _count_metric("TruePositives", 0, "true_positives")
FalsePositives = _count_metric("FalsePositives", 1, "false_positives")
TrueNegatives = _count_metric("TrueNegatives", 2, "true_negatives")
FalseNegatives = _count_metric("FalseNegatives", 3, "false_negatives")


class Precision(_ThresholdCounts):
    """`tp / (tp + fp)` with predictions above `thresholds` (default 0.5) counted positive."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name, dtype=dtype, default=0.5 if top_k is None else -1e30)
        self.true_positives = self.add_variable((len(self.thresholds),), name="true_positives")
        self.false_positives = self.add_variable((len(self.thresholds),), name="false_positives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        tp, fp, _, _ = self._accumulate(y_true, y_pred, sample_weight)
        self.true_positives.add_(tp)
        self.false_positives.add_(fp)

    def result(self):
        return self._out(_div(self.true_positives, self.true_positives + self.false_positives))


class Recall(_ThresholdCounts):
    """`tp / (tp + fn)` with predictions above `thresholds` (default 0.5) counted positive."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name=name, dtype=dtype, default=0.5 if top_k is None else -1e30)
        self.true_positives = self.add_variable((len(self.thresholds),), name="true_positives")
        self.false_negatives = self.add_variable((len(self.thresholds),), name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        tp, _, _, fn = self._accumulate(y_true, y_pred, sample_weight)
        self.true_positives.add_(tp)
        self.false_negatives.add_(fn)

    def result(self):
        return self._out(_div(self.true_positives, self.true_positives + self.false_negatives))


class FBetaScore(Metric):
    """F-beta score per class (`average=None`) or averaged (`"micro"`, `"macro"`, `"weighted"`).

    Args:
        beta: weight of recall relative to precision.
        threshold: predictions above it are positive; `None` takes the top class per sample.
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(
                "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', 'weighted'}. "
                f"Received: average={average}"
            )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self._axis = None if average == "micro" else 0
        self._built = False

    def _build(self, num_classes):
        shape = () if self.average == "micro" else (num_classes,)
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self.intermediate_weights = self.add_variable(shape, name="intermediate_weights")
        self._built = True

    @torch.no_grad()
    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = to_tensor(y_true, self._torch_dtype)
        y_pred = to_tensor(y_pred, self._torch_dtype)
        if y_true.ndim != 2 or y_pred.ndim != 2:
            raise ValueError(
                "FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                f"y_pred.shape={tuple(y_pred.shape)} and y_true.shape={tuple(y_true.shape)}."
            )
        if not self._built:
            self._build(y_pred.shape[-1])
        if self.threshold is None:
            top = torch.amax(y_pred, dim=-1, keepdim=True)
            y_pred = ((y_pred >= top) & (torch.abs(y_pred) > 1e-9)).to(self._torch_dtype)
        else:
            y_pred = (y_pred > self.threshold).to(self._torch_dtype)
        if y_pred.device != self.true_positives.device:
            self._to_device(y_pred.device)

        def weighted_sum(value):
            if sample_weight is not None:
                value = value * to_tensor(sample_weight, self._torch_dtype).unsqueeze(1)
            return value.sum() if self._axis is None else value.sum(dim=0)

        self.true_positives.add_(weighted_sum(y_pred * y_true))
        self.false_positives.add_(weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.add_(weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.add_(weighted_sum(y_true))

    def result(self):
        eps = state.epsilon()
        tp = self.true_positives
        precision = tp / (tp + self.false_positives + eps)
        recall = tp / (tp + self.false_negatives + eps)
        score = (precision * recall) / (self.beta**2 * precision + recall + eps) * (1 + self.beta**2)
        if self.average == "weighted":
            weights = self.intermediate_weights / (self.intermediate_weights.sum() + eps)
            return (score * weights).sum()
        if self.average is not None:
            return score.mean()
        return score

    def reset_state(self):
        super().reset_state()

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """F1 score (`FBetaScore` with `beta=1`)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
