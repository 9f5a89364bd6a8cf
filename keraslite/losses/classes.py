"""Keras loss classes: configurable wrappers around the functions of `functions.py`."""

from __future__ import annotations

from keraslite.losses import functions as fn
from keraslite.losses.loss import LossFunctionWrapper


class _ConfiguredLoss(LossFunctionWrapper):
    """A wrapper whose config is `name`, `reduction` and the listed constructor arguments."""

    _config_keys: tuple = ()

    def get_config(self) -> dict:
        config = {"name": self.name, "reduction": self.reduction}
        config.update({key: getattr(self, key) for key in self._config_keys})
        return config


def _simple(class_name: str, function, default_name: str, doc: str):
    def __init__(self, reduction="sum_over_batch_size", name=default_name, dtype=None):
        LossFunctionWrapper.__init__(self, function, reduction=reduction, name=name, dtype=dtype)

    return type(class_name, (_ConfiguredLoss,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


MeanSquaredError = _simple(
    "MeanSquaredError",
    fn.mean_squared_error,
    "mean_squared_error",
    "Mean of squared errors: `mean(square(y_true - y_pred))`.",
)
MeanAbsoluteError = _simple(
    "MeanAbsoluteError", fn.mean_absolute_error, "mean_absolute_error", "Mean of absolute errors."
)
MeanAbsolutePercentageError = _simple(
    "MeanAbsolutePercentageError",
    fn.mean_absolute_percentage_error,
    "mean_absolute_percentage_error",
    "Mean absolute percentage error.",
)
MeanSquaredLogarithmicError = _simple(
    "MeanSquaredLogarithmicError",
    fn.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error",
    "Mean squared logarithmic error.",
)
LogCosh = _simple("LogCosh", fn.log_cosh, "log_cosh", "Logarithm of the hyperbolic cosine of the error.")
Hinge = _simple("Hinge", fn.hinge, "hinge", "Hinge loss (0/1 labels are mapped to -1/1).")
SquaredHinge = _simple("SquaredHinge", fn.squared_hinge, "squared_hinge", "Squared hinge loss.")
CategoricalHinge = _simple("CategoricalHinge", fn.categorical_hinge, "categorical_hinge", "Categorical hinge loss.")
KLDivergence = _simple("KLDivergence", fn.kl_divergence, "kl_divergence", "Kullback-Leibler divergence.")
Poisson = _simple("Poisson", fn.poisson, "poisson", "Poisson loss: `mean(y_pred - y_true * log(y_pred))`.")


class CosineSimilarity(_ConfiguredLoss):
    """Negative cosine similarity between labels and predictions along `axis`."""

    _config_keys = ("axis",)

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(fn.cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class Huber(_ConfiguredLoss):
    """Huber loss: quadratic for small errors, linear beyond `delta`."""

    _config_keys = ("delta",)

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(fn.huber, reduction=reduction, name=name, dtype=dtype, delta=delta)
        self.delta = delta


class BinaryCrossentropy(_ConfiguredLoss):
    """Crossentropy for binary (0/1) labels.

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities.
        label_smoothing: in [0, 1]; labels move towards 0.5 by this amount.
        axis: the axis averaged over.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(
            fn.binary_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class BinaryFocalCrossentropy(_ConfiguredLoss):
    """Focal crossentropy for binary labels."""

    _config_keys = ("apply_class_balancing", "alpha", "gamma", "from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            fn.binary_focal_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class CategoricalCrossentropy(_ConfiguredLoss):
    """Crossentropy for one-hot labels.

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities.
        label_smoothing: labels become `y * (1 - s) + s / num_classes`.
        axis: the class axis.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            fn.categorical_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class SparseCategoricalCrossentropy(_ConfiguredLoss):
    """Crossentropy for integer labels.

    Args:
        from_logits: whether `y_pred` holds logits rather than probabilities.
        ignore_class: a label value whose samples do not count.
        axis: the class axis.
    """

    _config_keys = ("from_logits", "ignore_class")

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        axis=-1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            fn.sparse_categorical_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis
