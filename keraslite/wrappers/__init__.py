"""`keras.wrappers`: scikit-learn estimators around Keras models (re-exports).

The wrapper classes derive from scikit-learn's base classes, so defining them imports
scikit-learn (over a second); they are loaded on first use, and `import keraslite` never pays
for scikit-learn.
"""

import importlib

_WRAPPERS = ("SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer")


def __getattr__(name):
    if name in _WRAPPERS:
        value = getattr(importlib.import_module("keraslite.wrappers.sklearn_wrapper"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'keraslite.wrappers' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_WRAPPERS))
