"""`keras.datasets.california_housing`: 20,640 California districts, 8 features, house value."""

from __future__ import annotations

import numpy as np

from keraslite.datasets._regression import check_test_split, shuffled_split
from keraslite.utils.file_utils import get_file

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/california_housing.npz"
_SHA256 = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version: str = "large", path: str = "california_housing.npz", test_split: float = 0.2, seed: int = 113):
    """Loads the California Housing regression dataset.

    Args:
        version: `"large"` (all 20,640 samples) or `"small"` (the first 600).
        path: File name in the cache (relative to `~/.keras/datasets`).
        test_split: Fraction of the data kept for the test set, in [0, 1).
        seed: Seed of the shuffle done before the split.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: `x_*` of shape `(num_samples, 8)`,
        `y_*` of shape `(num_samples,)` (prices in dollars).
    """
    check_test_split(test_split)
    path = get_file(path, origin=_ORIGIN, file_hash=_SHA256)
    with np.load(path, allow_pickle=False) as data:
        x, y = data["x"], data["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    elif version != "large":
        raise ValueError(f"Argument `version` must be one of 'small', 'large'. Received: version={version}")
    return shuffled_split(x, y, test_split, seed)
