"""`tf.math`: the math functions, and `tf.math.top_k`, `in_top_k`, `l2_normalize` ..."""

from keraslite.compat.tensorflow.math_ops import *  # noqa: F401,F403  (the namespace is the module's names)
from keraslite.compat.tensorflow.math_ops import TopKV2 as TopKV2  # noqa: F401
from keraslite.compat.tensorflow.missing import module_getattr

__getattr__ = module_getattr("tf.math")
