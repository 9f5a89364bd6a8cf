"""keras.applications ConvNeXt, DenseNet, EfficientNet and EfficientNetV2: every member's size,
the arguments and their errors, ImageNet weight files, preprocessing, the ConvNeXt layers."""

import inspect
import math
import os

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import initializers
from keraslite.applications import convnext, densenet, efficientnet, efficientnet_v2, imagenet_utils
from keraslite.applications.weights import save_legacy_h5_weights
from keraslite.testing.layer_test import run_layer_test
from keraslite.utils.file_utils import DownloadError


@pytest.fixture
def unset_weights(monkeypatch):
    """Random kernels left uninitialized: parameter counts and layer structure do not depend
    on the values, and drawing hundreds of millions of truncated normals would dominate the
    test's time. Only for tests that never run the model."""
    monkeypatch.setattr(initializers.VarianceScaling, "__call__", lambda self, shape, dtype=None: torch.empty(shape))


@pytest.fixture
def quick_weights(monkeypatch):
    """Random kernels from a plain small normal (cheap), for tests that run a model."""

    def draw(self, shape, dtype=None):
        return torch.empty(shape).normal_(0.0, 0.05)

    monkeypatch.setattr(initializers.VarianceScaling, "__call__", draw)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("KERASLITE_OFFLINE", "1")
    monkeypatch.delenv("KERASLITE_TRUST_CACHE", raising=False)
    monkeypatch.setattr(imagenet_utils, "_CLASS_INDEX", None)
    return tmp_path


# Keras 3.15.1, `count_params()` / trainable parameters / `len(model.layers)` of each
# constructor with `weights=None` and its default top (measured once with real Keras).
KERAS_SIZES = {
    "DenseNet121": (8_062_504, 7_978_856, 429),
    "DenseNet169": (14_307_880, 14_149_480, 597),
    "DenseNet201": (20_242_984, 20_013_928, 709),
    "EfficientNetB0": (5_330_571, 5_288_548, 240),
    "EfficientNetB1": (7_856_239, 7_794_184, 342),
    "EfficientNetB2": (9_177_569, 9_109_994, 342),
    "EfficientNetB3": (12_320_535, 12_233_232, 387),
    "EfficientNetB4": (19_466_823, 19_341_616, 477),
    "EfficientNetB5": (30_562_527, 30_389_784, 579),
    "EfficientNetB6": (43_265_143, 43_040_704, 669),
    "EfficientNetB7": (66_658_687, 66_347_960, 816),
    "EfficientNetV2B0": (7_200_312, 7_139_704, 273),
    "EfficientNetV2B1": (8_212_124, 8_141_052, 337),
    "EfficientNetV2B2": (10_178_374, 10_096_086, 352),
    "EfficientNetV2B3": (14_467_622, 14_358_406, 412),
    "EfficientNetV2S": (21_612_360, 21_458_488, 516),
    "EfficientNetV2M": (54_431_388, 54_139_356, 743),
    "EfficientNetV2L": (119_027_848, 118_515_272, 1031),
    "ConvNeXtTiny": (28_589_128, 28_589_128, 135),
    "ConvNeXtSmall": (50_223_688, 50_223_688, 261),
    "ConvNeXtBase": (88_591_464, 88_591_464, 261),
    "ConvNeXtLarge": (197_767_336, 197_767_336, 261),
    "ConvNeXtXLarge": (350_196_968, 350_196_968, 261),
}
MODEL_NAMES = {
    "EfficientNetV2S": "efficientnetv2-s",
    "EfficientNetV2M": "efficientnetv2-m",
    "EfficientNetV2L": "efficientnetv2-l",
}


def _default_name(constructor: str) -> str:
    if constructor in MODEL_NAMES:
        return MODEL_NAMES[constructor]
    if constructor.startswith("EfficientNetV2"):
        return "efficientnetv2-" + constructor[-2:].lower()
    if constructor.startswith("ConvNeXt"):
        return "convnext_" + constructor[len("ConvNeXt") :].lower()
    return constructor.lower()


def test_every_member_has_keras_size_and_name(unset_weights):
    for constructor, (params, trainable, layer_count) in KERAS_SIZES.items():
        keras.backend.clear_session()
        model = getattr(keras.applications, constructor)(weights=None)
        assert model.name == _default_name(constructor), constructor
        assert model.count_params() == params, constructor
        assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == trainable, constructor
        # keraslite also lists ConvNeXt's residual `+` op nodes among the layers (as tf.keras 2).
        layers = [layer for layer in model.layers if type(layer).__name__ != "OpLayer"]
        assert len(layers) == layer_count, constructor
        assert model.output.shape == (None, 1000)


def test_signatures_follow_keras():
    common = ["include_top", "weights", "input_tensor", "input_shape", "pooling", "classes", "classifier_activation"]
    assert list(inspect.signature(densenet.DenseNet121).parameters) == common + ["name"]
    assert list(inspect.signature(efficientnet.EfficientNetB4).parameters) == common + ["name"]
    assert list(inspect.signature(efficientnet_v2.EfficientNetV2L).parameters) == common + [
        "include_preprocessing",
        "name",
    ]
    assert list(inspect.signature(convnext.ConvNeXtBase).parameters) == [
        "include_top",
        "include_preprocessing",
        "weights",
    ] + common[2:] + ["name"]
    builder = inspect.signature(efficientnet.EfficientNet).parameters
    assert builder["drop_connect_rate"].default == 0.2 and builder["depth_divisor"].default == 8
    assert inspect.signature(efficientnet_v2.EfficientNetV2S).parameters["name"].default == "efficientnetv2-s"
    assert inspect.signature(convnext.ConvNeXtXLarge).parameters["weights"].default == "imagenet"


def test_top_level_names_are_the_module_functions():
    assert keras.applications.ConvNeXtTiny is keras.applications.convnext.ConvNeXtTiny
    assert keras.applications.DenseNet201 is keras.applications.densenet.DenseNet201
    assert keras.applications.EfficientNetB7 is keras.applications.efficientnet.EfficientNetB7
    assert keras.applications.EfficientNetV2M is keras.applications.efficientnet_v2.EfficientNetV2M


def test_argument_errors(unset_weights, tmp_path):
    for constructor in ("DenseNet121", "EfficientNetB0", "EfficientNetV2B0", "ConvNeXtTiny"):
        build = getattr(keras.applications, constructor)
        with pytest.raises(ValueError, match="`weights` argument should be either"):
            build(weights=str(tmp_path / "missing.h5"))
        with pytest.raises(ValueError, match="`classes` should be 1000"):
            build(weights="imagenet", classes=10)
        with pytest.raises(ValueError, match="static `input_shape`"):
            build(weights=None, input_shape=(None, None, 3))
        with pytest.raises(ValueError, match="at least 32x32"):
            build(weights=None, include_top=False, input_shape=(16, 16, 3))
        with pytest.raises(ValueError, match="classifier_activation"):
            build(weights=str(_empty_file(tmp_path)), classifier_activation="relu")
    with pytest.raises(ValueError, match=r"`input_shape` should be \(240, 240, 3\)"):
        keras.applications.EfficientNetB1(weights="imagenet", input_shape=(224, 224, 3))
    with pytest.raises(ValueError, match='Model name "mine" does not match weights variant "convnext_tiny"'):
        keras.applications.ConvNeXtTiny(weights="imagenet", name="mine", include_top=False, input_shape=(32, 32, 3))


def _empty_file(tmp_path):
    path = tmp_path / "any.h5"
    path.write_bytes(b"")
    return path


def test_densenet_and_convnext_refuse_channels_first(unset_weights):
    keras.config.set_image_data_format("channels_first")
    try:
        with pytest.raises(ValueError, match="DenseNet does not support the `channels_first`"):
            keras.applications.DenseNet121(weights=None)
        with pytest.raises(ValueError, match="ConvNeXt does not support the `channels_first`"):
            keras.applications.ConvNeXtTiny(weights=None)
        # EfficientNet builds channels-first.
        model = keras.applications.EfficientNetV2B0(weights=None, include_top=False, input_shape=(3, 32, 32))
        assert model.output.shape == (None, 1280, 1, 1)
    finally:
        keras.config.set_image_data_format("channels_last")


@pytest.mark.parametrize(
    "constructor,fname,url",
    [
        (
            "DenseNet169",
            "densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
            "densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5",
        ),
        ("EfficientNetB2", "efficientnetb2_notop.h5", "https://storage.googleapis.com/keras-applications/"),
        (
            "EfficientNetV2S",
            "efficientnetv2-s_notop.h5",
            "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/",
        ),
        (
            "ConvNeXtBase",
            "convnext_base_notop.h5",
            "https://storage.googleapis.com/tensorflow/keras-applications/convnext/",
        ),
    ],
)
def test_imagenet_offline_names_the_published_file(constructor, fname, url, home, unset_weights):
    with pytest.raises(DownloadError) as info:
        getattr(keras.applications, constructor)(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    assert os.path.join(str(home), "models", fname) in str(info.value)
    assert (url if url.endswith(".h5") else url + fname) in str(info.value)


def test_efficientnet_imagenet_weights_from_the_cache(home, monkeypatch, quick_weights):
    # Keras's file holds the ImageNet statistics in the Normalization layer; with
    # weights="imagenet" a Rescaling by 1/sqrt(std) follows it.
    source = keras.applications.EfficientNetB0(weights=None, include_top=False, input_shape=(32, 32, 3))
    normalization = source.get_layer("normalization")
    normalization.set_weights([np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225]) ** 2, np.array(1)])
    (home / "models").mkdir()
    save_legacy_h5_weights(source, str(home / "models" / "efficientnetb0_notop.h5"))
    monkeypatch.setenv("KERASLITE_TRUST_CACHE", "1")
    keras.backend.clear_session()
    model = keras.applications.EfficientNetB0(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    assert [layer.name for layer in model.layers[1:5]] == ["rescaling", "normalization", "rescaling_1", "stem_conv_pad"]
    for ours, theirs in zip(model.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    x = np.random.default_rng(0).uniform(0, 255, (1, 32, 32, 3)).astype("float32")
    probe = keras.Model(model.input, model.get_layer("rescaling_1").output)
    std = np.array([0.229, 0.224, 0.225])
    expected = (x / 255 - [0.485, 0.456, 0.406]) / std / np.sqrt(std)
    np.testing.assert_allclose(probe(x).detach().numpy(), expected, rtol=1e-4, atol=1e-4)


def test_efficientnet_v2_preprocessing_variants(unset_weights):
    b0 = keras.applications.EfficientNetV2B0(weights=None, include_top=False, input_shape=(32, 32, 3))
    assert [type(layer).__name__ for layer in b0.layers[1:4]] == ["Rescaling", "Normalization", "Conv2D"]
    assert b0.layers[2].count_params() == 0  # mean and variance given, not adapted
    keras.backend.clear_session()
    s = keras.applications.EfficientNetV2S(weights=None, include_top=False, input_shape=(32, 32, 3))
    rescaling = s.layers[1]
    assert (rescaling.scale, rescaling.offset) == (1.0 / 128.0, -1)
    assert type(s.layers[2]).__name__ == "Conv2D"
    keras.backend.clear_session()
    bare = keras.applications.EfficientNetV2B2(
        weights=None, include_top=False, input_shape=(32, 32, 3), include_preprocessing=False
    )
    assert bare.layers[1].name == "stem_conv"
    # Four channels: the B variants fall back to the [-1, 1] scaling.
    keras.backend.clear_session()
    with pytest.warns(UserWarning, match="4 input channels"):
        four = keras.applications.EfficientNetV2B0(weights=None, include_top=False, input_shape=(32, 32, 4))
    assert [type(layer).__name__ for layer in four.layers[1:3]] == ["Rescaling", "Conv2D"]


def test_convnext_structure(unset_weights):
    model = keras.applications.ConvNeXtTiny(weights=None, include_top=False, input_shape=(64, 64, 3), pooling="max")
    names = [layer.name for layer in model.layers]
    assert names[1] == "convnext_tiny_prestem_normalization" and names[2] == "convnext_tiny_stem"
    assert type(model.get_layer("convnext_tiny_stem")).__name__ == "Sequential"
    assert type(model.get_layer("convnext_tiny_stage_2_block_8_layer_scale")).__name__ == "LayerScale"
    assert names[-2:] == ["global_max_pooling2d", "layer_normalization"]
    assert model.output.shape == (None, 768)
    keras.backend.clear_session()
    bare = keras.applications.ConvNeXtTiny(
        weights=None, include_top=False, include_preprocessing=False, input_shape=(32, 32, 3)
    )
    assert bare.layers[1].name == "convnext_tiny_stem" and bare.output.shape == (None, 1, 1, 768)
    # The config names LayerScale's module as Keras does, and rebuilds the same model.
    rebuilt = keras.models.model_from_json(bare.to_json())
    assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in bare.layers]
    assert type(rebuilt.get_layer("convnext_tiny_stage_3_block_2_layer_scale")) is convnext.LayerScale
    assert rebuilt.count_params() == bare.count_params()


def test_efficientnet_runs_and_trains(quick_weights):
    # Training mode runs the drop-connect dropouts (noise_shape (None, 1, 1, 1): whole
    # samples kept or dropped) and the top dropout.
    x = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    model = keras.applications.EfficientNetB0(
        weights=None, input_shape=(32, 32, 3), classes=2, classifier_activation=None
    )
    assert model.get_layer("block2b_drop").noise_shape == (None, 1, 1, 1)
    assert model.get_layer("block2b_drop").rate == pytest.approx(0.2 * 2 / 16)
    assert "block1a_drop" not in [layer.name for layer in model.layers]
    out = model(x)
    assert tuple(out.shape) == (2, 2) and torch.isfinite(out).all()
    assert torch.isfinite(model(x, training=True)).all()
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    before = model.get_layer("block1a_project_conv").get_weights()[0].copy()
    model.fit(x, np.array([0, 1]), epochs=1, verbose=0)
    assert not np.array_equal(before, model.get_layer("block1a_project_conv").get_weights()[0])


def test_input_tensor_from_a_preceding_layer(quick_weights):
    inputs = keras.Input(shape=(32, 32, 3), name="raw")
    adapted = keras.layers.Conv2D(3, 1, name="adapter")(inputs)
    model = keras.applications.DenseNet121(weights=None, include_top=False, input_tensor=adapted, pooling="avg")
    assert model.inputs[0] is inputs and model.layers[1].name == "adapter"
    keras.backend.clear_session()
    inputs = keras.Input(shape=(32, 32, 3), name="raw")
    adapted = keras.layers.Conv2D(3, 1, name="adapter")(inputs)
    model = keras.applications.ConvNeXtTiny(weights=None, include_top=False, input_tensor=adapted)
    assert model.inputs[0] is inputs and model.layers[1].name == "adapter"
    assert tuple(model(np.zeros((1, 32, 32, 3), "float32")).shape) == (1, 1, 1, 768)


def test_preprocess_input():
    x = np.array([[[[10.0, 20.0, 30.0]]]])
    np.testing.assert_allclose(
        keras.applications.densenet.preprocess_input(x.copy())[0, 0, 0],
        (x[0, 0, 0] / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225],
        rtol=1e-6,
    )
    for module in (convnext, efficientnet, efficientnet_v2):
        assert module.preprocess_input(x) is x
        assert module.preprocess_input(x, data_format="channels_first") is x


def test_decode_predictions_uses_the_imagenet_index(home, monkeypatch):
    import json

    (home / "models").mkdir()
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    (home / "models" / "imagenet_class_index.json").write_text(json.dumps(index))
    monkeypatch.setenv("KERASLITE_TRUST_CACHE", "1")
    preds = np.zeros((1, 1000), "float32")
    preds[0, [3, 4]] = [0.25, 0.75]
    for module in (convnext, densenet, efficientnet, efficientnet_v2):
        assert [label for _, label, _ in module.decode_predictions(preds, top=2)[0]] == ["class_4", "class_3"]


def test_layer_scale_matches_keras(keras_oracle):
    run_layer_test(
        convnext.LayerScale,
        init_kwargs=dict(init_values=0.5, projection_dim=4),
        input_shape=(2, 3, 3, 4),
        expected_output_shape=(2, 3, 3, 4),
        expected_num_trainable_weights=1,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        keras_class_path="keras.src.applications.convnext.LayerScale",
        compare_config_keys=True,
    )


def test_stochastic_depth_drops_whole_samples():
    layer = convnext.StochasticDepth(0.5)
    x = torch.ones(64, 2, 2, 3)
    assert layer(x) is x or torch.equal(layer(x), x)
    torch.manual_seed(0)
    y = layer(x, training=True)
    per_sample = y.reshape(64, -1)
    # Each sample is dropped whole (all zeros) or kept and scaled by 1 / keep_prob.
    assert all(set(row.tolist()) <= {0.0} or set(row.tolist()) == {2.0} for row in per_sample)
    assert 0 < int((per_sample[:, 0] == 0).sum()) < 64
    assert layer.get_config()["drop_path_rate"] == 0.5
    assert math.isclose(convnext.StochasticDepth.from_config(layer.get_config()).drop_path_rate, 0.5)
