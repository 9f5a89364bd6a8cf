"""`tf.keras.mixed_precision.experimental` (TF 2.1-2.3): the names mixed precision had
before it became `keras.mixed_precision` (`Policy`, `set_policy`, `global_policy`)."""

from keraslite.mixed_precision.policy import DTypePolicy as _DTypePolicy
from keraslite.mixed_precision.policy import global_policy as global_policy
from keraslite.mixed_precision.policy import set_global_policy as _set_global_policy

# TF 2.1-2.3's name for `set_global_policy`.
set_policy = _set_global_policy


class Policy(_DTypePolicy):
    """The experimental `Policy(name, loss_scale="auto")`: a `DTypePolicy`. `loss_scale` is kept
    for reading; float16 training scales its loss dynamically whatever it says."""

    def __init__(self, name, loss_scale="auto"):
        super().__init__(name)
        self.loss_scale = loss_scale
