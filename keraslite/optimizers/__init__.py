"""`keras.optimizers` (re-exports)."""

from keraslite.optimizers import schedules as schedules
from keraslite.optimizers.adagrad import Adadelta as Adadelta
from keraslite.optimizers.adagrad import Adagrad as Adagrad
from keraslite.optimizers.adagrad import Lion as Lion
from keraslite.optimizers.adam import Adam as Adam
from keraslite.optimizers.adam import Adamax as Adamax
from keraslite.optimizers.adam import AdamW as AdamW
from keraslite.optimizers.adam import Nadam as Nadam
from keraslite.optimizers.base_optimizer import Optimizer as Optimizer
from keraslite.optimizers.lookup import deserialize as deserialize
from keraslite.optimizers.lookup import get as get
from keraslite.optimizers.lookup import serialize as serialize
from keraslite.optimizers.sgd import SGD as SGD
from keraslite.optimizers.sgd import RMSprop as RMSprop
