"""`keras.optimizers.legacy`: tf.keras 2.11+'s legacy optimizer names. Keras 3 keeps the names
and refuses to build them (there is no legacy implementation); so does keraslite, with the
same message. The current optimizers (`keras.optimizers.Adam`, ...) take their place."""

from __future__ import annotations

_LEGACY_MESSAGE = (
    "`keras.optimizers.legacy` is not supported in Keras 3. When using `tf.keras`, to continue using a "
    "`tf.keras.optimizers.legacy` optimizer, you can install the `tf_keras` package (Keras 2) and set the "
    "environment variable `TF_USE_LEGACY_KERAS=True` to configure TensorFlow to use `tf_keras` when accessing "
    "`tf.keras`."
)


class _LegacyOptimizer:
    """Stands for a tf.keras 2 legacy optimizer; constructing one raises `ImportError`, as in Keras 3."""

    def __init__(self, *args, **kwargs):
        raise ImportError(_LEGACY_MESSAGE)


Adagrad = Adam = Ftrl = Optimizer = RMSprop = SGD = _LegacyOptimizer
