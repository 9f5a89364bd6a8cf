"""Intersection-over-union metrics: IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU.

All accumulate one confusion matrix (rows: labels, columns: predictions) on the device,
in the metric's dtype (an integer dtype by default, as in Keras: fractional sample weights
are truncated, with a warning).
"""

from __future__ import annotations

import warnings

import torch

from keraslite.backend import state
from keraslite.losses.loss import to_tensor
from keraslite.metrics.metric import Metric


class _IoUBase(Metric):
    """The confusion-matrix accumulation shared by the IoU metrics."""

    def __init__(
        self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1
    ):
        super().__init__(name=name, dtype=dtype or "int32")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable((num_classes, num_classes), name="total_confusion_matrix")

    @torch.no_grad()
    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add a batch to the confusion matrix; out-of-range ids and `ignore_class` are left out."""
        y_true, y_pred = to_tensor(y_true), to_tensor(y_pred)
        if not self.sparse_y_true:
            y_true = torch.argmax(y_true, dim=self.axis)
        if not self.sparse_y_pred:
            y_pred = torch.argmax(y_pred, dim=self.axis)
        # Ids are converted to the metric's dtype first (Keras truncates fractional ids).
        y_true = y_true.to(self._torch_dtype).reshape(-1).long()
        y_pred = y_pred.to(self._torch_dtype).reshape(-1).long()
        if sample_weight is None:
            weight = torch.ones(y_true.shape, dtype=self._torch_dtype, device=y_true.device)
        else:
            sample_weight = to_tensor(sample_weight)
            if sample_weight.is_floating_point() and not self._torch_dtype.is_floating_point:
                warnings.warn(
                    "You are passing weight as `float`, but dtype is `int`. This may result in an incorrect "
                    "weight due to type casting Consider using integer weights.",
                    stacklevel=2,
                )
            weight = torch.broadcast_to(sample_weight.to(self._torch_dtype).reshape(-1), y_true.shape)
        n = self.num_classes
        valid = (y_true >= 0) & (y_true < n) & (y_pred >= 0) & (y_pred < n)
        if self.ignore_class is not None:
            valid &= y_true != self.ignore_class
        index = torch.where(valid, y_true * n + y_pred, torch.zeros_like(y_true))
        weight = torch.where(valid, weight, torch.zeros_like(weight))
        if weight.device != self.total_cm.device:
            self._to_device(weight.device)
        self.total_cm.view(-1).index_add_(0, index, weight)

    def _class_ious(self):
        """(IoU per class, whether the class was seen at all), both float32."""
        cm = self.total_cm.to(self._torch_dtype)
        true_positives = torch.diagonal(cm).float()
        denominator = (cm.sum(0) + cm.sum(1)).float() - true_positives
        valid = denominator > 1e-9
        iou = true_positives / (denominator + state.epsilon())
        return torch.where(valid, iou, torch.zeros_like(iou)), valid.float()


class IoU(_IoUBase):
    """Intersection over union averaged over `target_class_ids`: per class
    `tp / (tp + fp + fn)`, classes never seen in labels or predictions left out.

    Args:
        num_classes: the number of classes (the confusion matrix is `num_classes` square).
        target_class_ids: the classes whose IoU is averaged.
        ignore_class: a label id that does not count (e.g. a "void" class).
        sparse_y_true / sparse_y_pred: whether labels / predictions are class ids
            (else their argmax along `axis` is taken).
        axis: the class axis of non-sparse inputs.
    """

    def __init__(
        self,
        num_classes,
        target_class_ids,
        name=None,
        dtype=None,
        ignore_class=None,
        sparse_y_true=True,
        sparse_y_pred=True,
        axis=-1,
    ):
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )
        if max(target_class_ids) >= num_classes:
            raise ValueError(
                f"Target class id {max(target_class_ids)} is out of range, which is [0, {num_classes}). "
                f"Received: target_class_ids={target_class_ids}, num_classes={num_classes}"
            )
        self.target_class_ids = list(target_class_ids)

    def result(self):
        iou, valid = self._class_ious()
        targets = torch.as_tensor(self.target_class_ids, dtype=torch.long, device=iou.device)
        iou, valid = iou[targets], valid[targets]
        return iou.sum() / (valid.sum() + state.epsilon())

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class BinaryIoU(IoU):
    """IoU of a binary task: predictions `>= threshold` are class 1, the rest class 0.

    Args:
        target_class_ids: `(0, 1)` (the mean of both), `[0]` or `[1]`.
        threshold: the decision threshold on predictions.
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = (to_tensor(y_pred).float() >= self.threshold).to(self._torch_dtype)
        super().update_state(to_tensor(y_true).to(self._torch_dtype), y_pred, sample_weight)

    def get_config(self):
        return {
            "target_class_ids": self.target_class_ids,
            "threshold": self.threshold,
            "name": self.name,
            "dtype": self.dtype,
        }


class MeanIoU(IoU):
    """IoU averaged over all `num_classes` classes (the usual segmentation score)."""

    def __init__(
        self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1
    ):
        super().__init__(
            num_classes,
            list(range(num_classes)),
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self):
        return {
            "num_classes": self.num_classes,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class OneHotIoU(IoU):
    """`IoU` for one-hot labels (and, unless `sparse_y_pred=True`, per-class predictions)."""

    def __init__(
        self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1
    ):
        super().__init__(
            num_classes,
            target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self):
        return {
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class OneHotMeanIoU(MeanIoU):
    """`MeanIoU` for one-hot labels (and, unless `sparse_y_pred=True`, per-class predictions)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self):
        return {
            "num_classes": self.num_classes,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }
