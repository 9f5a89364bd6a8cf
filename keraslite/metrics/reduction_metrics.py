"""Sum, Mean and MeanMetricWrapper (a function of `(y_true, y_pred)` averaged over samples)."""

from __future__ import annotations

import torch

from keraslite.losses.loss import per_sample_function, squeeze_or_expand_to_same_rank, to_tensor
from keraslite.metrics.metric import Metric, reduce_to_samplewise_values, without_grad


class Sum(Metric):
    """The (weighted) sum of the values seen."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")

    @without_grad
    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, self._torch_dtype, reduce_fn=torch.sum)
        if values.device != self.total.device:
            self._to_device(values.device)
        self.total.add_(values.sum())

    def result(self):
        return self.total.detach().clone()


class Mean(Metric):
    """The (weighted) mean of the values seen: `sum(values * w) / sum(w)`."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")
        self.count = self.add_variable((), name="count")

    def _add_scalar(self, value: torch.Tensor, weight) -> None:
        """The trainer's loss tracker: a detached 0-d value weighted by the batch size
        (called with gradients off)."""
        if value.device != self.total.device:
            self._to_device(value.device)
        self.total.add_(value * weight)
        self.count.add_(weight)

    @without_grad
    def update_state(self, values, sample_weight=None):
        if isinstance(sample_weight, (int, float)) and isinstance(values, torch.Tensor) and values.ndim == 0:
            self._add_scalar(values.detach().to(self.total.dtype), sample_weight)
            return
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, self._torch_dtype)
        if values.device != self.total.device:
            self._to_device(values.device)
        self.total.add_(values.sum())
        if sample_weight is not None:
            self.count.add_(sample_weight.sum())
        else:
            self.count.add_(values.shape[0] if values.ndim >= 1 else 1)

    def result(self):
        # divide_no_nan: an empty metric reads 0.
        return torch.where(
            self.count == 0,
            torch.zeros_like(self.total),
            self.total / torch.where(self.count == 0, torch.ones_like(self.count), self.count),
        )


class MeanMetricWrapper(Mean):
    """The mean over samples of `fn(y_true, y_pred, **kwargs)`."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self._fn = fn
        self._per_sample_fn = per_sample_function(fn)  # a loss function's, without its user-facing wrapper
        self._fn_kwargs = kwargs

    # `(y_true, y_pred, **kwargs) -> sum of the per-sample values, or None`: a metric whose
    # unweighted update is a count (the accuracies) gives it in fewer kernels than the values.
    _unweighted_sum = None

    @without_grad
    def update_state(self, y_true, y_pred, sample_weight=None):
        if (
            self._unweighted_sum is not None
            and sample_weight is None
            and isinstance(y_pred, torch.Tensor)
            and isinstance(y_true, torch.Tensor)
            and getattr(y_pred, "_keras_mask", None) is None
            and y_pred.device == y_true.device == self.total.device
        ):
            total = type(self)._unweighted_sum(y_true, y_pred, **self._fn_kwargs)
            if total is not None:
                self.total.add_(total)
                self.count.add_(y_true.shape[0])
                return
        y_pred = to_tensor(y_pred)
        y_true = to_tensor(y_true)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        values = self._per_sample_fn(y_true, y_pred, **self._fn_kwargs)
        mask = getattr(values, "_keras_mask", None)
        if mask is not None:
            mask = mask.to(self._torch_dtype)
            sample_weight = mask if sample_weight is None else mask * to_tensor(sample_weight, self._torch_dtype)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = {"name": self.name, "dtype": self.dtype}
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        if cls is MeanMetricWrapper:
            raise TypeError("MeanMetricWrapper cannot be rebuilt from a config without its function.")
        return cls(**config)
