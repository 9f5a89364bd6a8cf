"""Metrics read off a curve of confusion counts at many thresholds: AUC (ROC, PR, PR-gain;
single- or multi-label) and the "X at a fixed Y" family (SensitivityAtSpecificity,
SpecificityAtSensitivity, PrecisionAtRecall, RecallAtPrecision).

Counts are accumulated on the device. For thresholds evenly spaced over [0, 1] (the default),
each prediction falls in one bucket (`ceil(p * (n - 1)) - 1`) and the counts at every
threshold are a reversed cumulative sum of the bucket totals, as Keras computes them:
memory linear in the batch, not in batch x thresholds. Other thresholds are compared
directly (`prediction > threshold`).
"""

from __future__ import annotations

import numpy as np
import torch

from keraslite.backend import state
from keraslite.losses.loss import squeeze_or_expand_to_same_rank, to_tensor
from keraslite.metrics.metric import Metric


def _div(a, b):
    return torch.where(b == 0, torch.zeros_like(a), a / torch.where(b == 0, torch.ones_like(b), b))


def _evenly_distributed(thresholds) -> bool:
    count = len(thresholds)
    if count < 3:
        return False
    even = np.arange(count, dtype=np.float32) / (count - 1)
    return bool(np.allclose(thresholds, even, atol=state.epsilon()))


def confusion_counts(
    y_true,
    y_pred,
    thresholds,
    evenly=False,
    sample_weight=None,
    class_id=None,
    multi_label=False,
    label_weights=None,
):
    """(tp, fp, tn, fn) at each threshold: shape `(T,)`, or `(T, labels)` with `multi_label`."""
    y_true = to_tensor(y_true).float()
    y_pred = to_tensor(y_pred).float()
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, torch.float32).unsqueeze(-1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight, expand_rank_1=False)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape (num_samples, num_classes), "
                f"found shape: {tuple(y_pred.shape)}"
            )
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    weights = torch.ones_like(y_pred) if sample_weight is None else torch.broadcast_to(sample_weight, y_pred.shape)
    if label_weights is not None:
        weights = weights * torch.broadcast_to(label_weights.to(y_pred.device).unsqueeze(0), y_pred.shape)
    positive = (y_true != 0).float()
    if not multi_label:
        y_pred, positive, weights = y_pred.reshape(-1), positive.reshape(-1), weights.reshape(-1)
    true_labels = positive * weights  # (N,) or (N, L)
    false_labels = (1.0 - positive) * weights
    num_thresholds = len(thresholds)
    if evenly:
        with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
        y_pred = torch.clamp(y_pred, 0.0, 1.0)
        bucket = torch.ceil(y_pred * (num_thresholds - 1)) - 1
        if with_epsilon:
            bucket = torch.relu(bucket)
        bucket = bucket.long()
        kept = bucket >= 0  # a bucket of -1 is below every threshold
        bucket = torch.where(kept, bucket, torch.zeros_like(bucket))
        tp_buckets = _bucket_sum(true_labels * kept, bucket, num_thresholds)
        fp_buckets = _bucket_sum(false_labels * kept, bucket, num_thresholds)
        tp = torch.flip(torch.cumsum(torch.flip(tp_buckets, [0]), 0), [0])
        fp = torch.flip(torch.cumsum(torch.flip(fp_buckets, [0]), 0), [0])
    else:
        grid = torch.as_tensor(np.asarray(thresholds), dtype=torch.float32, device=y_pred.device)
        grid = grid.reshape((-1,) + (1,) * y_pred.ndim)
        above = (y_pred.unsqueeze(0) > grid).float()  # (T, N) or (T, N, L)
        tp = (above * true_labels.unsqueeze(0)).sum(1)
        fp = (above * false_labels.unsqueeze(0)).sum(1)
    tn = false_labels.sum(0) - fp
    fn = true_labels.sum(0) - tp
    return tp, fp, tn, fn


def _bucket_sum(values, bucket, num_thresholds):
    shape = (num_thresholds,) + tuple(values.shape[1:])
    return torch.zeros(shape, dtype=values.dtype, device=values.device).scatter_add_(0, bucket, values)


class _CurveCounts(Metric):
    """tp/fp/tn/fn variables of shape `shape`, filled by `confusion_counts`."""

    def _make_count_variables(self, shape):
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.true_negatives = self.add_variable(shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")

    def _add_counts(self, counts):
        if counts[0].device != self.true_positives.device:
            self._to_device(counts[0].device)
        for variable, value in zip(
            (self.true_positives, self.false_positives, self.true_negatives, self.false_negatives), counts
        ):
            variable.add_(value.to(variable.dtype))


class AUC(_CurveCounts):
    """Area under the ROC curve (or the precision-recall curve) by a Riemann sum over
    `num_thresholds` thresholds.

    Args:
        num_thresholds: thresholds evenly spaced in [0, 1] (plus one just below 0 and one
            just above 1).
        curve: `"ROC"`, `"PR"` or `"PRGAIN"` (precision-recall gain).
        summation_method: `"interpolation"`, `"minoring"` or `"majoring"`.
        thresholds: explicit thresholds instead of `num_thresholds`.
        multi_label: treat each column of `y_pred` as its own label: one curve per label,
            the AUCs averaged (weighted by `label_weights` if given). Otherwise all
            columns are flattened into one curve.
        num_labels: the number of labels with `multi_label` (else learnt on the first update).
        label_weights: per-label weights (of the AUC average with `multi_label`, of the
            counts otherwise).
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
        curve = curve.upper() if isinstance(curve, str) else curve
        if curve not in ("ROC", "PR", "PRGAIN"):
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PRGAIN"]')
        summation_method = summation_method.lower() if isinstance(summation_method, str) else summation_method
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(
                f'Invalid AUC summation method value: "{summation_method}". Expected values are ["interpolation", '
                '"majoring", "minoring"]'
            )
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            inner = sorted(float(t) for t in thresholds)
            self._thresholds_distributed_evenly = _evenly_distributed(np.array([0.0] + inner + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    f"Argument `num_thresholds` must be an integer > 1. Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        eps = state.epsilon()
        self._thresholds = np.array([0.0 - eps] + inner + [1.0 + eps])
        self.curve = curve
        self.summation_method = summation_method
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else torch.as_tensor(label_weights, dtype=self._torch_dtype)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list:
        """The thresholds, the two end points included."""
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(
                    f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {len(shape)}. "
                    f"Full shape received for `y_pred`: {tuple(shape)}"
                )
            self._num_labels = shape[1]
            self._make_count_variables((self.num_thresholds, self._num_labels))
        else:
            self._make_count_variables((self.num_thresholds,))
        self._built = True

    @torch.no_grad()
    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = to_tensor(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = torch.sigmoid(y_pred.float())
        counts = confusion_counts(
            y_true,
            y_pred,
            self._thresholds,
            evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
        )
        self._add_counts(counts)

    def _average_over_labels(self, by_threshold):
        if not self.multi_label:
            return by_threshold.sum()
        by_label = by_threshold.sum(0)
        if self.label_weights is None:
            return by_label.mean()
        weights = self.label_weights.to(by_label.device)
        return _div((by_label * weights).sum(), weights.sum())

    def interpolate_pr_auc(self):
        """The PR-AUC with precision interpolated between thresholds (Davis & Goadrich 2006)."""
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
        return self._average_over_labels(increments)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        n = self.num_thresholds
        recall = _div(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _div(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _div(tp, tp + fp)
        else:
            scale = _div(tp + fn, tn + fp)
            recall_gain = 1.0 - scale * _div(fn, tp)
            precision_gain = 1.0 - scale * _div(fp, tp)
            recall_gain = torch.where(tp == 0, torch.zeros_like(recall_gain), recall_gain)
            precision_gain = torch.where(tp == 0, torch.ones_like(precision_gain), precision_gain)
            x, y = torch.clamp(recall_gain, min=0.0), precision_gain
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[: n - 1], y[1:])
        else:
            heights = torch.maximum(y[: n - 1], y[1:])
        return self._average_over_labels((x[: n - 1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        label_weights = self.label_weights
        config = {
            "name": self.name,
            "dtype": self.dtype,
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if label_weights is None else label_weights.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


class _AtFixedValue(_CurveCounts):
    """Counts at `num_thresholds` thresholds evenly spaced over [0, 1] (0 and 1 included);
    the result is the best `dependent` value among thresholds whose `constrained` value
    reaches the requested one."""

    _value_name = ""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if value < 0 or value > 1:
            raise ValueError(
                f"Argument `{self._value_name}` must be in the range [0, 1]. Received: {self._value_name}={value}"
            )
        if num_thresholds <= 0:
            raise ValueError(
                f"Argument `num_thresholds` must be an integer > 0. Received: num_thresholds={num_thresholds}"
            )
        super().__init__(name=name, dtype=dtype)
        self.value = value
        setattr(self, self._value_name, value)
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._thresholds_distributed_evenly = True
        self._make_count_variables((len(self.thresholds),))

    @torch.no_grad()
    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(
            y_true,
            y_pred,
            self.thresholds,
            evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
            class_id=self.class_id,
        )
        self._add_counts(counts)

    def _rates(self):
        tp, fp, tn, fn = self.true_positives, self.false_positives, self.true_negatives, self.false_negatives
        return {
            "sensitivity": _div(tp, tp + fn),
            "recall": _div(tp, tp + fn),
            "specificity": _div(tn, tn + fp),
            "precision": _div(tp, tp + fp),
        }

    def _best(self, constrained: str, dependent: str):
        rates = self._rates()
        feasible = rates[constrained] >= self.value
        candidates = torch.where(feasible, rates[dependent], torch.zeros_like(rates[dependent]))
        return torch.clamp(candidates.max(), min=0.0)

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "class_id": self.class_id,
            "num_thresholds": self.num_thresholds,
            self._value_name: self.value,
        }


class SensitivityAtSpecificity(_AtFixedValue):
    """The best sensitivity (recall) among thresholds whose specificity is at least `specificity`.

    Args:
        specificity: in [0, 1].
        num_thresholds: how many thresholds (evenly spaced over [0, 1]) to try.
        class_id: compute the metric for this column of `y_pred` only.
    """

    _value_name = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        return self._best("specificity", "sensitivity")


class SpecificityAtSensitivity(_AtFixedValue):
    """The best specificity among thresholds whose sensitivity (recall) is at least `sensitivity`."""

    _value_name = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        return self._best("sensitivity", "specificity")


class PrecisionAtRecall(_AtFixedValue):
    """The best precision among thresholds whose recall is at least `recall`."""

    _value_name = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        return self._best("recall", "precision")


class RecallAtPrecision(_AtFixedValue):
    """The best recall among thresholds whose precision is at least `precision`."""

    _value_name = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self):
        return self._best("precision", "recall")
