"""`tf.data`: the `Dataset` pipeline tutorials build (`from_tensor_slices(...).shuffle(...)
.batch(...)`), iterated eagerly in Python.

The pipeline itself lives in `keraslite/utils/dataset.py` (the dataset utilities of
`keras.utils` return it too); here its numeric leaves become the shim's eager tensors on the
default device. For heavy input pipelines use `torch.utils.data.DataLoader`, which `fit()`
also takes.
"""

from __future__ import annotations

import numpy as np

from keraslite.compat.tensorflow.eager import wrap
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.ops.dispatch import to_tensor
from keraslite.utils import dataset as _dataset

AUTOTUNE = _dataset.AUTOTUNE
INFINITE = _dataset.INFINITE
UNKNOWN = _dataset.UNKNOWN
__getattr__ = module_getattr("tf.data")


class Dataset(_dataset.Dataset):
    """An iterable pipeline of elements. Build one with `from_tensor_slices` /
    `from_tensors` / `range`, then chain `shuffle`, `batch`, `map`, `repeat`, `take` ..."""

    def _convert_leaf(self, value):
        if isinstance(value, (np.ndarray, np.generic)) and np.asarray(value).dtype.kind in "USO":
            return super()._convert_leaf(value)
        return wrap(to_tensor(value))


class Options:
    """Accepted for compatibility (`dataset.with_options(options)` is a no-op)."""


experimental = type(
    "experimental", (), {"AUTOTUNE": AUTOTUNE, "INFINITE_CARDINALITY": INFINITE, "UNKNOWN_CARDINALITY": UNKNOWN}
)
