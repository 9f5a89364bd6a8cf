"""`keras.config`: global settings (re-exported from `keraslite.backend`)."""

from keraslite.backend.state import backend as backend
from keraslite.backend.state import epsilon as epsilon
from keraslite.backend.state import floatx as floatx
from keraslite.backend.state import get_device as get_device
from keraslite.backend.state import image_data_format as image_data_format
from keraslite.backend.state import set_device as set_device
from keraslite.backend.state import set_epsilon as set_epsilon
from keraslite.backend.state import set_floatx as set_floatx
from keraslite.backend.state import set_image_data_format as set_image_data_format
from keraslite.serialization.serialization_lib import enable_unsafe_deserialization as enable_unsafe_deserialization
