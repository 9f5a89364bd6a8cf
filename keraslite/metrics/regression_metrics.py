"""Regression and probabilistic metrics: loss functions averaged over samples, plus RMSE."""

from __future__ import annotations

import torch

from keraslite.losses import functions as lf
from keraslite.losses.loss import squeeze_or_expand_to_same_rank, to_tensor
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
BinaryCrossentropy = _wrapper(
    "BinaryCrossentropy",
    lf.binary_crossentropy,
    "binary_crossentropy",
    "Mean binary crossentropy.",
    ("from_logits", "label_smoothing"),
)
CategoricalCrossentropy = _wrapper(
    "CategoricalCrossentropy",
    lf.categorical_crossentropy,
    "categorical_crossentropy",
    "Mean categorical crossentropy.",
    ("from_logits", "label_smoothing", "axis"),
)
SparseCategoricalCrossentropy = _wrapper(
    "SparseCategoricalCrossentropy",
    lf.sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy",
    "Mean sparse categorical crossentropy.",
    ("from_logits", "axis"),
)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Cosine similarity along `axis` (1 means identical directions)."""
    return -lf.cosine_similarity(y_true, y_pred, axis=axis)


CosineSimilarity = _wrapper(
    "CosineSimilarity", cosine_similarity, "cosine_similarity", "Mean cosine similarity.", ("axis",)
)


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
