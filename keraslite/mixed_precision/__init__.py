"""`keras.mixed_precision` (re-exports)."""

import importlib

from keraslite.mixed_precision import experimental as experimental
from keraslite.mixed_precision.policy import DTypePolicy as DTypePolicy
from keraslite.mixed_precision.policy import LossScaler as LossScaler
from keraslite.mixed_precision.policy import Policy as Policy
from keraslite.mixed_precision.policy import dtype_policy as dtype_policy
from keraslite.mixed_precision.policy import global_policy as global_policy
from keraslite.mixed_precision.policy import set_dtype_policy as set_dtype_policy
from keraslite.mixed_precision.policy import set_global_policy as set_global_policy


def __getattr__(name):
    # `keras.mixed_precision.LossScaleOptimizer` is an optimizer (layer 5), above this
    # package (layer 0): it is looked up by name on the public namespace when first read.
    if name == "LossScaleOptimizer":
        return importlib.import_module("keraslite.optimizers").LossScaleOptimizer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
