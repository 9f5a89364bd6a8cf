"""`Model.export(filepath, format=..., verbose=..., input_signature=..., **kwargs)`: the
formats of Keras 3.15.1 under its torch backend, dispatched to their modules.

    "onnx"            export/onnx_export.py  (onnx, onnxscript: torch's ONNX exporter)
    "torch"           export/torch_export.py (a torch.export `.pt2` program)
    "tf_saved_model"  export/saved_model.py  (needs TensorFlow: a clear ImportError)
    "openvino"        needs the `openvino` package (`.xml` path), as in Keras
    "litert"          needs the `litert-torch` package (`.tflite` path), as in Keras
"""

from __future__ import annotations

import importlib.util

from keraslite.export.onnx_export import export_onnx
from keraslite.export.saved_model import export_saved_model
from keraslite.export.torch_export import export_torch

AVAILABLE_FORMATS = ("tf_saved_model", "onnx", "openvino", "litert", "torch")


def export_model(model, filepath, format="tf_saved_model", verbose=None, input_signature=None, **kwargs):
    """Export `model` for inference in `format` (see the module docstring)."""
    if format not in AVAILABLE_FORMATS:
        raise ValueError(f"Unrecognized format={format}. Supported formats are: {list(AVAILABLE_FORMATS)}.")
    if format == "tf_saved_model":
        return export_saved_model(model, filepath, verbose, input_signature=input_signature, **kwargs)
    if format == "onnx":
        return export_onnx(model, filepath, verbose, input_signature=input_signature, **kwargs)
    if format == "torch":
        return export_torch(model, filepath, verbose=verbose, input_signature=input_signature, **kwargs)
    if format == "openvino":
        if not str(filepath).endswith(".xml"):
            raise ValueError(f"The OpenVINO export requires the filepath to end with '.xml'. Got: filepath={filepath}")
        _require_package("openvino", "OpenVINO", "openvino")
    if not str(filepath).endswith(".tflite"):
        raise ValueError(f"The LiteRT export requires the filepath to end with '.tflite'. Got: {filepath}")
    _require_package("litert_torch", "LiteRT", "litert-torch")


def _require_package(module: str, what: str, pip_name: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ModuleNotFoundError(
            f"No module named '{module}'. To export to {what} with the PyTorch backend, you must install the "
            f"`{pip_name}` package. Install via: pip install {pip_name}",
            name=module,
        )
    raise NotImplementedError(
        f'keraslite does not export to {what} yet. Export with format="onnx" and convert the ONNX file with '
        f"{what}'s own tools."
    )
