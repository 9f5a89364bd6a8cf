"""`keras.wrappers`: scikit-learn estimators around Keras models (re-exports)."""

from keraslite.wrappers.sklearn_wrapper import SKLearnClassifier as SKLearnClassifier
from keraslite.wrappers.sklearn_wrapper import SKLearnRegressor as SKLearnRegressor
from keraslite.wrappers.sklearn_wrapper import SKLearnTransformer as SKLearnTransformer
