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


class CategoricalFocalCrossentropy(_ConfiguredLoss):
    """Focal crossentropy for one-hot labels (Lin et al. 2018): easy examples are
    down-weighted by `(1 - p)**gamma`, classes balanced by `alpha` (a float or one per class).

    Args:
        alpha: class balancing factor (default 0.25).
        gamma: focusing parameter (default 2.0; 0 gives alpha-weighted crossentropy).
        from_logits: whether `y_pred` holds logits rather than probabilities.
        label_smoothing: labels become `y * (1 - s) + s / num_classes`.
        axis: the class axis.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            fn.categorical_focal_crossentropy,
            reduction=reduction,
            name=name,
            dtype=dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.alpha = alpha
        self.gamma = gamma


class CategoricalGeneralizedCrossEntropy(_ConfiguredLoss):
    """Generalized crossentropy (noise-robust): `(1 - p**q) / q` with `p` the predicted
    probability of the true (integer) class; `q` in (0, 1) moves it from crossentropy
    (q -> 0) towards mean absolute error (q -> 1)."""

    _config_keys = ("q",)

    def __init__(
        self, q=0.5, reduction="sum_over_batch_size", name="categorical_generalized_cross_entropy", dtype=None
    ):
        if not 0 < q < 1:
            raise ValueError(f"CategoricalGeneralizedCrossEntropy: `q` must be in the interval (0, 1). Received: q={q}")
        super().__init__(fn.categorical_generalized_cross_entropy, reduction=reduction, name=name, dtype=dtype, q=q)
        self.q = q


class CTC(_ConfiguredLoss):
    """Connectionist temporal classification loss: `y_true` (batch, max_length) integer
    labels with 0 the blank, `y_pred` (batch, max_length, num_classes) logits."""

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(fn.ctc, reduction=reduction, name=name, dtype=dtype)


class Dice(_ConfiguredLoss):
    """Dice loss `1 - 2 * |y_true * y_pred| / (|y_true| + |y_pred|)`, summed over `axis`
    (every axis by default, which gives one value for the batch)."""

    _config_keys = ("axis",)

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(fn.dice, reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class Tversky(_ConfiguredLoss):
    """Tversky loss: Dice with false positives weighted by `alpha` and false negatives by `beta`."""

    _config_keys = ("alpha", "beta", "axis")

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky", axis=None, dtype=None):
        super().__init__(fn.tversky, reduction=reduction, name=name, dtype=dtype, alpha=alpha, beta=beta, axis=axis)
        self.alpha = alpha
        self.beta = beta
        self.axis = axis


class Circle(_ConfiguredLoss):
    """Circle loss between integer labels and L2-normalised embeddings (metric learning).

    Args:
        gamma: scale of the similarity scores (default 80).
        margin: relaxation margin (default 0.4).
        remove_diagonal: leave each sample's similarity with itself out of the positives.
    """

    _config_keys = ("gamma", "margin", "remove_diagonal")

    def __init__(
        self, gamma=80.0, margin=0.4, remove_diagonal=True, reduction="sum_over_batch_size", name="circle", dtype=None
    ):
        super().__init__(
            fn.circle,
            reduction=reduction,
            name=name,
            dtype=dtype,
            gamma=gamma,
            margin=margin,
            remove_diagonal=remove_diagonal,
        )
        self.gamma = gamma
        self.margin = margin
        self.remove_diagonal = remove_diagonal
