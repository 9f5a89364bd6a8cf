"""keraslite: the Keras API on PyTorch. `import keraslite as keras`."""

from keraslite import activations as activations
from keraslite import applications as applications
from keraslite import backend_api as backend_api
from keraslite import callbacks as callbacks
from keraslite import compat as compat
from keraslite import config as config
from keraslite import constraints as constraints
from keraslite import datasets as datasets
from keraslite import distillation as distillation
from keraslite import distribution as distribution
from keraslite import dtype_policies as dtype_policies
from keraslite import export as export
from keraslite import initializers as initializers
from keraslite import layers as layers
from keraslite import legacy as legacy
from keraslite import losses as losses
from keraslite import metrics as metrics
from keraslite import mixed_precision as mixed_precision
from keraslite import models as models
from keraslite import ops as ops
from keraslite import optimizers as optimizers
from keraslite import preprocessing as preprocessing
from keraslite import quantizers as quantizers
from keraslite import random as random
from keraslite import regularizers as regularizers
from keraslite import saving as saving
from keraslite import tree as tree
from keraslite import utils as utils
from keraslite import wrappers as wrappers
from keraslite.backend.name_scope import name_scope as name_scope
from keraslite.backend.scopes import RematScope as RematScope
from keraslite.backend.scopes import StatelessScope as StatelessScope
from keraslite.backend.scopes import SymbolicScope as SymbolicScope
from keraslite.backend.scopes import remat as remat
from keraslite.backend.state import device as device
from keraslite.backend.variable import Variable as Variable
from keraslite.function import Function as Function
from keraslite.graph.input_spec import InputSpec as InputSpec
from keraslite.graph.keras_tensor import KerasTensor as KerasTensor
from keraslite.graph.operation import Operation as Operation
from keraslite.initializers import Initializer as Initializer
from keraslite.layers.base_layer import Layer as Layer
from keraslite.layers.input_layer import Input as Input
from keraslite.layers.input_layer import InputLayer as InputLayer
from keraslite.losses.loss import Loss as Loss
from keraslite.metrics.metric import Metric as Metric
from keraslite.mixed_precision.dtype_policies import FloatDTypePolicy as FloatDTypePolicy
from keraslite.mixed_precision.policy import DTypePolicy as DTypePolicy
from keraslite.models.model import Model as Model
from keraslite.models.sequential import Sequential as Sequential
from keraslite.optimizers.base_optimizer import Optimizer as Optimizer
from keraslite.quantizers.quantizers import Quantizer as Quantizer
from keraslite.regularizers import Regularizer as Regularizer
from keraslite.version import __version__ as __version__

# `keras.version()` is a function; it replaces the attribute that loading the `keraslite.version`
# module set (the module stays importable by its full name).
from keraslite.version import version as version

# `keras.backend` is the face `backend_api`. The internal package `keraslite.backend` (the lowest
# layer) stays importable by its full name; the import system bound it here when the imports
# above first loaded it, so the face is bound last.
backend = backend_api
