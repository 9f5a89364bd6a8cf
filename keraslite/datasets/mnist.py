"""`keras.datasets.mnist`: 70,000 28x28 grayscale images of handwritten digits."""

from __future__ import annotations

import numpy as np

from keraslite.utils.file_utils import get_file

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path: str = "mnist.npz"):
    """Loads the MNIST dataset (downloaded once into `~/.keras/datasets/mnist.npz`).

    Args:
        path: File name in the cache (relative to `~/.keras/datasets`).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: `uint8` arrays of shapes
        `(60000, 28, 28)`, `(60000,)`, `(10000, 28, 28)`, `(10000,)`; pixels in 0-255,
        labels in 0-9.
    """
    path = get_file(fname=path, origin=_ORIGIN, file_hash=_SHA256)
    with np.load(path, allow_pickle=False) as data:
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])
