"""`keras.utils`."""

from keraslite.serialization.object_registry import CustomObjectScope as CustomObjectScope
from keraslite.serialization.object_registry import custom_object_scope as custom_object_scope
from keraslite.serialization.object_registry import get_custom_objects as get_custom_objects
from keraslite.serialization.object_registry import get_registered_name as get_registered_name
from keraslite.serialization.object_registry import get_registered_object as get_registered_object
from keraslite.serialization.object_registry import register_keras_serializable as register_keras_serializable
from keraslite.serialization.serialization_lib import deserialize_keras_object as deserialize_keras_object
from keraslite.serialization.serialization_lib import serialize_keras_object as serialize_keras_object
from keraslite.utils.archive_utils import extract_archive as extract_archive
from keraslite.utils.archive_utils import hash_file as hash_file
from keraslite.utils.archive_utils import validate_file as validate_file
from keraslite.utils.file_utils import get_file as get_file
from keraslite.utils.image_utils import array_to_img as array_to_img
from keraslite.utils.image_utils import img_to_array as img_to_array
from keraslite.utils.image_utils import load_img as load_img
from keraslite.utils.image_utils import save_img as save_img
from keraslite.utils.numerical_utils import normalize as normalize
from keraslite.utils.numerical_utils import to_categorical as to_categorical
from keraslite.utils.progbar import Progbar as Progbar
from keraslite.utils.py_dataset import PyDataset as PyDataset
from keraslite.utils.py_dataset import Sequence as Sequence
from keraslite.utils.random_seed import set_random_seed as set_random_seed
from keraslite.utils.sequence_utils import pad_sequences as pad_sequences
from keraslite.visualization.model_visualization import model_to_dot as model_to_dot
from keraslite.visualization.model_visualization import plot_model as plot_model
