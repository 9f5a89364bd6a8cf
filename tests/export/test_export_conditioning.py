"""Why tools/export_check.py found EfficientNetV2L's ONNX export "wrong" (relative difference
~0.9) while its torch.export program was exact: the untrained model is chaotic in float32.
Moving every input by one ulp moves its logits by ~0.5 of their size (in real Keras 3 too),
so onnxruntime's kernels, which round differently from torch's, cannot match `predict`
however correct the graph is; torch.export matches only because it runs the same kernels.

A deep tanh stack with a large weight gain is the small model with the same cause. The check
must measure that sensitivity and call such a comparison ill-conditioned, not failed."""

import os
import sys

import numpy as np

import keraslite as keras

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tools"))
import export_check  # noqa: E402

WIDTH = 32


def tanh_stack(depth, gain):
    """`depth` Dense(tanh) layers with weights of standard deviation gain/sqrt(width): past
    gain ~1 the stack is chaotic (rounding errors grow by a factor per layer)."""
    initializer = keras.initializers.RandomNormal(stddev=gain / WIDTH**0.5, seed=1)
    inputs = keras.Input((WIDTH,), name="features")
    x = inputs
    for _ in range(depth):
        x = keras.layers.Dense(WIDTH, activation="tanh", kernel_initializer=initializer)(x)
    return keras.Model(inputs, keras.layers.Dense(4, kernel_initializer=initializer)(x))


def _inputs():
    rng = np.random.default_rng(0)
    return [rng.uniform(-1, 1, (batch, WIDTH)).astype("float32") for batch in (1, 3)]


def _tolerance(model, x):
    return export_check.TOLERANCE * max(1.0, float(np.abs(model.predict(x, verbose=0)).max()))


def test_input_sensitivity_separates_chaotic_from_well_conditioned_models():
    x = _inputs()[1]
    chaotic, tame = tanh_stack(20, 10.0), tanh_stack(20, 0.9)
    # One ulp on the input moves the chaotic stack far past the check's tolerance ...
    assert export_check.input_sensitivity(chaotic, x) > 100 * _tolerance(chaotic, x)
    # ... and the well-conditioned one by no more than rounding.
    assert export_check.input_sensitivity(tame, x) < 0.1 * _tolerance(tame, x)


def test_verdict_names_an_ill_conditioned_comparison_and_still_fails_real_mismatches():
    assert export_check.verdict(1e-6, 1e-5, 1.0) == "ok"
    assert export_check.verdict(0.5, 1e-5, 0.3) == "ill-conditioned"
    assert export_check.verdict(0.5, 1e-5, 1e-7) == "FAIL"


def test_onnx_export_of_a_chaotic_model_differs_by_rounding_and_is_reported_ill_conditioned(tmp_path):
    model = tanh_stack(20, 10.0)
    result = export_check.compare_exports(model, _inputs(), str(tmp_path))
    # The reproduction: onnxruntime's result is off by far more than the tolerance ...
    assert result["onnx_diff"] > export_check.TOLERANCE * max(1.0, result["scale"])
    # ... by no more than the model's own float32 noise (a wrong graph would be off by O(scale)
    # whatever the sensitivity; here both are of the same order) ...
    assert result["ill_conditioned"] and result["onnx_verdict"] == "ill-conditioned"
    # ... and the bit-identical torch.export program matches exactly.
    assert result["torch_verdict"] == "ok" and result["torch_diff"] == 0.0
