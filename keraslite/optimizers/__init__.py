"""`keras.optimizers` (re-exports)."""

from keraslite.optimizers import experimental as experimental
from keraslite.optimizers import legacy as legacy
from keraslite.optimizers import schedules as schedules
from keraslite.optimizers.adafactor import Adafactor as Adafactor
from keraslite.optimizers.adagrad import Adadelta as Adadelta
from keraslite.optimizers.adagrad import Adagrad as Adagrad
from keraslite.optimizers.adagrad import Lion as Lion
from keraslite.optimizers.adam import Adam as Adam
from keraslite.optimizers.adam import Adamax as Adamax
from keraslite.optimizers.adam import AdamW as AdamW
from keraslite.optimizers.adam import Nadam as Nadam
from keraslite.optimizers.base_optimizer import Optimizer as Optimizer
from keraslite.optimizers.ftrl import Ftrl as Ftrl
from keraslite.optimizers.lamb import Lamb as Lamb
from keraslite.optimizers.lookup import deserialize as deserialize
from keraslite.optimizers.lookup import get as get
from keraslite.optimizers.lookup import serialize as serialize
from keraslite.optimizers.loss_scale_optimizer import LossScaleOptimizer as LossScaleOptimizer
from keraslite.optimizers.multi_optimizer import MultiOptimizer as MultiOptimizer
from keraslite.optimizers.multi_optimizer import OptimizerMap as OptimizerMap
from keraslite.optimizers.muon import Muon as Muon
from keraslite.optimizers.schedule_free_adamw import ScheduleFreeAdamW as ScheduleFreeAdamW
from keraslite.optimizers.sgd import SGD as SGD
from keraslite.optimizers.sgd import RMSprop as RMSprop
