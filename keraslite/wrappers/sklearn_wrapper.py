"""`keras.wrappers`: scikit-learn estimators around a compiled Keras model.

`SKLearnClassifier`, `SKLearnRegressor` and `SKLearnTransformer` make a model usable in
scikit-learn's `fit/predict/score`, `clone()`, pipelines and searches, as Keras 3.15.1's
do: each `fit` clones the given model (`keras.models.clone_model`, compiled like the
original) or calls the given builder with `X`, `y` and `model_kwargs`; classifiers
one-hot encode their targets and decode the predictions. scikit-learn is needed only
when a wrapper is made (see `sklearn_support.py`).
"""

from __future__ import annotations

import copy

import numpy as np

from keraslite.models.cloning import clone_model
from keraslite.models.model import Model
from keraslite.wrappers import sklearn_support
from keraslite.wrappers.sklearn_support import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TargetReshaper,
    TransformerMixin,
    check_is_fitted,
    check_model,
    type_of_target,
    validate_data,
)

_ARGS_DOC = """
    Args:
        model: a compiled `keras.Model` (cloned, with fresh weights, at each `fit`), or a
            callable `model(X=X, y=y, **model_kwargs)` returning a compiled model.
        warm_start: accepted as in Keras (Keras 3.15.1 still clones a given model at each fit).
        model_kwargs: keyword arguments for a callable `model`.
        fit_kwargs: keyword arguments for `model.fit` (those given to `fit` take precedence).
"""


class SKLBase(BaseEstimator):
    """The behaviour the three wrappers share (fit, predict, cloning, fit requests).

    Attributes:
        model_: the fitted model.
        history_: the `History` that `model.fit` returned.
    """

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        sklearn_support.assert_sklearn_installed(type(self).__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def _more_tags(self):
        return {"non_deterministic": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    def __sklearn_clone__(self):
        """What `sklearn.base.clone` returns: a new wrapper with a deep copy of a given
        model (a builder is shared); `fit_kwargs` are not carried over, as in Keras."""
        model = self.model if callable(self.model) else copy.deepcopy(self.model)
        return type(self)(model=model, warm_start=self.warm_start, model_kwargs=self.model_kwargs)

    @property
    def epoch_(self):
        """The current training epoch."""
        return getattr(self, "history_", {}).get("epoch", 0)

    def set_fit_request(self, **kwargs):
        """Request metadata for `score` (scikit-learn's metadata routing must be enabled)."""
        if not sklearn_support.routing_enabled():
            raise RuntimeError(
                "This method is only available when metadata routing is enabled. You can enable it using "
                "sklearn.set_config(enable_metadata_routing=True)."
            )
        from sklearn.utils.metadata_routing import MetadataRequest  # optional dependency

        self._metadata_request = MetadataRequest(owner=type(self).__name__)
        for param, alias in kwargs.items():
            self._metadata_request.score.add_request(param=param, alias=alias)
        return self

    def _get_model(self, X, y):
        if isinstance(self.model, Model):
            return clone_model(self.model)
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    def fit(self, X, y, **kwargs):
        """Fit a fresh model on `X` (n_samples, n_features) and `y` (n_samples,) or
        (n_samples, n_outputs); `kwargs` go to `model.fit`."""
        X, y = validate_data(self, X, y)
        y = self._process_target(y, reset=True)
        model = self._get_model(X, y)
        check_model(model)
        # Keras updates the estimator's own `fit_kwargs` dict with the call's.
        fit_kwargs = self.fit_kwargs or {}
        fit_kwargs.update(kwargs)
        self.history_ = model.fit(X, y, **fit_kwargs)
        self.model_ = model
        return self

    def predict(self, X):
        """The fitted model's predictions, in the targets' form (classes for a classifier)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self._reverse_process_target(self.model_.predict(X))

    def _process_target(self, y, reset=False):
        type_of_target(y, raise_unknown=True)
        if reset:
            self._target_encoder = TargetReshaper().fit(y)
        return self._target_encoder.transform(y)

    def _reverse_process_target(self, y):
        return self._target_encoder.inverse_transform(y)


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """A scikit-learn classifier around a Keras model: targets are one-hot encoded for
    the model, predictions decoded back to class labels (`classes_`).
    """

    __doc__ += _ARGS_DOC

    def decision_function(self, X):
        """The model's raw outputs."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.predict(X)

    def _process_target(self, y, reset=False):
        target_type = type_of_target(y, raise_unknown=True)
        if target_type not in ["binary", "multiclass"]:
            raise ValueError(f"Only binary and multiclass target types are supported. Target type: {target_type}")
        if reset:
            from sklearn.pipeline import make_pipeline  # optional dependency
            from sklearn.preprocessing import OneHotEncoder

            self._target_encoder = make_pipeline(TargetReshaper(), OneHotEncoder(sparse_output=False)).fit(y)
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ValueError("Classifier can't train when only one class is present.")
        return self._target_encoder.transform(y)

    def _more_tags(self):
        return {"poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags


class SKLearnRegressor(RegressorMixin, SKLBase):
    """A scikit-learn regressor around a Keras model (1D targets come back 1D)."""

    __doc__ += _ARGS_DOC

    def _more_tags(self):
        return {"poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags


class SKLearnTransformer(TransformerMixin, SKLBase):
    """A scikit-learn transformer around a Keras model: `transform(X)` is the model's
    predictions (an embedding step in a pipeline, for instance)."""

    __doc__ += _ARGS_DOC

    def transform(self, X):
        """The fitted model's outputs for `X`."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.predict(X)

    def _more_tags(self):
        return {"preserves_dtype": []}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags
