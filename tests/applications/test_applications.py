"""keras.applications: architectures, weights=None/path/'imagenet', preprocess_input, decode_predictions."""

import json
import os

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite.applications import imagenet_utils
from keraslite.applications.weights import save_legacy_h5_weights
from keraslite.utils.file_utils import DownloadError


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("KERASLITE_OFFLINE", "1")
    monkeypatch.delenv("KERASLITE_TRUST_CACHE", raising=False)
    monkeypatch.setattr(imagenet_utils, "_CLASS_INDEX", None)
    return tmp_path


def test_vgg_parameter_counts_and_names():
    # Keras's published figures: VGG16 138,357,544 with top; 14,714,688 without.
    model = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    assert model.name == "vgg16" and model.count_params() == 14_714_688
    assert [layer.name for layer in model.layers][1:4] == ["block1_conv1", "block1_conv2", "block1_pool"]
    assert model.output.shape == (None, 1, 1, 512)
    model = keras.applications.VGG19(weights=None, include_top=False, pooling="max")
    assert model.count_params() == 20_024_384 and model.output.shape == (None, 512)
    assert model.input.shape == (None, None, None, 3)
    model = keras.applications.VGG16(weights=None, classes=10, input_shape=(32, 32, 3), classifier_activation=None)
    assert model.layers[-1].name == "predictions" and model.output.shape == (None, 10)
    assert model.count_params() == 14_714_688 + 512 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 10 + 10


def test_resnet50_structure():
    model = keras.applications.ResNet50(weights=None, include_top=False, input_shape=(32, 32, 3), pooling="avg")
    assert model.count_params() == 23_587_712 and model.output.shape == (None, 2048)
    names = [layer.name for layer in model.layers]
    assert names[:3] == ["input_layer", "conv1_pad", "conv1_conv"] and names[-1] == "avg_pool"
    assert "conv4_block6_out" in names and "conv5_block3_add" in names


def test_argument_errors():
    with pytest.raises(ValueError, match="`weights` argument"):
        keras.applications.VGG16(weights="no/such/file.h5")
    with pytest.raises(ValueError, match="`classes` should be 1000"):
        keras.applications.VGG16(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="static `input_shape`"):
        keras.applications.VGG16(weights=None, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="at least 32x32"):
        keras.applications.VGG16(weights=None, include_top=False, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match=r"`input_shape` should be \(224, 224, 3\)"):
        keras.applications.VGG16(weights="imagenet", input_shape=(64, 64, 3))
    with pytest.raises(ValueError, match="classifier_activation"):
        imagenet_utils.validate_activation("relu", "imagenet")


def test_weights_from_path_and_from_the_imagenet_cache(home, tmp_path, monkeypatch):
    source = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    path = tmp_path / "weights.h5"
    save_legacy_h5_weights(source, str(path))
    x = np.random.default_rng(0).uniform(0, 255, (1, 32, 32, 3)).astype("float32")
    expected = source(x).detach().numpy()
    loaded = keras.applications.VGG16(weights=str(path), include_top=False, input_shape=(32, 32, 3))
    np.testing.assert_array_equal(loaded(x).detach().numpy(), expected)
    # 'imagenet' offline without the file: the error names the file and where it goes.
    with pytest.raises(DownloadError) as info:
        keras.applications.VGG16(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    target = os.path.join(str(home), "models", "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")
    assert target in str(info.value)
    assert (
        "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
        in str(info.value)
    )
    # The same file placed in the cache (its hash differs from the published one: trusted explicitly).
    os.replace(path, target)
    monkeypatch.setenv("KERASLITE_TRUST_CACHE", "1")
    cached = keras.applications.VGG16(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    np.testing.assert_array_equal(cached(x).detach().numpy(), expected)


def test_feature_extraction_model_as_in_the_guide(tmp_path):
    # The seed: VGG19 features as a functional model over `layer.output` of every layer.
    vgg19 = keras.applications.VGG19(weights=None, include_top=False, input_shape=(32, 32, 3))
    features_list = [layer.output for layer in vgg19.layers]
    feat_extraction_model = keras.Model(inputs=vgg19.input, outputs=features_list)
    features = feat_extraction_model(np.random.random((1, 32, 32, 3)).astype("float32"))
    assert len(features) == len(vgg19.layers) and tuple(features[-1].shape) == (1, 1, 1, 512)


def test_mismatched_weights_file_leaves_the_model_unchanged(tmp_path):
    small = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    path = tmp_path / "w.h5"
    save_legacy_h5_weights(small, str(path))
    other = keras.applications.ResNet50(weights=None, include_top=False, input_shape=(32, 32, 3))
    before = [w.copy() for w in other.get_weights()[:2]]
    from keraslite.applications.weights import load_legacy_h5_weights

    with pytest.raises(ValueError, match="Layer count mismatch"):
        load_legacy_h5_weights(other, str(path))
    np.testing.assert_array_equal(other.get_weights()[0], before[0])


def test_preprocess_input_modes():
    x = np.array([[[[10.0, 20.0, 30.0]]]])
    caffe = keras.applications.vgg16.preprocess_input(x.copy())
    np.testing.assert_allclose(caffe[0, 0, 0], [30 - 103.939, 20 - 116.779, 10 - 123.68])
    tf_mode = imagenet_utils.preprocess_input(x.copy(), mode="tf")
    np.testing.assert_allclose(tf_mode, x / 127.5 - 1)
    torch_mode = imagenet_utils.preprocess_input(x.copy(), mode="torch")
    np.testing.assert_allclose(torch_mode[0, 0, 0], (x[0, 0, 0] / 255 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225])
    first = imagenet_utils.preprocess_input(x.transpose(0, 3, 1, 2).copy(), data_format="channels_first")
    np.testing.assert_allclose(first[0, :, 0, 0], caffe[0, 0, 0])
    t = keras.applications.resnet50.preprocess_input(torch.tensor(x, dtype=torch.float32))
    np.testing.assert_allclose(t.numpy(), caffe, rtol=1e-5)
    assert imagenet_utils.preprocess_input(np.zeros((2, 2, 3), "uint8")).dtype == np.float32
    with pytest.raises(ValueError, match="mode"):
        imagenet_utils.preprocess_input(x, mode="pytorch")


def test_decode_predictions_with_a_cached_class_index(home, monkeypatch):
    (home / "models").mkdir()
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    (home / "models" / "imagenet_class_index.json").write_text(json.dumps(index))
    monkeypatch.setenv("KERASLITE_TRUST_CACHE", "1")
    preds = np.zeros((2, 1000), "float32")
    preds[0, [5, 7, 9]] = [0.2, 0.5, 0.3]
    preds[1, 999] = 1.0
    decoded = keras.applications.vgg19.decode_predictions(preds, top=2)
    assert [(name, label) for name, label, _ in decoded[0]] == [("n00000007", "class_7"), ("n00000009", "class_9")]
    assert decoded[1][0][:2] == ("n00000999", "class_999") and decoded[1][0][2] == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"\(samples, 1000\)"):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))


def test_decode_predictions_offline_names_the_class_index(home):
    with pytest.raises(DownloadError, match="imagenet_class_index.json"):
        imagenet_utils.decode_predictions(np.zeros((1, 1000)))


def test_mobilenet_v2_structure_and_arguments():
    model = keras.applications.MobileNetV2(weights=None, input_shape=(96, 96, 3), classes=5)
    assert model.name == "mobilenetv2_1.00_96" and model.output.shape == (None, 5)
    # Keras's figure for 1000 classes is 3,538,984; 5 classes drop 995 * 1281 parameters.
    assert model.count_params() == 3_538_984 - 995 * 1281
    names = [layer.name for layer in model.layers]
    assert "expanded_conv_depthwise" in names and "block_16_project_BN" in names and "block_2_add" in names
    assert type(model.get_layer("block_1_pad")).__name__ == "ZeroPadding2D"
    small = keras.applications.MobileNetV2(
        weights=None, include_top=False, alpha=0.35, input_shape=(32, 32, 3), pooling="avg"
    )
    assert small.output.shape == (None, 1280) and small.name == "mobilenetv2_0.35_32"
    with pytest.raises(ValueError, match="alpha must be one of"):
        keras.applications.MobileNetV2(weights="imagenet", alpha=0.6)
    x = np.full((1, 2, 2, 3), 255.0)
    np.testing.assert_allclose(keras.applications.mobilenet_v2.preprocess_input(x), np.ones((1, 2, 2, 3)))


def test_mobilenet_v2_imagenet_offline_names_the_file(home):
    with pytest.warns(UserWarning, match="input_shape"):
        with pytest.raises(DownloadError, match="mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"):
            keras.applications.MobileNetV2(weights="imagenet", include_top=False)


def test_classic_classification_tutorial_with_cached_files(home, tmp_path, monkeypatch):
    """load_img -> img_to_array -> preprocess_input -> predict -> decode_predictions, with
    'imagenet' weights and the class index taken from the cache (files made here)."""
    monkeypatch.setenv("KERASLITE_TRUST_CACHE", "1")
    (home / "models").mkdir()
    reference = keras.applications.MobileNetV2(weights=None)
    save_legacy_h5_weights(
        reference, str(home / "models" / "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5")
    )
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    (home / "models" / "imagenet_class_index.json").write_text(json.dumps(index))
    keras.utils.save_img(str(tmp_path / "cat.jpg"), np.random.default_rng(1).uniform(0, 255, (300, 260, 3)))

    from keraslite.applications.mobilenet_v2 import MobileNetV2, decode_predictions, preprocess_input
    from keraslite.preprocessing import image

    model = MobileNetV2(weights="imagenet")
    img = image.load_img(str(tmp_path / "cat.jpg"), target_size=(224, 224))
    x = image.img_to_array(img)
    x = np.expand_dims(x, axis=0)
    x = preprocess_input(x)
    preds = model.predict(x, verbose=0)
    top = decode_predictions(preds, top=3)[0]
    assert len(top) == 3 and top[0][1].startswith("class_") and top[0][2] >= top[1][2] >= top[2][2]
    np.testing.assert_allclose(preds, reference.predict(x, verbose=0), rtol=1e-5, atol=1e-7)


def test_input_tensor_from_a_preceding_layer():
    inputs = keras.Input(shape=(32, 32, 3), name="raw")
    scaled = keras.layers.Conv2D(3, 1, name="adapter")(inputs)
    model = keras.applications.VGG16(weights=None, include_top=False, input_tensor=scaled)
    assert model.inputs[0] is inputs and model.layers[1].name == "adapter"
    assert model.count_params() == 14_714_688 + 12
    with pytest.raises(TypeError, match="input_tensor"):
        keras.applications.VGG16(weights=None, include_top=False, input_tensor=np.zeros((1, 32, 32, 3)))


def test_preprocess_input_inside_a_functional_model():
    # The transfer-learning tutorial pattern: preprocessing as part of the model.
    inputs = keras.Input(shape=(32, 32, 3))
    x = keras.applications.mobilenet_v2.preprocess_input(inputs)
    base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3))
    outputs = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling2D()(base(x)))
    model = keras.Model(inputs, outputs)
    images = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    y = model(images)
    direct = model.layers[-1](model.layers[-2](base(torch.tensor(images / 127.5 - 1.0))))
    np.testing.assert_allclose(y.detach().numpy(), direct.detach().numpy(), rtol=1e-5, atol=1e-6)
    caffe = keras.Model(inputs, keras.applications.vgg16.preprocess_input(inputs))(images).detach().numpy()
    np.testing.assert_allclose(caffe, keras.applications.vgg16.preprocess_input(images.copy()), rtol=1e-5, atol=1e-4)


def test_keras3_weights_file_goes_through_model_load_weights(tmp_path):
    source = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3))
    source.save_weights(str(tmp_path / "mobilenet.weights.h5"))
    loaded = keras.applications.MobileNetV2(
        weights=str(tmp_path / "mobilenet.weights.h5"), include_top=False, input_shape=(32, 32, 3)
    )
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
