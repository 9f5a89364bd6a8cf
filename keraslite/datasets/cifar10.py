"""`keras.datasets.cifar10`: 60,000 32x32 colour images in 10 classes."""

from __future__ import annotations

import os

import numpy as np

from keraslite.datasets.cifar import batches_folder, load_batch, to_image_data_format

_ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data():
    """Loads the CIFAR-10 dataset (the python-version archive, extracted into the Keras cache).

    Classes: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse,
    8 ship, 9 truck.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: `uint8` arrays of shapes
        `(50000, 32, 32, 3)`, `(50000, 1)`, `(10000, 32, 32, 3)`, `(10000, 1)`
        (images channels-first when `image_data_format()` is `"channels_first"`).
    """
    folder = batches_folder("cifar-10-batches-py-target", _ORIGIN, _SHA256, "cifar-10-batches-py")
    parts = [load_batch(os.path.join(folder, f"data_batch_{index}")) for index in range(1, 6)]
    x_train = np.concatenate([data for data, _ in parts]).astype("uint8", copy=False)
    y_train = np.concatenate([np.asarray(labels, dtype="uint8") for _, labels in parts])
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    y_train = y_train.reshape(len(y_train), 1)
    y_test = np.asarray(y_test, dtype="uint8").reshape(len(y_test), 1)
    return (to_image_data_format(x_train), y_train), (to_image_data_format(x_test.astype("uint8", copy=False)), y_test)
