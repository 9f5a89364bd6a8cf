"""`keras.callbacks` (re-exports)."""

from keraslite.callbacks.callback import Callback as Callback
from keraslite.callbacks.callback import CallbackList as CallbackList
from keraslite.callbacks.checkpoint import BackupAndRestore as BackupAndRestore
from keraslite.callbacks.checkpoint import ModelCheckpoint as ModelCheckpoint
from keraslite.callbacks.history import History as History
from keraslite.callbacks.history import ProgbarLogger as ProgbarLogger
from keraslite.callbacks.monitor import EarlyStopping as EarlyStopping
from keraslite.callbacks.monitor import ReduceLROnPlateau as ReduceLROnPlateau
from keraslite.callbacks.orbax_checkpoint import OrbaxCheckpoint as OrbaxCheckpoint
from keraslite.callbacks.remote_monitor import RemoteMonitor as RemoteMonitor
from keraslite.callbacks.simple import CSVLogger as CSVLogger
from keraslite.callbacks.simple import LambdaCallback as LambdaCallback
from keraslite.callbacks.simple import LearningRateScheduler as LearningRateScheduler
from keraslite.callbacks.simple import TerminateOnNaN as TerminateOnNaN
from keraslite.callbacks.swap_ema_weights import SwapEMAWeights as SwapEMAWeights
from keraslite.callbacks.tensorboard import TensorBoard as TensorBoard
