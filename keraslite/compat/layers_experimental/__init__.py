"""`tf.keras.layers.experimental` (TensorFlow 2.2-2.5): its `preprocessing` layers and
`EinsumDense` now live in `keras.layers`, `SyncBatchNormalization` is BatchNormalization with
`synchronized=True`; this module is what the alias `tensorflow.keras.layers.experimental` (and
`keras.layers.experimental`) imports."""

from keraslite.layers import EinsumDense as EinsumDense  # noqa: F401
from keraslite.layers import preprocessing as preprocessing  # noqa: F401
from keraslite.layers.normalization import SyncBatchNormalization as SyncBatchNormalization  # noqa: F401
