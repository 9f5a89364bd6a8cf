"""ConvNeXt, DenseNet, EfficientNet and EfficientNetV2 vs real Keras 3: the same layers
(names, classes, parameter counts, output shapes) and the same predictions from the same
weights file in the tf.keras layout."""

import json
import textwrap

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import initializers

# Architecture-only cases (the four models of the weights test below are compared too):
# tops, poolings, the EfficientNetV2 S/M/L preprocessing, a model without preprocessing.
CASES = [
    ("DenseNet169", dict(weights=None, input_shape=(32, 32, 3), classes=10, classifier_activation=None)),
    ("EfficientNetB3", dict(weights=None, input_shape=(40, 40, 3), classes=5)),
    ("EfficientNetV2S", dict(weights=None, include_top=False, input_shape=(32, 32, 3), pooling="max")),
    ("EfficientNetV2B1", dict(weights=None, include_top=False, input_shape=(32, 32, 3), include_preprocessing=False)),
    ("ConvNeXtTiny", dict(weights=None, input_shape=(32, 32, 3), classes=7, include_preprocessing=False)),
    ("ConvNeXtSmall", dict(weights=None, include_top=False, input_shape=(32, 32, 3), pooling="avg")),
]


@pytest.fixture
def unset_weights(monkeypatch):
    """keraslite's random kernels left uninitialized: the structure does not depend on them,
    weight files overwrite them (a weight left unloaded would show as garbage), and drawing
    millions of truncated normals would dominate the test's time."""
    monkeypatch.setattr(initializers.VarianceScaling, "__call__", lambda self, shape, dtype=None: torch.empty(shape))


DESCRIBE_CODE = """
import json
name, kwargs = json.loads(inputs["spec"].item())
if kwargs.get("input_shape"):
    kwargs["input_shape"] = tuple(kwargs["input_shape"])
model = getattr(keras.applications, name)(**kwargs)
"""
# What the architecture comparison reads from the Keras model `model`.
DESCRIBE_RESULT = """
result["rows"] = [
    [
        layer.name,
        type(layer).__name__,
        layer.count_params(),
        [None if d is None else int(d) for d in layer.output.shape],
    ]
    for layer in model.layers
]
result["name"] = model.name
result["params"] = model.count_params()
"""
DESCRIBE_CODE += DESCRIBE_RESULT


QUICK_KERAS_INIT = """
from keras.src.initializers.random_initializers import VarianceScaling, compute_fans
def _untruncated(self, shape, dtype=None):
    fan_in, fan_out = compute_fans(shape)
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
    return keras.random.normal(shape, stddev=(self.scale / max(1.0, fan)) ** 0.5, dtype=dtype)
_truncated = VarianceScaling.__call__
VarianceScaling.__call__ = _untruncated
try:
CODE
finally:
    VarianceScaling.__call__ = _truncated
"""


def _with_quick_keras_init(code: str) -> str:
    """Keras code run with VarianceScaling's truncated normals replaced by plain normals of
    the same scale (restored afterwards): Keras draws truncated normals at about 5x the cost
    of a normal, which would be most of this file's time; the models' structure does not
    depend on the values, and the weights test compares whatever values Keras drew."""
    return QUICK_KERAS_INIT.replace("CODE\n", textwrap.indent(code, "    ") + "\n")


def _check_architecture(model, expected):
    ours, theirs = _describe(model), expected["rows"]
    assert model.name == expected["name"]
    assert model.count_params() == expected["params"]
    assert len(ours) == len(theirs)
    # The input layer is "input_1" here (tf.keras's name, as the seed guide prints) and
    # "input_layer" in Keras 3: compare everything else about it.
    assert ours[0][1:] == theirs[0][1:]
    assert ours[1:] == theirs[1:]


def _describe(model):
    # keraslite lists op nodes (ConvNeXt's residual `x + y`) among `model.layers`, as tf.keras 2
    # did; Keras 3 does not. They hold no weights: compare the layers only.
    return [
        [
            layer.name,
            type(layer).__name__,
            layer.count_params(),
            [None if d is None else int(d) for d in layer.output.shape],
        ]
        for layer in model.layers
        if type(layer).__name__ != "OpLayer"
    ]


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{name}-{i}" for i, (name, _) in enumerate(CASES)])
def test_architecture_matches_keras(name, kwargs, keras_oracle, unset_weights):
    expected = keras_oracle.run(_with_quick_keras_init(DESCRIBE_CODE), spec=np.array(json.dumps([name, kwargs])))
    _check_architecture(getattr(keras.applications, name)(**kwargs), expected)


WEIGHTS_CODE = (
    """
from keras.src.legacy.saving import legacy_h5_format
import h5py
kwargs = dict(weights=None, include_top=False, input_shape=(32, 32, 3))
model = getattr(keras.applications, inputs["name"].item())(**kwargs)
# Random statistics and layer scales, so that every weight matters to the output.
rng = np.random.default_rng(1)
for weight in model.weights:
    shape = tuple(weight.shape)
    if "variance" in weight.path:
        weight.assign(rng.uniform(0.5, 1.5, shape).astype("float32"))
    elif "mean" in weight.path:
        weight.assign(rng.normal(0, 0.2, shape).astype("float32"))
    elif "layer_scale" in weight.path:
        weight.assign(rng.uniform(0.5, 1.0, shape).astype("float32"))
with h5py.File(inputs["path"].item(), "w") as file:
    legacy_h5_format.save_weights_to_hdf5_group(file, model)
result["y"] = keras.ops.convert_to_numpy(model(inputs["x"], training=False))
"""
    + DESCRIBE_RESULT
)


@pytest.mark.parametrize("name", ["DenseNet121", "EfficientNetB0", "EfficientNetV2B0", "ConvNeXtTiny"])
def test_keras_weights_file_loads_and_predicts_the_same(name, tmp_path, keras_oracle, unset_weights):
    """The same layers as Keras's model, and the same predictions from Keras's weights file."""
    path = tmp_path / f"{name}.h5"
    x = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    reply = keras_oracle.run(_with_quick_keras_init(WEIGHTS_CODE), name=np.array(name), path=np.array(str(path)), x=x)
    model = getattr(keras.applications, name)(weights=str(path), include_top=False, input_shape=(32, 32, 3))
    _check_architecture(model, reply)
    expected = reply["y"]
    y = model.predict(x, verbose=0)
    assert y.shape == expected.shape
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4 * float(np.abs(expected).max()))


LAYER_SCALE_FILE_CODE = """
from keras.src.applications.convnext import LayerScale
if inputs["write"].item():
    inputs_ = keras.Input((3, 3, 4))
    outputs = LayerScale(0.5, 4, name="scale")(keras.layers.Dense(4, name="dense")(inputs_))
    model = keras.Model(inputs_, outputs)
    model.get_layer("scale").set_weights([np.array([1.0, 2.0, 3.0, 4.0], "float32")])
    model.save(inputs["path"].item())
else:
    model = keras.models.load_model(inputs["path"].item())
result["y"] = keras.ops.convert_to_numpy(model(inputs["x"]))
result["entry"] = [
    {key: layer[key] for key in ("module", "class_name")}
    for layer in model.get_config()["layers"]
    if layer["class_name"] == "LayerScale"
][0]
"""


def test_convnext_layer_scale_crosses_keras_files(tmp_path, keras_oracle):
    """ConvNeXt's LayerScale is not public in Keras: its files name its defining module,
    which keraslite maps both ways (a saved ConvNeXt loads in either library)."""
    x = np.random.default_rng(0).normal(size=(2, 3, 3, 4)).astype("float32")
    written_by_keras = str(tmp_path / "keras.keras")
    reply = keras_oracle.run(LAYER_SCALE_FILE_CODE, write=np.array(True), path=np.array(written_by_keras), x=x)
    model = keras.models.load_model(written_by_keras)
    assert type(model.get_layer("scale")) is keras.applications.convnext.LayerScale
    np.testing.assert_allclose(model.predict(x, verbose=0), reply["y"], rtol=1e-5, atol=1e-6)

    written_here = str(tmp_path / "keraslite.keras")
    model.save(written_here)
    again = keras_oracle.run(LAYER_SCALE_FILE_CODE, write=np.array(False), path=np.array(written_here), x=x)
    np.testing.assert_allclose(again["y"], reply["y"], rtol=1e-5, atol=1e-6)
    assert again["entry"] == reply["entry"] == {"module": "keras.src.applications.convnext", "class_name": "LayerScale"}
