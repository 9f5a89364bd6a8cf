"""`tf.keras.optimizers.experimental` (TensorFlow 2.9-2.15): where tf.keras 2 kept the
optimizers that became Keras 3's. Tutorials of that era name them here; they are the
same classes as `keras.optimizers.*`."""

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
from keraslite.optimizers.sgd import SGD as SGD
from keraslite.optimizers.sgd import RMSprop as RMSprop
