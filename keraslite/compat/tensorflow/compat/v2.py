"""`tensorflow.compat.v2`: the TensorFlow 2 API, which is the shim itself."""

from __future__ import annotations

import importlib


def __getattr__(name: str):
    return getattr(importlib.import_module("keraslite.compat.tensorflow"), name)
