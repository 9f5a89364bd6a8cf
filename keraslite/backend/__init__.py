"""`keras.backend`: process-wide settings."""

from keraslite.backend.dtype_promotion import result_type as result_type
from keraslite.backend.dtypes import is_float_dtype as is_float_dtype
from keraslite.backend.dtypes import is_int_dtype as is_int_dtype
from keraslite.backend.dtypes import is_keras_tensor as is_keras_tensor
from keraslite.backend.dtypes import standardize_dtype as standardize_dtype
from keraslite.backend.state import backend as backend
from keraslite.backend.state import clear_session as clear_session
from keraslite.backend.state import epsilon as epsilon
from keraslite.backend.state import floatx as floatx
from keraslite.backend.state import get_device as get_device
from keraslite.backend.state import get_uid as get_uid
from keraslite.backend.state import image_data_format as image_data_format
from keraslite.backend.state import set_device as set_device
from keraslite.backend.state import set_epsilon as set_epsilon
from keraslite.backend.state import set_floatx as set_floatx
from keraslite.backend.state import set_image_data_format as set_image_data_format
from keraslite.backend.variable import Variable as Variable
