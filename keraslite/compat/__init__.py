"""Running Keras and tf.keras code unchanged: import aliases, the `run` command's runner,
and the TensorFlow shim (`keraslite.compat.tensorflow`)."""

from keraslite.compat.aliases import aliases_installed as aliases_installed
from keraslite.compat.aliases import install_aliases as install_aliases
from keraslite.compat.aliases import uninstall_aliases as uninstall_aliases
