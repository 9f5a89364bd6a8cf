"""Functional graphs that go beyond layers cross between keraslite and real Keras 3 (torch
backend) in both directions: `keras.ops` calls recorded in the graph, and registered custom
layers. Predictions agree within 1e-5."""

import numpy as np

import keraslite
from compat_tests.test_saving_parity import _keraslite_predict

OPS_MODEL = """
def build_ops_model(keras):
    ops = keras.ops
    a = keras.Input((4, 3), name="a")
    b = keras.Input((4, 3), name="b")
    x = ops.concatenate([a, b], axis=1)
    x = ops.transpose(x, (0, 2, 1))
    x = ops.expand_dims(ops.mean(x, axis=1), -1)
    y = ops.sum(ops.abs(b), axis=-1, keepdims=True) * 2.0 + (
        ops.maximum(ops.squeeze(x[:, 0:4], axis=-1), 0.1)[:, :, None]
    )
    z = ops.softmax(ops.reshape(a, (-1, 12)), axis=-1) - (
        ops.sigmoid(ops.stack([ops.tanh(a), ops.exp(-b)], axis=1))[:, 0, 0, 0:1]
    )
    return keras.Model([a, b], [y, ops.sqrt(ops.relu(z))], name="ops_model")
"""


def test_ops_model_crosses_both_ways(keras_oracle, tmp_path):
    namespace = {"np": np}
    exec(OPS_MODEL, namespace)
    model = namespace["build_ops_model"](keraslite)
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(2, 4, 3)).astype("float32"), rng.normal(size=(2, 4, 3)).astype("float32")
    ours = _keraslite_predict(model, [a, b])
    model.save(tmp_path / "ours.keras")
    code = (
        OPS_MODEL
        + """
theirs = build_ops_model(keras)
theirs.save(inputs["folder"].item() + "/theirs.keras")
result["theirs"] = theirs.predict([inputs["a"], inputs["b"]], verbose=0)
ours = keras.models.load_model(inputs["folder"].item() + "/ours.keras")
result["ours"] = ours.predict([inputs["a"], inputs["b"]], verbose=0)
"""
    )
    got = keras_oracle.run(code, a=a, b=b, folder=np.array(str(tmp_path)))
    for x, y in zip(got["ours"], ours):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)
    loaded = keraslite.models.load_model(tmp_path / "theirs.keras")
    for x, y in zip(_keraslite_predict(loaded, [a, b]), got["theirs"]):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)


# A registered custom layer (constructor arguments, a weight and a sublayer made in
# `build`) and a registered activation, defined the same way on both sides.
CUSTOM_OBJECTS = """
@keras.saving.register_keras_serializable(package="ParityTest")
class ScaledProjection(keras.layers.Layer):
    def __init__(self, units, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.factor = factor

    def build(self, input_shape):
        self.projection = keras.layers.Dense(self.units)
        self.projection.build(input_shape)
        self.offset = self.add_weight(shape=(self.units,), initializer="random_normal", name="offset")

    def call(self, x):
        return (self.projection(x) + self.offset) * self.factor

    def get_config(self):
        return {**super().get_config(), "units": self.units, "factor": self.factor}


@keras.saving.register_keras_serializable(package="ParityTest", name="soft_square")
def soft_square(x):
    return keras.ops.square(x) * 0.5


def build_custom_model():
    inputs = keras.Input(shape=(6,))
    x = ScaledProjection(5, factor=0.5)(inputs)
    return keras.Model(inputs, keras.layers.Dense(2, activation=soft_square)(x))
"""


def _custom_namespace():
    namespace = {"keras": keraslite, "np": np}
    exec(CUSTOM_OBJECTS, namespace)
    return namespace


def test_registered_custom_layer_crosses_both_ways(keras_oracle, tmp_path):
    data = np.random.default_rng(7).normal(size=(4, 6)).astype("float32")
    ours_path, theirs_path = str(tmp_path / "ours.keras"), str(tmp_path / "theirs.keras")
    ours = _custom_namespace()["build_custom_model"]()
    ours.save(ours_path)
    expected = _keraslite_predict(ours, [data])[0]
    code = (
        CUSTOM_OBJECTS
        + """
loaded = keras.models.load_model(inputs["ours"].item())
result["layer"] = type(loaded.layers[1]).__name__
result["ours"] = loaded.predict(inputs["x"], verbose=0)
model = build_custom_model()
model.save(inputs["theirs"].item())
result["theirs"] = model.predict(inputs["x"], verbose=0)
"""
    )
    got = keras_oracle.run(code, ours=np.array(ours_path), theirs=np.array(theirs_path), x=data)
    assert got["layer"] == "ScaledProjection"
    np.testing.assert_allclose(got["ours"], expected, rtol=1e-5, atol=1e-5)
    theirs = keraslite.models.load_model(theirs_path)
    assert type(theirs.layers[1]).__name__ == "ScaledProjection" and theirs.layers[1].factor == 0.5
    np.testing.assert_allclose(_keraslite_predict(theirs, [data])[0], got["theirs"], rtol=1e-5, atol=1e-5)
