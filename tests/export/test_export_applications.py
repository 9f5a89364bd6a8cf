"""A few small `keras.applications` models export to ONNX and to `torch.export` with a
dynamic batch, and their logits match `model.predict` (tools/export_check.py runs all 40)."""

import numpy as np
import onnxruntime
import torch

import keraslite as keras


def test_mobilenet_v3_small_exports(tmp_path):
    # One application in CI (export of a 100-layer graph takes tens of seconds on a CPU).
    model = keras.applications.MobileNetV3Small(
        weights=None, input_shape=(32, 32, 3), classes=10, classifier_activation=None, minimalistic=True
    )
    model.export(tmp_path / "m.onnx", format="onnx", verbose=False)
    session = onnxruntime.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    model.export(tmp_path / "m.pt2", format="torch", verbose=False)
    program = torch.export.load(str(tmp_path / "m.pt2")).module()
    rng = np.random.default_rng(0)
    for batch in (1, 3):
        x = rng.uniform(0, 255, (batch, 32, 32, 3)).astype("float32")
        expected = model.predict(x, verbose=0)
        tolerance = 1e-5 * max(1.0, float(np.abs(expected).max()))
        onnx_result = session.run(None, {session.get_inputs()[0].name: x})[0]
        np.testing.assert_allclose(onnx_result, expected, rtol=1e-5, atol=tolerance)
        with torch.no_grad():
            np.testing.assert_allclose(program(torch.from_numpy(x)).numpy(), expected, rtol=1e-5, atol=tolerance)
