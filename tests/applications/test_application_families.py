"""keras.applications: InceptionV3, InceptionResNetV2, MobileNet, MobileNetV3, NASNet,
ResNetV2, Xception — argument checks, ImageNet weight files, preprocessing, and the
patterns tutorials use. Layer-by-layer parity with Keras is in
compat_tests/test_applications_families_parity.py."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite.applications.inception_resnet_v2 import CustomScaleLayer
from keraslite.utils.file_utils import DownloadError

_MODULES = ["inception_v3", "inception_resnet_v2", "mobilenet", "nasnet", "resnet_v2", "xception"]


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("KERASLITE_OFFLINE", "1")
    monkeypatch.delenv("KERASLITE_TRUST_CACHE", raising=False)
    return tmp_path


@pytest.fixture
def channels_first():
    keras.config.set_image_data_format("channels_first")
    yield
    keras.config.set_image_data_format("channels_last")


def test_namespaces():
    for module in _MODULES + ["mobilenet_v3"]:
        namespace = getattr(keras.applications, module)
        assert callable(namespace.preprocess_input) and callable(namespace.decode_predictions)
    assert keras.applications.InceptionV3 is keras.applications.inception_v3.InceptionV3
    assert keras.applications.NASNetLarge is keras.applications.nasnet.NASNetLarge
    assert keras.applications.ResNet152V2 is keras.applications.resnet_v2.ResNet152V2
    assert keras.applications.MobileNetV3Small is keras.applications.mobilenet_v3.MobileNetV3Small


@pytest.mark.parametrize(
    "constructor, kwargs, message",
    [
        ("InceptionV3", dict(include_top=False, input_shape=(74, 90, 3)), "at least 75x75"),
        ("InceptionResNetV2", dict(include_top=False, input_shape=(90, 74, 3)), "at least 75x75"),
        ("Xception", dict(include_top=False, input_shape=(70, 70, 3)), "at least 71x71"),
        ("ResNet50V2", dict(include_top=False, input_shape=(31, 64, 3)), "at least 32x32"),
        ("MobileNet", dict(include_top=False, input_shape=(16, 16, 3)), "at least 32x32"),
        ("MobileNetV3Small", dict(input_shape=(31, 64, 3)), "at least 32x32"),
        ("NASNetMobile", dict(include_top=False, input_shape=(24, 24, 3)), "at least 32x32"),
        ("InceptionV3", dict(input_shape=(None, None, 3)), "static `input_shape`"),
        ("Xception", dict(weights="imagenet", input_shape=(150, 150, 3)), r"should be \(299, 299, 3\)"),
        ("NASNetLarge", dict(weights="imagenet", input_shape=(224, 224, 3)), r"should be \(331, 331, 3\)"),
        ("ResNet101V2", dict(weights="imagenet", classes=10), "`classes` should be 1000"),
        ("InceptionResNetV2", dict(weights="no/such/weights.h5"), "`weights` argument"),
        ("MobileNet", dict(weights="imagenet", alpha=0.6), "alpha can be one of"),
        ("MobileNet", dict(weights="imagenet", depth_multiplier=2), "depth multiplier must be 1"),
        ("MobileNetV3Large", dict(weights="imagenet", alpha=0.5), "alpha can be one of"),
        ("MobileNetV3Small", dict(weights="imagenet", alpha=0.75, minimalistic=True), "alpha can be one of"),
        ("NASNetMobile", dict(weights="imagenet", include_top=False, input_shape=(None, None, 3)), "must be static"),
    ],
)
def test_argument_errors_come_before_anything_is_built(constructor, kwargs, message):
    kwargs.setdefault("weights", None)
    with pytest.raises(ValueError, match=message):
        getattr(keras.applications, constructor)(**kwargs)


def test_mobilenet_v3_checks_input_tensor_against_input_shape():
    inputs = keras.Input(shape=(64, 64, 3))
    with pytest.raises(ValueError, match=r"input_shape\[1\] must equal input_tensor.shape\[2\]"):
        keras.applications.MobileNetV3Small(weights=None, input_tensor=inputs, input_shape=(64, 48, 3))
    with pytest.raises(ValueError, match="KerasTensor"):
        keras.applications.MobileNetV3Small(weights=None, input_tensor=np.zeros((1, 64, 64, 3)))


def test_nasnet_is_channels_last_only(channels_first):
    with pytest.raises(ValueError, match="channels_first"):
        keras.applications.NASNetMobile(weights=None)


def test_imagenet_weights_offline_name_keras_files(home):
    # The file and its URL are Keras's; the model is built first, as in Keras.
    with pytest.warns(UserWarning, match="rows` is not 224"):
        with pytest.raises(DownloadError) as info:
            keras.applications.MobileNetV3Small(weights="imagenet", include_top=False)
    assert "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5" in str(info.value)
    assert (
        "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
        "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5" in str(info.value)
    )
    with pytest.raises(DownloadError, match="mobilenet_2_5_128_tf_no_top.h5"):
        keras.applications.MobileNet(weights="imagenet", alpha=0.25, include_top=False, input_shape=(128, 128, 3))
    with pytest.raises(DownloadError, match="resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5"):
        keras.applications.ResNet50V2(weights="imagenet", include_top=False, input_shape=(32, 32, 3))


def test_deep_dream_pattern_with_inception_v3(home):
    """The deep_dream tutorial: `inception_v3.InceptionV3(weights=..., include_top=False)`, a
    feature extractor over named `mixed*` layers, gradient ascent on the input image."""
    from keraslite.applications import inception_v3

    with pytest.raises(DownloadError, match="inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"):
        inception_v3.InceptionV3(weights="imagenet", include_top=False)
    model = inception_v3.InceptionV3(weights=None, include_top=False)
    assert model.input.shape == (None, None, None, 3) and model.name == "inception_v3"
    layer_settings = {"mixed4": 1.0, "mixed5": 1.5, "mixed6": 2.0, "mixed7": 2.5}
    outputs_dict = {name: model.get_layer(name).output for name in layer_settings}
    feature_extractor = keras.Model(inputs=model.inputs, outputs=outputs_dict)

    image = inception_v3.preprocess_input(np.random.default_rng(0).uniform(0, 255, (1, 96, 112, 3)))
    assert image.min() >= -1.0 and image.max() <= 1.0
    image = torch.tensor(image, dtype=torch.float32, requires_grad=True)
    features = feature_extractor(image)
    assert set(features) == set(layer_settings) and tuple(features["mixed7"].shape) == (1, 4, 5, 768)
    loss = sum(coeff * torch.mean(features[name] ** 2) for name, coeff in layer_settings.items())
    (grads,) = torch.autograd.grad(loss, image)
    assert grads.shape == image.shape and torch.isfinite(grads).all() and grads.abs().sum() > 0


def test_preprocess_input_modes():
    x = np.array([[[[0.0, 127.5, 255.0]]]], dtype="float32")
    for module in _MODULES:
        np.testing.assert_allclose(getattr(keras.applications, module).preprocess_input(x.copy()), [[[[-1, 0, 1]]]])
    # MobileNetV3 rescales inside the model: its preprocess_input is the identity.
    assert keras.applications.mobilenet_v3.preprocess_input(x) is x
    with pytest.raises(ValueError, match=r"\(samples, 1000\)"):
        keras.applications.xception.decode_predictions(np.zeros((1, 10)))


def test_custom_scale_layer():
    layer = CustomScaleLayer(0.17, name="block35_1")
    a, b = np.ones((2, 3), "float32"), np.full((2, 3), 2.0, "float32")
    np.testing.assert_allclose(layer([a, b]).numpy(), np.full((2, 3), 1.34), rtol=1e-6)
    config = layer.get_config()
    assert config["scale"] == 0.17 and config["name"] == "block35_1"
    assert CustomScaleLayer.from_config(config).scale == 0.17
    x = keras.Input((4, 4, 8))
    assert layer([x, x]).shape == (None, 4, 4, 8)


def test_heavy_members_parameter_counts():
    # Keras 3.15.1, count_params(): ResNet152V2 60,380,648 (top, 1000 classes).
    model = keras.applications.ResNet152V2(weights=None, include_top=False, input_shape=(32, 32, 3))
    assert model.count_params() == 60_380_648 - (2048 * 1000 + 1000)
    names = [layer.name for layer in model.layers]
    assert names[-2:] == ["post_bn", "post_relu"] and "conv4_block36_out" in names
    assert type(model.get_layer("conv3_block8_2_pad")).__name__ == "ZeroPadding2D"


def test_mobilenet_names_and_top():
    model = keras.applications.MobileNet(weights=None, input_shape=(128, 128, 3), alpha=0.5, classes=10)
    assert model.name == "mobilenet_0.50_128" and model.output.shape == (None, 10)
    assert [layer.name for layer in model.layers[-4:]] == ["dropout", "conv_preds", "reshape_2", "predictions"]
    # Without a top and a shape, the rows are unknown, and the name says so (as in Keras).
    headless = keras.applications.MobileNet(weights=None, include_top=False, alpha=0.25)
    assert headless.name == "mobilenet_0.25_None" and headless.output.shape == (None, None, None, 256)


def test_mobilenet_v3_includes_its_preprocessing():
    model = keras.applications.MobileNetV3Small(weights=None, input_shape=(32, 32, 3), classes=4)
    assert type(model.layers[1]).__name__ == "Rescaling" and model.output.shape == (None, 4)
    images = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    raw = keras.applications.MobileNetV3Small(
        weights=None, input_shape=(32, 32, 3), classes=4, include_preprocessing=False
    )
    raw.set_weights(model.get_weights())
    np.testing.assert_allclose(
        model(images).detach().numpy(), raw(images / 127.5 - 1.0).detach().numpy(), rtol=1e-5, atol=1e-6
    )
