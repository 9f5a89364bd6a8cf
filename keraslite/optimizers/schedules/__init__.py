"""`keras.optimizers.schedules` (re-exports)."""

from keraslite.optimizers.schedules.learning_rate_schedule import CosineDecay as CosineDecay
from keraslite.optimizers.schedules.learning_rate_schedule import CosineDecayRestarts as CosineDecayRestarts
from keraslite.optimizers.schedules.learning_rate_schedule import ExponentialDecay as ExponentialDecay
from keraslite.optimizers.schedules.learning_rate_schedule import InverseTimeDecay as InverseTimeDecay
from keraslite.optimizers.schedules.learning_rate_schedule import LearningRateSchedule as LearningRateSchedule
from keraslite.optimizers.schedules.learning_rate_schedule import PiecewiseConstantDecay as PiecewiseConstantDecay
from keraslite.optimizers.schedules.learning_rate_schedule import PolynomialDecay as PolynomialDecay
from keraslite.optimizers.schedules.learning_rate_schedule import deserialize as deserialize
from keraslite.optimizers.schedules.learning_rate_schedule import serialize as serialize
