"""keraslite: the Keras API on PyTorch. `import keraslite as keras`."""
__version__ = "0.1.0"

from keraslite import activations as activations
from keraslite import backend as backend
from keraslite import constraints as constraints
from keraslite import initializers as initializers
from keraslite import layers as layers
from keraslite import models as models
from keraslite import regularizers as regularizers
from keraslite import utils as utils
from keraslite.backend.variable import Variable as Variable
from keraslite.layers.base_layer import Layer as Layer
from keraslite.layers.input_layer import Input as Input
from keraslite.layers.input_layer import InputLayer as InputLayer
from keraslite.models.model import Model as Model
from keraslite.models.sequential import Sequential as Sequential
from keraslite import applications as applications
from keraslite import datasets as datasets
from keraslite import preprocessing as preprocessing
from keraslite import saving as saving
from keraslite import compat as compat
from keraslite import ops as ops
from keraslite import random as random
from keraslite import callbacks as callbacks
from keraslite import losses as losses
from keraslite import metrics as metrics
from keraslite import mixed_precision as mixed_precision
from keraslite import optimizers as optimizers
from keraslite import config as config
