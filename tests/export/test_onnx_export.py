"""model.export(format="onnx"): ONNX files whose numbers in onnxruntime equal the model's, with
a dynamic batch axis, for functional, Sequential and subclassed models; plain
torch.onnx.export on a keraslite model."""

import numpy as np
import onnxruntime
import pytest
import torch

import keraslite as keras
from keraslite import layers


def _functional():
    features = keras.Input((6,), name="features")
    hidden = layers.Dense(8, activation="relu")(features)
    return keras.Model(features, layers.Dense(3, activation="softmax")(layers.Dropout(0.5)(hidden)))


def _sequential():
    return keras.Sequential(
        [keras.Input((5, 5, 2)), layers.Conv2D(4, 3, activation="relu"), layers.Flatten(), layers.Dense(2)]
    )


class _Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(7, activation="tanh")
        self.norm = layers.BatchNormalization()
        self.out = layers.Dense(2)

    def call(self, inputs, training=None):
        return self.out(self.norm(self.hidden(inputs), training=training))


def _run(path, feeds):
    session = onnxruntime.InferenceSession(str(path))
    return session, session.run(None, feeds)[0]


@pytest.mark.parametrize(
    "make, shape",
    [(_functional, (6,)), (_sequential, (5, 5, 2)), (_Subclassed, (4,))],
    ids=["functional", "sequential", "subclassed"],
)
def test_onnx_numbers_match_the_model_at_any_batch_size(tmp_path, capsys, make, shape):
    model = make()
    rng = np.random.default_rng(0)
    if isinstance(model, _Subclassed):
        model(rng.random((3,) + shape).astype("float32"))  # a subclassed model is built by a call
        model.compile("sgd", "mse")
        model.fit(rng.random((8,) + shape), rng.random((8, 2)), epochs=1, verbose=0)  # moving statistics
    path = tmp_path / "model.onnx"
    model.export(path, format="onnx")
    assert capsys.readouterr().out.strip().endswith(f"Saved artifact at '{path}'.")
    for batch in (1, 5):
        x = rng.random((batch,) + shape).astype("float32")
        session, result = _run(path, {_input_name(path): x})
        np.testing.assert_allclose(result, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert session.get_inputs()[0].shape[0] == "batch"


def _input_name(path):
    return onnxruntime.InferenceSession(str(path)).get_inputs()[0].name


def test_multi_input_dict_model_and_input_names(tmp_path):
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b")
    merged = layers.Concatenate()([layers.Dense(4)(a), b])
    model = keras.Model({"a": a, "b": b}, layers.Dense(1)(merged))
    path = tmp_path / "dict.onnx"
    model.export(path, format="onnx", verbose=False, opset_version=18)
    x = {"a": np.random.rand(4, 3).astype("float32"), "b": np.random.rand(4, 2).astype("float32")}
    session, result = _run(path, x)
    assert [i.name for i in session.get_inputs()] == ["a", "b"]
    np.testing.assert_allclose(result, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_input_signature_fixes_the_shape(tmp_path):
    model = _functional()
    path = tmp_path / "fixed.onnx"
    model.export(path, format="onnx", verbose=False, input_signature=[keras.InputSpec(shape=(4, 6), dtype="float32")])
    session = onnxruntime.InferenceSession(str(path))
    assert session.get_inputs()[0].shape == [4, 6]


def test_plain_torch_onnx_export_of_a_keraslite_model(tmp_path):
    """torch.onnx.export with its defaults reads parameters with `numpy(force=True)`."""
    model = _functional()
    x = torch.rand(4, 6)
    path = tmp_path / "plain.onnx"
    torch.onnx.export(model, (x,), str(path), verbose=False)
    _, result = _run(path, {"features": x.numpy()})
    np.testing.assert_allclose(result, model.predict(x.numpy(), verbose=0), rtol=1e-5, atol=1e-6)
    # With a dynamic batch in torch's plain form: the forward's first parameter is the input.
    dynamic = tmp_path / "dynamic.onnx"
    batch = torch.export.Dim("batch")
    torch.onnx.export(model, (x,), str(dynamic), dynamic_shapes=({0: batch},), verbose=False)
    y = np.random.rand(9, 6).astype("float32")
    _, result = _run(dynamic, {"features": y})
    np.testing.assert_allclose(result, model.predict(y, verbose=0), rtol=1e-5, atol=1e-6)
