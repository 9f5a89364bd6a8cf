"""keras.export.ExportArchive and the formats that need other frameworks: Keras's signature
and members, and clear errors naming what is missing (TensorFlow is not installed here)."""

import importlib.util
import inspect

import pytest

import keraslite as keras
from keraslite.export import ExportArchive

pytestmark = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is not None, reason="TensorFlow is installed")


def _model():
    inputs = keras.Input((3,))
    return keras.Model(inputs, keras.layers.Dense(2)(inputs))


def test_export_archive_has_keras_signature_and_members(keras_oracle):
    expected = keras_oracle.run(
        "import inspect\nA = keras.export.ExportArchive\n"
        "result['members'] = sorted(n for n in vars(A) if not n.startswith('_'))\n"
        "result['signatures'] = {n: str(inspect.signature(getattr(A, n))) for n in result['members'] + ['__new__']}\n"
    )
    members = sorted(n for n in vars(ExportArchive) if not n.startswith("_"))
    assert members == expected["members"]
    for name in members + ["__new__"]:
        assert str(inspect.signature(getattr(ExportArchive, name))) == expected["signatures"][name], name


def test_missing_tensorflow_is_named(tmp_path):
    with pytest.raises(ImportError, match="This requires the tensorflow module. You can install it via `pip install"):
        ExportArchive()
    with pytest.raises(ImportError, match='format="onnx"'):
        _model().export(tmp_path / "saved")  # "tf_saved_model" is the default format, as in Keras
    with pytest.raises(ValueError, match="Unsupported format: zip"):
        ExportArchive(format="zip")


def test_other_formats_name_what_they_need(tmp_path):
    model = _model()
    with pytest.raises(ValueError, match=r"Unrecognized format=bogus. Supported formats are: \['tf_saved_model', "):
        model.export(tmp_path / "m", format="bogus")
    with pytest.raises(ValueError, match="The OpenVINO export requires the filepath to end with '.xml'"):
        model.export(str(tmp_path / "m"), format="openvino")
    with pytest.raises(ModuleNotFoundError, match="No module named 'openvino'"):
        model.export(str(tmp_path / "m.xml"), format="openvino")
    with pytest.raises(ValueError, match="The LiteRT export requires the filepath to end with '.tflite'"):
        model.export(str(tmp_path / "m"), format="litert")
    with pytest.raises(ImportError, match="you must install the `litert-torch` package. Install via: pip install"):
        model.export(str(tmp_path / "m.tflite"), format="litert")
