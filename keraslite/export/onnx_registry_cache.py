"""One torchlib registry per process for the ONNX exporter.

`torch.onnx.export(..., dynamo=True)` rebuilds its table of ATen -> ONNX functions
(`ONNXRegistry.from_torchlib`, which parses the source of every torchlib function) on every
call: about 5 s, more than the whole export of a small model. `cached_torchlib_registry()`
makes the calls inside it reuse one registry per opset (keraslite never adds custom
translations to it). Where torch's internals differ, it changes nothing.
"""

from __future__ import annotations

import contextlib

_REGISTRIES: dict = {}


@contextlib.contextmanager
def cached_torchlib_registry():
    try:
        from torch.onnx._internal.exporter import _registration
    except ImportError:
        yield
        return
    registry_class = getattr(_registration, "ONNXRegistry", None)
    original = None if registry_class is None else registry_class.__dict__.get("from_torchlib")
    if not isinstance(original, classmethod):
        yield
        return

    def from_torchlib(cls, *args, **kwargs):
        key = (cls, args, tuple(sorted(kwargs.items())))
        if key not in _REGISTRIES:
            _REGISTRIES[key] = original.__func__(cls, *args, **kwargs)
        return _REGISTRIES[key]

    registry_class.from_torchlib = classmethod(from_torchlib)
    try:
        yield
    finally:
        registry_class.from_torchlib = original
