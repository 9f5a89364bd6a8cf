"""`keras.dtype_policies` (re-exports)."""

from keraslite.mixed_precision.dtype_policies import AWQDTypePolicy as AWQDTypePolicy
from keraslite.mixed_precision.dtype_policies import DTypePolicyMap as DTypePolicyMap
from keraslite.mixed_precision.dtype_policies import FloatDTypePolicy as FloatDTypePolicy
from keraslite.mixed_precision.dtype_policies import GPTQDTypePolicy as GPTQDTypePolicy
from keraslite.mixed_precision.dtype_policies import Int4DTypePolicy as Int4DTypePolicy
from keraslite.mixed_precision.dtype_policies import QuantizedDTypePolicy as QuantizedDTypePolicy
from keraslite.mixed_precision.dtype_policies import QuantizedFloat8DTypePolicy as QuantizedFloat8DTypePolicy
from keraslite.mixed_precision.dtype_policies import deserialize as deserialize
from keraslite.mixed_precision.dtype_policies import get as get
from keraslite.mixed_precision.dtype_policies import serialize as serialize
from keraslite.mixed_precision.policy import DTypePolicy as DTypePolicy
