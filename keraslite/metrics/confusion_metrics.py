"""Threshold-based metrics (Precision, Recall, AUC, TruePositives ...), F-scores and MeanIoU.

Counts are accumulated per threshold on the device: a batch compares its predictions
with every threshold at once (`pred > thresholds`), no host sync.
"""

from __future__ import annotations

import torch

from keraslite.backend import state
from keraslite.losses.loss import to_tensor
from keraslite.metrics.accuracy_metrics import class_indices
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
            super().__init__(thresholds=thresholds, name=name or default_name, dtype=dtype)
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
        super().__init__(
            thresholds, top_k, class_id, name=name or "precision", dtype=dtype, default=0.5 if top_k is None else -1e30
        )
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
        super().__init__(
            thresholds, top_k, class_id, name=name or "recall", dtype=dtype, default=0.5 if top_k is None else -1e30
        )
        self.true_positives = self.add_variable((len(self.thresholds),), name="true_positives")
        self.false_negatives = self.add_variable((len(self.thresholds),), name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        tp, _, _, fn = self._accumulate(y_true, y_pred, sample_weight)
        self.true_positives.add_(tp)
        self.false_negatives.add_(fn)

    def result(self):
        return self._out(_div(self.true_positives, self.true_positives + self.false_negatives))


class AUC(Metric):
    """Area under the ROC or PR curve, from counts at `num_thresholds` thresholds.

    Args:
        num_thresholds: thresholds evenly spaced in [0, 1] (plus just below 0 and above 1).
        curve: `"ROC"` or `"PR"`.
        summation_method: `"interpolation"`, `"minoring"` or `"majoring"`.
        from_logits: apply a sigmoid to predictions first.
    """

    def __init__(
        self,
        num_thresholds=200,
        curve="ROC",
        summation_method="interpolation",
        name=None,
        dtype=None,
        thresholds=None,
        multi_label=False,
        num_labels=None,
        label_weights=None,
        from_logits=False,
    ):
        super().__init__(name=name or "auc", dtype=dtype)
        if curve not in ("ROC", "PR"):
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["ROC", "PR"]')
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(
                f'Invalid AUC summation method value: "{summation_method}". Expected values are ["interpolation", '
                '"majoring", "minoring"]'
            )
        if multi_label:
            raise NotImplementedError("AUC(multi_label=True) is not implemented in keraslite yet.")
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            inner = sorted(thresholds)
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    f"Argument `num_thresholds` must be an integer > 1. Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        eps = state.epsilon()
        self._thresholds_list = [0.0 - eps] + inner + [1.0 + eps]
        self.thresholds = torch.tensor(self._thresholds_list, dtype=torch.float32, device=state.get_device())
        self.curve = curve
        self.summation_method = summation_method
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = label_weights
        self._from_logits = from_logits
        self._init_thresholds = thresholds
        n = self.num_thresholds
        self.true_positives = self.add_variable((n,), name="true_positives")
        self.false_positives = self.add_variable((n,), name="false_positives")
        self.true_negatives = self.add_variable((n,), name="true_negatives")
        self.false_negatives = self.add_variable((n,), name="false_negatives")

    @torch.no_grad()
    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = to_tensor(y_pred).float()
        if self._from_logits:
            y_pred = torch.sigmoid(y_pred)
        tp, fp, tn, fn = _counts(y_true, y_pred, self.thresholds.to(y_pred.device), sample_weight)
        if tp.device != self.true_positives.device:
            self._to_device(tp.device)
        self.true_positives.add_(tp)
        self.false_positives.add_(fp)
        self.true_negatives.add_(tn)
        self.false_negatives.add_(fn)

    def _interpolate_pr_auc(self):
        n = self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        slope = _div(dtp, torch.clamp(dp, min=0))
        intercept = tp[1:] - slope * p[1:]
        ratio = torch.where(
            (p[: n - 1] > 0) & (p[1:] > 0), _div(p[: n - 1], torch.clamp(p[1:], min=0)), torch.ones_like(p[1:])
        )
        increments = _div(slope * (dtp + intercept * torch.log(ratio)), torch.clamp(tp[1:] + fn[1:], min=0))
        return increments.sum()

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        recall = _div(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _div(fp, fp + tn), recall
        else:
            x, y = recall, _div(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[:-1], y[1:])
        else:
            heights = torch.maximum(y[:-1], y[1:])
        return ((x[:-1] - x[1:]) * heights).sum()

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": self.label_weights,
            "from_logits": self._from_logits,
            "thresholds": self._init_thresholds,
        }


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


class MeanIoU(Metric):
    """Mean intersection-over-union over classes, from an accumulated confusion matrix.

    Args:
        num_classes: the number of classes.
        ignore_class: a label value that does not count.
        sparse_y_true / sparse_y_pred: whether labels / predictions are class ids
            (else their argmax along `axis` is taken).
    """

    def __init__(
        self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1
    ):
        # Keras keeps the confusion matrix in an integer dtype by default (weights are truncated).
        super().__init__(name=name or "mean_io_u", dtype=dtype or "int32")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable((num_classes, num_classes), name="total_confusion_matrix")

    @torch.no_grad()
    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = to_tensor(y_true), to_tensor(y_pred)
        if not self.sparse_y_true:
            y_true = class_indices(y_true, dim=self.axis)
        if not self.sparse_y_pred:
            y_pred = class_indices(y_pred, dim=self.axis)
        y_true = y_true.reshape(-1).long()
        y_pred = y_pred.reshape(-1).long()
        weight = (
            torch.ones(y_true.shape, dtype=self._torch_dtype, device=y_true.device)
            if sample_weight is None
            else torch.broadcast_to(to_tensor(sample_weight, self._torch_dtype).reshape(-1), y_true.shape)
        )
        valid = (y_true >= 0) & (y_true < self.num_classes) & (y_pred >= 0) & (y_pred < self.num_classes)
        if self.ignore_class is not None:
            valid &= y_true != self.ignore_class
        index = torch.where(valid, y_true * self.num_classes + y_pred, torch.zeros_like(y_true))
        weight = torch.where(valid, weight, torch.zeros_like(weight))
        cm = torch.zeros(self.num_classes * self.num_classes, dtype=self._torch_dtype, device=y_true.device)
        cm.index_add_(0, index, weight)
        if cm.device != self.total_cm.device:
            self._to_device(cm.device)
        self.total_cm.add_(cm.reshape(self.num_classes, self.num_classes))

    def result(self):
        cm = self.total_cm.float()
        tp = torch.diagonal(cm)
        denominator = cm.sum(0) + cm.sum(1) - tp
        valid = (denominator != 0).float()
        iou = _div(tp, denominator)
        return _div((iou * valid).sum(), valid.sum())

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "num_classes": self.num_classes,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }
