"""keras.applications vs real Keras 3: the same layers (names, classes, parameter counts,
output shapes), and the same outputs from the same weights file in the tf.keras layout."""

import numpy as np
import pytest

import keraslite as keras
from keraslite.applications.weights import save_legacy_h5_weights

# (constructor, kwargs): small inputs where the architecture allows; ResNet50 at full size with its top.
CASES = [
    ("VGG16", dict(weights=None, include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    ("VGG19", dict(weights=None, input_shape=(32, 32, 3), classes=10, classifier_activation=None)),
    ("ResNet50", dict(weights=None)),
    ("ResNet50", dict(weights=None, include_top=False, input_shape=(64, 48, 3), pooling="max")),
]

ARCHITECTURE_CODE = """
import json
cases = json.loads({cases!r})
for index, (name, kwargs) in enumerate(cases):
    if kwargs.get("input_shape"):
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
    model = getattr(keras.applications, name)(**kwargs)
    result[f"case{{index}}"] = [
        [
            layer.name,
            type(layer).__name__,
            layer.count_params(),
            [None if d is None else int(d) for d in layer.output.shape],
        ]
        for layer in model.layers
    ]
    result[f"name{{index}}"] = model.name
"""


def _describe(model):
    return [
        [
            layer.name,
            type(layer).__name__,
            layer.count_params(),
            [None if d is None else int(d) for d in layer.output.shape],
        ]
        for layer in model.layers
    ]


def test_architectures_match_keras(keras_oracle):
    import json

    available = CASES + [
        ("MobileNetV2", dict(weights=None)),
        ("MobileNetV2", dict(weights=None, include_top=False, alpha=0.75, input_shape=(96, 96, 3), pooling="avg")),
        ("MobileNetV2", dict(weights=None, include_top=False, alpha=1.4, input_shape=(64, 80, 3))),
    ]
    expected = keras_oracle.run(ARCHITECTURE_CODE.format(cases=json.dumps(available)))
    for index, (name, kwargs) in enumerate(available):
        model = getattr(keras.applications, name)(**kwargs)
        ours, theirs = _describe(model), expected[f"case{index}"]
        assert model.name == expected[f"name{index}"]
        assert len(ours) == len(theirs), (name, kwargs)
        # The input layer is "input_1" here (tf.keras's name, as the seed guide prints) and
        # "input_layer" in Keras 3: compare everything else about it.
        assert ours[0][1:] == theirs[0][1:]
        assert ours[1:] == theirs[1:], (name, kwargs)
        assert model.count_params() == sum(row[2] for row in theirs)


WEIGHTS_CODE = """
from keras.src.legacy.saving import legacy_h5_format
import h5py
model = getattr(keras.applications, inputs["name"].item())(weights=None, include_top=False, input_shape=(32, 32, 3))
with h5py.File(inputs["path"].item(), "w") as file:
    legacy_h5_format.save_weights_to_hdf5_group(file, model)
result["y"] = keras.ops.convert_to_numpy(model(inputs["x"], training=False))
"""


@pytest.mark.parametrize("name", ["VGG16", "MobileNetV2"])
def test_tf_keras_weights_file_written_by_keras_loads_and_predicts_the_same(name, tmp_path, keras_oracle):
    path = tmp_path / f"{name}.h5"
    x = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    expected = keras_oracle.run(WEIGHTS_CODE, name=np.array(name), path=np.array(str(path)), x=x)
    model = getattr(keras.applications, name)(weights=str(path), include_top=False, input_shape=(32, 32, 3))
    y = model(x).detach().numpy()
    np.testing.assert_allclose(y, expected["y"], rtol=1e-4, atol=1e-4 * float(np.abs(expected["y"]).max()))
    # And a file we write in that layout round-trips.
    save_legacy_h5_weights(model, str(tmp_path / "ours.h5"))
    again = getattr(keras.applications, name)(
        weights=str(tmp_path / "ours.h5"), include_top=False, input_shape=(32, 32, 3)
    )
    np.testing.assert_array_equal(again(x).detach().numpy(), y)
