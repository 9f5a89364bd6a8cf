"""Regression and probabilistic metrics: loss functions averaged over samples, plus RMSE."""

from __future__ import annotations

import warnings

import torch

from keraslite.losses import functions as lf
from keraslite.losses.loss import squeeze_or_expand_to_same_rank, to_tensor
from keraslite.metrics.metric import Metric
from keraslite.metrics.reduction_metrics import Mean, MeanMetricWrapper


def _wrapper(class_name, fn, default_name, doc, extra=()):
    def __init__(self, name=default_name, dtype=None, **kwargs):
        unknown = set(kwargs) - set(extra)
        if unknown:
            raise TypeError(f"{class_name}.__init__() got unexpected keyword arguments {sorted(unknown)}")
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **kwargs)

    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


MeanSquaredError = _wrapper("MeanSquaredError", lf.mean_squared_error, "mean_squared_error", "Mean of squared errors.")
MeanAbsoluteError = _wrapper(
    "MeanAbsoluteError", lf.mean_absolute_error, "mean_absolute_error", "Mean of absolute errors."
)
MeanAbsolutePercentageError = _wrapper(
    "MeanAbsolutePercentageError",
    lf.mean_absolute_percentage_error,
    "mean_absolute_percentage_error",
    "Mean absolute percentage error.",
)
MeanSquaredLogarithmicError = _wrapper(
    "MeanSquaredLogarithmicError",
    lf.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error",
    "Mean squared logarithmic error.",
)
LogCoshError = _wrapper("LogCoshError", lf.log_cosh, "logcosh", "Mean of log(cosh(error)).")
Hinge = _wrapper("Hinge", lf.hinge, "hinge", "Mean hinge loss.")
SquaredHinge = _wrapper("SquaredHinge", lf.squared_hinge, "squared_hinge", "Mean squared hinge loss.")
CategoricalHinge = _wrapper(
    "CategoricalHinge", lf.categorical_hinge, "categorical_hinge", "Mean categorical hinge loss."
)
KLDivergence = _wrapper("KLDivergence", lf.kl_divergence, "kl_divergence", "Mean KL divergence.")
Poisson = _wrapper("Poisson", lf.poisson, "poisson", "Mean Poisson loss.")


class BinaryCrossentropy(MeanMetricWrapper):
    """Mean binary crossentropy."""

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(
            lf.binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits, label_smoothing=label_smoothing
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }


class CategoricalCrossentropy(MeanMetricWrapper):
    """Mean categorical crossentropy."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        super().__init__(
            lf.categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Mean sparse categorical crossentropy."""

    def __init__(
        self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, ignore_class=None, axis=-1
    ):
        super().__init__(
            lf.sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
            "axis": self.axis,
        }


def cosine_similarity(y_true, y_pred, axis=-1):
    """Cosine similarity along `axis` (1 means identical directions)."""
    return -lf.cosine_similarity(y_true, y_pred, axis=axis)


class CosineSimilarity(MeanMetricWrapper):
    """Mean cosine similarity along `axis`."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}  # Keras leaves `axis` out


class RootMeanSquaredError(Mean):
    """`sqrt(mean((y_pred - y_true)**2))` over everything seen."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    @torch.no_grad()
    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = to_tensor(y_pred, self._torch_dtype)
        y_true = to_tensor(y_true, self._torch_dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(torch.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return torch.sqrt(super().result())


class R2Score(Metric):
    """Coefficient of determination: `1 - SS_res / SS_tot` per output column, from running
    sums (so it is exact over any number of updates).

    Args:
        class_aggregation: `"uniform_average"` (mean over columns), `"variance_weighted_average"`
            (weighted by each column's total variance) or `None` (one score per column).
        num_regressors: the number of independent regressors, for the adjusted R2 score
            (0: plain R2).
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(
                f"Invalid value for argument `class_aggregation`. Expected one of {valid}. "
                f"Received: class_aggregation={class_aggregation}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                f"y_pred.shape={tuple(y_pred_shape)} and y_true.shape={tuple(y_true_shape)}."
            )
        columns = y_pred_shape[-1]
        self.squared_sum = self.add_variable((columns,), name="squared_sum")
        self.sum = self.add_variable((columns,), name="sum")
        self.total_mse = self.add_variable((columns,), name="residual")
        self.count = self.add_variable((columns,), name="count")
        self._built = True

    @torch.no_grad()
    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = to_tensor(y_true, self._torch_dtype)
        y_pred = to_tensor(y_pred, self._torch_dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if y_true.device != self.sum.device:
            self._to_device(y_true.device)
        if sample_weight is None:
            weight = torch.ones_like(y_true)
        else:
            weight = to_tensor(sample_weight, self._torch_dtype)
            if weight.ndim == 1:
                weight = weight.unsqueeze(1)
            weight = torch.broadcast_to(weight, y_true.shape)
        weighted_true = y_true * weight
        self.sum.add_(weighted_true.sum(0))
        self.squared_sum.add_((y_true * weighted_true).sum(0))
        self.total_mse.add_((torch.square(y_true - y_pred) * weight).sum(0))
        self.count.add_(weight.sum(0))
        self.num_samples.add_(y_true.numel())

    def result(self):
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        raw = 1 - self.total_mse / total
        raw = torch.where(torch.isinf(raw), torch.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            score = raw.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = (total * raw).sum() / total.sum()
        else:
            score = raw
        if self.num_regressors != 0:
            samples = float(self.num_samples)  # host sync: only for the adjusted score
            if self.num_regressors > samples - 1:
                warnings.warn(
                    "More independent predictors than datapoints in adjusted R2 score. "
                    "Falling back to standard R2 score.",
                    stacklevel=2,
                )
            elif self.num_regressors == samples - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 score.", stacklevel=2)
            else:
                score = 1.0 - (1.0 - score) * (samples - 1.0) / (samples - self.num_regressors - 1.0)
        return score

    def reset_state(self):
        with torch.no_grad():
            for variable in self._variables:
                variable.zero_()

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
