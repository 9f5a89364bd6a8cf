"""Correlation metrics: Pearson and concordance correlation of each sample's values along
`axis`, averaged over samples."""

from __future__ import annotations

import torch

from keraslite.backend import state
from keraslite.losses.loss import squeeze_or_expand_to_same_rank, to_tensor
from keraslite.metrics.reduction_metrics import MeanMetricWrapper


def _pair(y_true, y_pred):
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(torch.get_default_dtype())
    return squeeze_or_expand_to_same_rank(to_tensor(y_true, y_pred.dtype), y_pred)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson correlation coefficient of `y_true` and `y_pred` along `axis`."""
    y_true, y_pred = _pair(y_true, y_pred)
    true_centred = y_true - y_true.mean(dim=axis, keepdim=True)
    pred_centred = y_pred - y_pred.mean(dim=axis, keepdim=True)
    true_centred = true_centred / torch.std(true_centred, dim=axis, keepdim=True, correction=0)
    pred_centred = pred_centred / torch.std(pred_centred, dim=axis, keepdim=True, correction=0)
    return torch.mean(true_centred * pred_centred, dim=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation coefficient of `y_true` and `y_pred` along `axis`."""
    y_true, y_pred = _pair(y_true, y_pred)
    true_mean = y_true.mean(dim=axis, keepdim=True)
    pred_mean = y_pred.mean(dim=axis, keepdim=True)
    true_var = torch.var(y_true - true_mean, dim=axis, keepdim=True, correction=0)
    pred_var = torch.var(y_pred - pred_mean, dim=axis, keepdim=True, correction=0)
    # Keras centres both factors on the prediction mean; kept for parity.
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + torch.square(true_mean - pred_mean)
    return torch.mean(2 * covariance / (norm + state.epsilon()), dim=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """The Pearson correlation along `axis`, averaged over samples."""

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class ConcordanceCorrelation(MeanMetricWrapper):
    """Lin's concordance correlation along `axis`, averaged over samples."""

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}
