"""`tf.keras.layers.experimental` (TensorFlow 2.2-2.5): its `preprocessing` layers now live
in `keras.layers`; this module is what the alias `tensorflow.keras.layers.experimental`
(and `keras.layers.experimental`) imports."""

from keraslite.layers import preprocessing as preprocessing  # noqa: F401
