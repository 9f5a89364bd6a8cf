"""keras.applications vs real Keras 3 for InceptionV3, InceptionResNetV2, MobileNet,
MobileNetV3, NASNet, ResNetV2 and Xception: the same layers (names, classes, parameter
counts, output shapes) in a fresh session, and the same outputs from a weights file that
Keras wrote in the tf.keras layout (the layout of Keras's published ImageNet files, which
load by layer position)."""

import json

import numpy as np
import pytest

import keraslite as keras

# One member of each family, on small inputs (the smallest each architecture accepts).
STRUCTURE_CASES = [
    ("Xception", dict(weights=None, input_shape=(71, 71, 3), classes=7)),
    ("ResNet50V2", dict(weights=None, include_top=False, input_shape=(32, 40, 3), pooling="max")),
    ("MobileNet", dict(weights=None, alpha=0.25, depth_multiplier=2, input_shape=(32, 32, 3), classes=5)),
    ("MobileNetV3Large", dict(weights=None, include_top=False, minimalistic=True, alpha=0.75, pooling="avg")),
    ("InceptionResNetV2", dict(weights=None, include_top=False, input_shape=(75, 75, 3))),
]

# Keras's layers of a model: [name, class, parameter count, output shape].
DESCRIBE = """
import json


def describe(model):
    rows = []
    for layer in model.layers:
        shape = [None if d is None else int(d) for d in layer.output.shape]
        rows.append([layer.name, type(layer).__name__, layer.count_params(), shape])
    return rows


def build(name, kwargs):
    from keras.src.applications import nasnet

    keras.backend.clear_session()
    kwargs = dict(kwargs)
    if kwargs.get("input_shape"):
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
    if name == "NASNetMobile":
        # Keras 3.15.1 refuses NASNetMobile under torch; its builder is called directly, with
        # the arguments NASNetMobile passes.
        return nasnet.NASNet(
            kwargs.pop("input_shape"), penultimate_filters=1056, num_blocks=4, stem_block_filters=32,
            skip_reduction=False, filter_multiplier=2, default_size=224, name="nasnet_mobile", **kwargs
        )
    return getattr(keras.applications, name)(**kwargs)
"""

STRUCTURE_CODE = (
    DESCRIBE
    + """
for index, (name, kwargs) in enumerate(json.loads(inputs["cases"].item())):
    model = build(name, kwargs)
    result[f"layers{index}"] = describe(model)
    result[f"name{index}"] = model.name
"""
)


def _describe(model):
    # Ops recorded on KerasTensors (MobileNetV3's hard sigmoid: `relu6(x + 3) * (1 / 6)`) are
    # listed among a model's layers here, as tf.keras listed its op layers; Keras 3 lists them
    # in `model.operations` only. Their auto names still match.
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


def _build(name, kwargs):
    keras.backend.clear_session()
    return getattr(keras.applications, name)(**kwargs)


def _assert_same_layers(model, theirs, expected_name):
    ours = _describe(model)
    assert model.name == expected_name
    assert len(ours) == len(theirs)
    # The input layer is "input_1" here (tf.keras's name, as the seed guide prints) and
    # "input_layer" in Keras 3: compare everything else about it.
    assert ours[0][1:] == theirs[0][1:]
    mismatches = [(a, b) for a, b in zip(ours[1:], theirs[1:]) if a != b]
    assert not mismatches, mismatches[:5]
    assert model.count_params() == sum(row[2] for row in theirs)


def test_architectures_match_keras(keras_oracle):
    expected = keras_oracle.run(STRUCTURE_CODE, cases=np.array(json.dumps(STRUCTURE_CASES)))
    for index, (name, kwargs) in enumerate(STRUCTURE_CASES):
        model = _build(name, kwargs)
        _assert_same_layers(model, expected[f"layers{index}"], expected[f"name{index}"])


WEIGHTS_CODE = (
    DESCRIBE
    + """
from keras.src.legacy.saving import legacy_h5_format
import h5py
model = build(inputs["name"].item(), json.loads(inputs["kwargs"].item()))
# Random weights everywhere, with positive variances, so that every BatchNormalization matters.
rng = np.random.default_rng(0)
values = []
for weight in model.weights:
    shape = tuple(weight.shape)
    if "variance" in weight.path:
        values.append(rng.uniform(0.5, 1.5, shape))
    else:
        values.append(rng.normal(0.0, 0.2 if "gamma" in weight.path or "beta" in weight.path else 0.1, shape))
model.set_weights([value.astype("float32") for value in values])
with h5py.File(inputs["path"].item(), "w") as file:
    legacy_h5_format.save_weights_to_hdf5_group(file, model)
result["layers"] = describe(model)
result["model_name"] = model.name
result["y"] = keras.ops.convert_to_numpy(model(inputs["x"], training=False))
"""
)

# MobileNetV3Small: the Rescaling input, hard-swish, squeeze-and-excite with recorded ops, the
# convolutional classifier. NASNetMobile: the most tangled graph (its layer order decides
# which weights go where), with cropping, separable convolutions and he_normal kernels.
# InceptionV3: auto-named layers, BatchNormalization without scale, factorized kernels,
# 'same' average pooling (padding not counted in the average).
WEIGHTS_CASES = [
    ("InceptionV3", dict(include_top=False, input_shape=(75, 75, 3), pooling="avg"), (2, 75, 75, 3)),
    ("MobileNetV3Small", dict(input_shape=(32, 32, 3), classes=10, dropout_rate=0.5), (2, 32, 32, 3)),
    ("NASNetMobile", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg"), (2, 32, 32, 3)),
]


@pytest.mark.parametrize("name, kwargs, x_shape", WEIGHTS_CASES, ids=[case[0] for case in WEIGHTS_CASES])
def test_weights_file_written_by_keras_loads_and_predicts_the_same(name, kwargs, x_shape, tmp_path, keras_oracle):
    path = tmp_path / f"{name}.h5"
    x = np.random.default_rng(1).uniform(0, 255, x_shape).astype("float32")
    if name != "MobileNetV3Small":
        x = x / 127.5 - 1.0
    kwargs = dict(kwargs, weights=None)
    expected = keras_oracle.run(
        WEIGHTS_CODE, name=np.array(name), kwargs=np.array(json.dumps(kwargs)), path=np.array(str(path)), x=x
    )
    model = _build(name, dict(kwargs, weights=str(path)))
    _assert_same_layers(model, expected["layers"], expected["model_name"])
    y = model(x).detach().numpy()
    scale = float(np.abs(expected["y"]).max())
    np.testing.assert_allclose(y, expected["y"], rtol=1e-4, atol=1e-4 * scale)


# NASNetLarge's own path (`skip_reduction=True`, 6 normal cells per stage) at a width
# small enough to build in a moment; both sides through their NASNet builder.
NASNET_LARGE_LIKE = dict(
    input_shape=(32, 32, 3),
    penultimate_filters=192,
    num_blocks=6,
    stem_block_filters=8,
    skip_reduction=True,
    filter_multiplier=2,
    include_top=True,
    weights=None,
    input_tensor=None,
    pooling=None,
    classes=3,
    default_size=331,
    classifier_activation="softmax",
    name="nasnet_large_like",
)

NASNET_CODE = (
    DESCRIBE
    + """
from keras.src.applications import nasnet
kwargs = json.loads(inputs["kwargs"].item())
kwargs["input_shape"] = tuple(kwargs["input_shape"])
model = nasnet.NASNet(**kwargs)
result["layers"] = describe(model)
result["model_name"] = model.name
"""
)


def test_nasnet_large_cell_layout_matches_keras(keras_oracle):
    from keraslite.applications import nasnet

    expected = keras_oracle.run(NASNET_CODE, kwargs=np.array(json.dumps(NASNET_LARGE_LIKE)))
    model = nasnet._nasnet(**NASNET_LARGE_LIKE)
    _assert_same_layers(model, expected["layers"], expected["model_name"])


SIGNATURES_CODE = """
import inspect
for name in inputs["names"].tolist():
    parameters = inspect.signature(getattr(keras.applications, name)).parameters.values()
    result[name] = [[p.name, repr(p.default)] for p in parameters]
"""

CONSTRUCTORS = [
    "InceptionV3",
    "InceptionResNetV2",
    "MobileNet",
    "MobileNetV3Small",
    "MobileNetV3Large",
    "NASNetMobile",
    "NASNetLarge",
    "ResNet50V2",
    "ResNet101V2",
    "ResNet152V2",
    "Xception",
]


def test_constructor_signatures_match_keras(keras_oracle):
    import inspect

    expected = keras_oracle.run(SIGNATURES_CODE, names=np.array(CONSTRUCTORS))
    for name in CONSTRUCTORS:
        parameters = inspect.signature(getattr(keras.applications, name)).parameters.values()
        assert [[p.name, repr(p.default)] for p in parameters] == expected[name], name
