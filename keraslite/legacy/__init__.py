"""`keras.legacy`: tf.keras 2 compatibility (`keras.legacy.saving`)."""

from keraslite.legacy import saving as saving
