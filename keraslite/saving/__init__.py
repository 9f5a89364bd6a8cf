"""`keras.saving`: saving and loading models, and (de)serializing Keras objects."""

from keraslite.saving.file_editor import KerasFileEditor as KerasFileEditor
from keraslite.saving.saving_api import load_model as load_model
from keraslite.saving.saving_api import load_weights as load_weights
from keraslite.saving.saving_api import save_model as save_model
from keraslite.saving.saving_api import save_weights as save_weights
from keraslite.serialization.object_registry import CustomObjectScope as CustomObjectScope
from keraslite.serialization.object_registry import custom_object_scope as custom_object_scope
from keraslite.serialization.object_registry import get_custom_objects as get_custom_objects
from keraslite.serialization.object_registry import get_registered_name as get_registered_name
from keraslite.serialization.object_registry import get_registered_object as get_registered_object
from keraslite.serialization.object_registry import register_keras_serializable as register_keras_serializable
from keraslite.serialization.serialization_lib import deserialize_keras_object as deserialize_keras_object
from keraslite.serialization.serialization_lib import serialize_keras_object as serialize_keras_object
