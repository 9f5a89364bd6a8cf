"""Shared by CIFAR-10 and CIFAR-100: the "python version" batch files and their cache folder."""

from __future__ import annotations

import os

import numpy as np

from keraslite.backend import state
from keraslite.datasets._safe_pickle import load_pickle
from keraslite.utils.file_utils import fetch_file, keras_home


def load_batch(fpath: str, label_key: str = "labels"):
    """Reads one CIFAR batch file: returns `(data (n, 3, 32, 32) uint8, labels)`.

    The batches are pickled dicts with byte-string keys (written by Python 2); they are
    read with a restricted unpickler that only admits NumPy arrays and plain data.
    """
    batch = load_pickle(fpath, encoding="bytes")
    batch = {key.decode("utf8") if isinstance(key, bytes) else key: value for key, value in batch.items()}
    data = np.asarray(batch["data"], dtype="uint8")
    return data.reshape(data.shape[0], 3, 32, 32), batch[label_key]


def batches_folder(dirname: str, origin: str, sha256: str, inner: str) -> str:
    """The folder holding the extracted batch files, downloading and extracting once.

    Keras 3 extracts into `datasets/<dirname>/<inner>`; a cache left by tf.keras 2 has
    `datasets/<inner>` directly, which is used as is when present.
    """
    legacy = os.path.join(keras_home(), "datasets", inner)
    current = os.path.join(keras_home(), "datasets", dirname, inner)
    if not os.path.isdir(current) and os.path.isdir(legacy) and os.listdir(legacy):
        return legacy
    return os.path.join(
        fetch_file(
            dirname, origin, False, None, sha256, "datasets", "auto", True, "auto", None, False, layout="keras3"
        ),
        inner,
    )


def to_image_data_format(x: np.ndarray) -> np.ndarray:
    """Batches are stored channels-first; Keras returns them in `image_data_format()`."""
    return x.transpose(0, 2, 3, 1) if state.image_data_format() == "channels_last" else x
