"""`keras.distribution`: Keras 3's distribution API on `torch.distributed` (see README.md)."""

from keraslite.distribution.distribution_lib import DataParallel as DataParallel
from keraslite.distribution.distribution_lib import DeviceMesh as DeviceMesh
from keraslite.distribution.distribution_lib import LayoutMap as LayoutMap
from keraslite.distribution.distribution_lib import ModelParallel as ModelParallel
from keraslite.distribution.distribution_lib import TensorLayout as TensorLayout
from keraslite.distribution.distribution_lib import distribute_tensor as distribute_tensor
from keraslite.distribution.distribution_lib import distribution as distribution
from keraslite.distribution.distribution_lib import set_distribution as set_distribution
from keraslite.distribution.process import get_device_count as get_device_count
from keraslite.distribution.process import initialize as initialize
from keraslite.distribution.process import list_devices as list_devices
