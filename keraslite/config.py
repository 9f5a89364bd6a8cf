"""`keras.config`: global settings (re-exported from `keraslite.backend` and `keraslite.mixed_precision`).

keraslite adds one switch of its own, the dialect: `set_dialect("keras3" | "tf2" | None)` and
`dialect()`. Where Keras 3 and tf.keras 2 behave differently (the `summary()` table, the `fit`
progress bar, `plot_model`'s defaults, auto names such as `input_layer` vs `input_1`), it says
which one keraslite behaves as. By default `keraslite run` infers it from the script's imports
(`import keras`: "keras3"; `import tensorflow` / `tf_keras`: "tf2"), a plain `import keraslite`
is "keras3", and the `KERASLITE_DIALECT` environment variable or `set_dialect()` overrides both.
"""

from keraslite.backend.interactive_logging import disable_interactive_logging as disable_interactive_logging
from keraslite.backend.interactive_logging import enable_interactive_logging as enable_interactive_logging
from keraslite.backend.interactive_logging import is_interactive_logging_enabled as is_interactive_logging_enabled
from keraslite.backend.state import backend as backend
from keraslite.backend.state import dialect as dialect
from keraslite.backend.state import disable_flash_attention as disable_flash_attention
from keraslite.backend.state import disable_traceback_filtering as disable_traceback_filtering
from keraslite.backend.state import enable_flash_attention as enable_flash_attention
from keraslite.backend.state import enable_traceback_filtering as enable_traceback_filtering
from keraslite.backend.state import epsilon as epsilon
from keraslite.backend.state import floatx as floatx
from keraslite.backend.state import get_device as get_device
from keraslite.backend.state import image_data_format as image_data_format
from keraslite.backend.state import is_flash_attention_enabled as is_flash_attention_enabled
from keraslite.backend.state import is_nnx_enabled as is_nnx_enabled
from keraslite.backend.state import is_traceback_filtering_enabled as is_traceback_filtering_enabled
from keraslite.backend.state import max_epochs as max_epochs
from keraslite.backend.state import max_steps_per_epoch as max_steps_per_epoch
from keraslite.backend.state import set_backend as set_backend
from keraslite.backend.state import set_device as set_device
from keraslite.backend.state import set_dialect as set_dialect
from keraslite.backend.state import set_epsilon as set_epsilon
from keraslite.backend.state import set_floatx as set_floatx
from keraslite.backend.state import set_image_data_format as set_image_data_format
from keraslite.backend.state import set_max_epochs as set_max_epochs
from keraslite.backend.state import set_max_steps_per_epoch as set_max_steps_per_epoch
from keraslite.mixed_precision.policy import dtype_policy as dtype_policy
from keraslite.mixed_precision.policy import set_dtype_policy as set_dtype_policy
from keraslite.serialization.serialization_lib import enable_unsafe_deserialization as enable_unsafe_deserialization
