"""`keras.utils.legacy`: tf.keras 2's object (de)serialization (re-exports)."""

from keraslite.saving.legacy_serialization import deserialize_keras_object as deserialize_keras_object
from keraslite.saving.legacy_serialization import serialize_keras_object as serialize_keras_object
