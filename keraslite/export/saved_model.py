"""`keras.export.ExportArchive` and `format="tf_saved_model"`: TensorFlow SavedModels.

A SavedModel is a TensorFlow artifact. Keras 3's torch backend writes one through
TensorFlow (and torch_xla); keraslite depends on neither, so here, as in Keras when
TensorFlow is missing, making an archive or exporting `"tf_saved_model"` raises an
`ImportError` that names what is needed, and, with TensorFlow installed, a
`NotImplementedError`. The class keeps Keras's signature and members so that code that
refers to them imports and fails only where it is used. The formats keraslite writes are
`"onnx"` (export/onnx_export.py) and `"torch"` (export/torch_export.py).
"""

from __future__ import annotations

import importlib.util

DEFAULT_ENDPOINT_NAME = "serve"

_ALTERNATIVES = 'keraslite runs on PyTorch: `model.export(path, format="onnx")` or `format="torch"` need no TensorFlow.'


def _require_tensorflow() -> None:
    if importlib.util.find_spec("tensorflow") is None:
        raise ImportError(
            "This requires the tensorflow module. You can install it via `pip install tensorflow`. " + _ALTERNATIVES
        )
    raise NotImplementedError(
        "Writing a TensorFlow SavedModel from a PyTorch model needs Keras's torch_xla bridge, which keraslite "
        "does not have. " + _ALTERNATIVES
    )


def export_saved_model(model, filepath, verbose=None, input_signature=None, **kwargs):
    """`model.export(filepath, format="tf_saved_model")`: needs TensorFlow (see the module docstring)."""
    ExportArchive()


class ExportArchive:
    """Writes SavedModel artifacts for inference (`track`, `add_endpoint`, `write_out`), as
    Keras's `keras.export.ExportArchive`. It needs TensorFlow: making one raises an
    `ImportError` naming it (see the module docstring).

    Args:
        format: `"saved_model"` (or Keras's `"neptune_model"`).
    """

    def __new__(cls, format="saved_model", **kwargs):
        if format not in ("saved_model", "neptune_model"):
            raise ValueError(f"Unsupported format: {format}")
        _require_tensorflow()

    def track(self, resource):
        """Track the variables (of a layer or model) and other assets."""
        _require_tensorflow()

    def add_endpoint(self, name, fn, input_signature=None, **kwargs):
        """Register a new serving endpoint `name` computing `fn` on `input_signature`."""
        _require_tensorflow()

    def track_and_add_endpoint(self, name, resource, input_signature, **kwargs):
        """Track `resource` (a layer or model) and register its call as endpoint `name`."""
        _require_tensorflow()

    def add_variable_collection(self, name, variables):
        """Register a set of variables to be retrieved after reloading."""
        _require_tensorflow()

    def write_out(self, filepath, options=None, verbose=True):
        """Write the SavedModel to `filepath`."""
        _require_tensorflow()
