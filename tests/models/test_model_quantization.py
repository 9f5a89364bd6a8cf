"""`Model.quantize` against real Keras 3.15: training after quantizing (the custom input
gradient, float8's moving scales), `.keras` files and `.weights.h5` weights of quantized
models crossing both ways, filters and warnings, GPTQ/AWQ not implemented yet."""

import json
import warnings

import numpy as np
import pytest

import keraslite
from keraslite import quantizers as Q

RNG = np.random.default_rng(11)
X = RNG.standard_normal((16, 8)).astype("float32")
Y = RNG.standard_normal((16, 3)).astype("float32")
TOKENS = RNG.integers(0, 20, (4, 6))

# Runs unchanged with `keras` bound to keraslite or to real Keras.
BUILD = """
def mlp(keras):
    inputs = keras.Input((8,))
    hidden = keras.layers.Dense(6, activation="relu", name="hidden")(inputs)
    return keras.Model(inputs, keras.layers.Dense(3, name="head")(hidden))


def tokens_model(keras):
    inputs = keras.Input((6,), dtype="int32")
    x = keras.layers.Embedding(20, 8, name="embed")(inputs)
    x = keras.layers.EinsumDense("abc,cd->abd", (6, 4), bias_axes="d", name="mix")(x)
    x = keras.layers.Flatten()(x)
    return keras.Model(inputs, keras.layers.Dense(3, name="out")(x))
"""

KERAS_TRAIN = (
    BUILD
    + """
model = mlp(keras)
result["float"] = [np.asarray(w) for w in model.get_weights()]
model.quantize(inputs["mode"].item())
model.compile(optimizer="sgd", loss="mse")
history = model.fit(inputs["x"], inputs["y"], epochs=2, batch_size=8, shuffle=False, verbose=0)
result["loss"] = np.array(history.history["loss"])
result["trained"] = [np.asarray(w) for w in model.get_weights()]
"""
)


def _namespace():
    namespace = {}
    exec(BUILD, namespace)
    return namespace


@pytest.mark.parametrize("mode", ["int8", "int4", "float8"])
def test_training_after_quantize_matches_keras(keras_oracle, mode):
    expected = keras_oracle.run(KERAS_TRAIN, mode=np.array(mode), x=X, y=Y)
    model = _namespace()["mlp"](keraslite)
    model.set_weights(expected["float"])
    model.quantize(mode)
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(X, Y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], expected["loss"], rtol=1e-5)
    for got, want in zip(model.get_weights(), expected["trained"]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


KERAS_FILES = (
    BUILD
    + """
mode, folder = inputs["mode"].item(), inputs["folder"].item()
# What keraslite wrote: the whole model, and weights into a model quantized here.
loaded = keras.saving.load_model(folder + "/keraslite.keras")
result["from_keraslite"] = loaded.predict(inputs["tokens"], verbose=0)
result["policies"] = json.dumps([layer.dtype_policy.name for layer in loaded.layers])
fresh = tokens_model(keras)
fresh.quantize(mode)
fresh.load_weights(folder + "/keraslite.weights.h5")
result["weights_from_keraslite"] = fresh.predict(inputs["tokens"], verbose=0)
# What Keras writes for keraslite to read.
model = tokens_model(keras)
model.quantize(mode)
model.save(folder + "/keras.keras")
model.save_weights(folder + "/keras.weights.h5")
result["keras_predictions"] = model.predict(inputs["tokens"], verbose=0)
"""
)


@pytest.mark.parametrize("mode", ["int8", "int4", "float8"])
def test_quantized_files_cross_with_keras(keras_oracle, tmp_path, mode):
    build = _namespace()["tokens_model"]
    model = build(keraslite)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # layers that cannot be quantized in this mode
        model.quantize(mode)
    model.save(tmp_path / "keraslite.keras")
    model.save_weights(tmp_path / "keraslite.weights.h5")
    ours = model.predict(TOKENS, verbose=0)
    got = keras_oracle.run(
        "import json\n" + KERAS_FILES, mode=np.array(mode), folder=np.array(str(tmp_path)), tokens=TOKENS
    )
    np.testing.assert_allclose(got["from_keraslite"], ours, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got["weights_from_keraslite"], ours, rtol=1e-5, atol=1e-6)
    assert json.loads(got["policies"]) == [layer.dtype_policy.name for layer in model.layers]

    loaded = keraslite.saving.load_model(tmp_path / "keras.keras")
    np.testing.assert_allclose(loaded.predict(TOKENS, verbose=0), got["keras_predictions"], rtol=1e-5, atol=1e-6)
    assert loaded.get_layer("out").quantization_mode == mode
    fresh = build(keraslite)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fresh.quantize(mode)
    fresh.load_weights(tmp_path / "keras.weights.h5")
    np.testing.assert_allclose(fresh.predict(TOKENS, verbose=0), got["keras_predictions"], rtol=1e-5, atol=1e-6)


def test_model_quantize_warns_for_layers_it_cannot_quantize_and_takes_filters():
    model = _namespace()["tokens_model"](keraslite)
    with pytest.warns(UserWarning) as record:
        model.quantize("float8", filters=["mix", "embed"])
    messages = [str(w.message) for w in record]
    assert any("Expected one of ('int8', 'int4')" in m for m in messages)
    assert model.get_layer("mix").quantization_mode == "float8"
    assert model.get_layer("embed").quantization_mode is None
    assert model.get_layer("out").quantization_mode is None

    model = _namespace()["mlp"](keraslite)
    model.quantize(config=Q.Int8QuantizationConfig(), filters=lambda layer: layer.name == "head")
    assert [layer.quantization_mode for layer in model.layers[1:]] == [None, "int8"]
    with pytest.raises(ValueError, match="The `filters` argument must be"):
        model.quantize("int8", filters=3)


def test_calibrated_modes_are_not_implemented_yet():
    model = _namespace()["mlp"](keraslite)
    with pytest.raises(NotImplementedError, match="'gptq'.*not supported by keraslite yet"):
        model.quantize("gptq", config=Q.GPTQConfig(dataset=["a"], tokenizer=None))
    with pytest.raises(NotImplementedError, match="'awq'.*not supported by keraslite yet"):
        model.quantize(config=Q.AWQConfig(dataset=["a"], tokenizer=None))
    with pytest.raises(ValueError, match="For GPTQ, you must pass a `GPTQConfig`"):
        model.quantize("gptq")
    assert model.get_quantization_layer_structure("gptq") is None
    assert all(layer.quantization_mode is None for layer in model.layers)
