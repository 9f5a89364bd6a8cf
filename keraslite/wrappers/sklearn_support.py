"""What the scikit-learn wrappers need from scikit-learn, in one place.

scikit-learn is optional: keraslite imports without it, and the wrappers raise Keras's
`ImportError` when one is made. Without scikit-learn the base classes below are empty
stand-ins, so the wrapper classes can still be defined (and imported), as in Keras.
"""

from __future__ import annotations

import numpy as np

try:
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
except ImportError:  # scikit-learn is optional
    sklearn = None

    class BaseEstimator:
        pass

    class ClassifierMixin:
        pass

    class RegressorMixin:
        pass

    class TransformerMixin:
        pass


def assert_sklearn_installed(symbol_name: str) -> None:
    """Keras's error for a wrapper made without scikit-learn installed."""
    if sklearn is None:
        raise ImportError(
            f"{symbol_name} requires `scikit-learn` to be installed. Run `pip install scikit-learn` to install it."
        )


def validate_data(estimator, *args, **kwargs):
    """scikit-learn's input validation (`sklearn.utils.validation.validate_data`, 1.6+)."""
    try:
        from sklearn.utils.validation import validate_data as sklearn_validate_data  # optional dependency
    except ImportError:
        return estimator._validate_data(*args, **kwargs)
    return sklearn_validate_data(estimator, *args, **kwargs)


def type_of_target(y, input_name: str = "", *, raise_unknown: bool = False) -> str:
    """scikit-learn's `type_of_target`, raising for an "unknown" target when asked."""
    from sklearn.utils.multiclass import type_of_target as sklearn_type_of_target  # optional dependency

    target_type = sklearn_type_of_target(y, input_name=input_name)
    if raise_unknown and target_type == "unknown":
        raise ValueError(f"Unknown label type for {input_name or 'data'}: {y!r}")
    return target_type


def routing_enabled() -> bool:
    """Whether scikit-learn's metadata routing is on."""
    if sklearn is None:
        return False
    return bool(sklearn.get_config().get("enable_metadata_routing", False))


def check_is_fitted(estimator) -> None:
    from sklearn.utils.validation import check_is_fitted as sklearn_check_is_fitted  # optional dependency

    sklearn_check_is_fitted(estimator)


def check_model(model) -> None:
    """A wrapped model must come compiled, with a loss and an optimizer."""
    if not model.compiled or not model.loss or not model.optimizer:
        raise RuntimeError("Given model needs to be compiled, and have a loss and an optimizer.")


class TargetReshaper(TransformerMixin, BaseEstimator):
    """Turns 1D targets into a column (for encoders that take 2D input) and back.

    Attributes:
        ndim_: the number of dimensions of the targets it was fitted on.
    """

    def fit(self, y):
        self.ndim_ = y.ndim
        return self

    def transform(self, y):
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def inverse_transform(self, y):
        check_is_fitted(self)
        if self.ndim_ == 1 and y.ndim == 2:
            return np.squeeze(y, axis=1)
        return y
