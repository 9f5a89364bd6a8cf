"""`keras.datasets.boston_housing`: 506 Boston suburbs, 13 attributes, median house price."""

from __future__ import annotations

import numpy as np

from keraslite.datasets._regression import check_test_split, shuffled_split
from keraslite.utils.file_utils import get_file

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
_SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113):
    """Loads the Boston Housing regression dataset.

    Args:
        path: File name in the cache (relative to `~/.keras/datasets`).
        test_split: Fraction of the data kept for the test set, in [0, 1).
        seed: Seed of the shuffle done before the split.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: `x_*` of shape `(num_samples, 13)`,
        `y_*` of shape `(num_samples,)` (prices in k$).
    """
    check_test_split(test_split)
    path = get_file(path, origin=_ORIGIN, file_hash=_SHA256)
    with np.load(path, allow_pickle=False) as data:
        x, y = data["x"], data["y"]
    return shuffled_split(x, y, test_split, seed)
