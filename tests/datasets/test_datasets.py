"""keras.datasets.*.load_data() on small files in the real formats (no network)."""

import os
import pickle

import numpy as np
import pytest

import keraslite as keras
from keraslite.datasets import fixtures
from keraslite.datasets._safe_pickle import load_pickle
from keraslite.utils.file_utils import DownloadError


@pytest.fixture
def cache(tmp_path, monkeypatch):
    home = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.setenv("KERASLITE_OFFLINE", "1")
    monkeypatch.setenv("KERASLITE_TRUST_CACHE", "1")
    written = fixtures.write_all(str(home))
    return home, written


def test_mnist_and_fashion_mnist(cache):
    _, written = cache
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    assert x_train.shape == (12, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (12,) and y_train.dtype == np.uint8
    np.testing.assert_array_equal(x_test, written["mnist"]["x_test"])
    np.testing.assert_array_equal(y_test, written["mnist"]["y_test"])
    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    assert x_train.shape == (6, 28, 28) and x_test.shape == (4, 28, 28) and y_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, written["fashion_mnist"]["train"][0])
    np.testing.assert_array_equal(y_test, written["fashion_mnist"]["t10k"][1])


def test_cifar10_extracts_once_and_is_channels_last(cache):
    home, written = cache
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    assert x_train.shape == (15, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (15, 1) and y_train.dtype == np.uint8
    assert x_test.shape == (4, 32, 32, 3) and y_test.shape == (4, 1) and y_test.dtype == np.uint8
    data, labels = written["cifar10"]["data_batch_2"]
    np.testing.assert_array_equal(x_train[3:6], data.reshape(3, 3, 32, 32).transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_train[3:6, 0], labels)
    assert os.path.isdir(home / "datasets" / "cifar-10-batches-py-target" / "cifar-10-batches-py")
    # Second load: no re-extraction needed, even without the archive.
    os.remove(home / "datasets" / "cifar-10-batches-py-target_archive")
    (x_again, _), _ = keras.datasets.cifar10.load_data()
    np.testing.assert_array_equal(x_again, x_train)
    keras.backend.set_image_data_format("channels_first")
    try:
        (x_first, _), _ = keras.datasets.cifar10.load_data()
        assert x_first.shape == (15, 3, 32, 32)
    finally:
        keras.backend.set_image_data_format("channels_last")


def test_cifar100_label_modes(cache):
    _, written = cache
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar100.load_data()
    assert x_train.shape == (5, 32, 32, 3) and y_train.shape == (5, 1) and x_test.shape == (3, 32, 32, 3)
    np.testing.assert_array_equal(y_train[:, 0], written["cifar100"]["train"][1])
    (_, y_coarse), _ = keras.datasets.cifar100.load_data(label_mode="coarse")
    np.testing.assert_array_equal(y_coarse[:, 0], written["cifar100"]["train"][2])
    with pytest.raises(ValueError, match="label_mode"):
        keras.datasets.cifar100.load_data(label_mode="medium")


def test_imdb_reuters_boston(cache):
    (x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data()
    assert x_train.dtype == object and x_train.shape == (8,) and x_test.shape == (6,)
    # start_char 1, words shifted by index_from=3 (the largest index becomes oov 2, as in Keras)
    assert all(seq[0] == 1 and all(w == 2 or w >= 4 for w in seq[1:]) for seq in x_train)
    (x_small, _), _ = keras.datasets.imdb.load_data(num_words=10)
    assert max(max(seq) for seq in x_small) < 10 and any(2 in seq for seq in x_small)
    (x_short, _), _ = keras.datasets.imdb.load_data(maxlen=8)
    assert all(len(seq) < 8 for seq in x_short)
    (x_train, y_train), (x_test, y_test) = keras.datasets.reuters.load_data()
    assert len(x_train) == 8 and len(x_test) == 2 and x_train.dtype == object
    assert len(keras.datasets.reuters.get_label_names()) == 46
    (x_train, y_train), (x_test, y_test) = keras.datasets.boston_housing.load_data()
    assert x_train.shape == (16, 13) and y_train.shape == (16,) and x_test.shape == (4, 13)
    with pytest.raises(ValueError, match="test_split"):
        keras.datasets.boston_housing.load_data(test_split=1.0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.california_housing.load_data(test_split=0.1)
    assert x_train.shape == (27, 8) and y_test.shape == (3,) and x_train.dtype == np.float32
    with pytest.raises(ValueError, match="version"):
        keras.datasets.california_housing.load_data(version="medium")


def test_offline_without_cache_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("KERASLITE_OFFLINE", "1")
    with pytest.raises(DownloadError) as info:
        keras.datasets.mnist.load_data()
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz" in str(info.value)
    assert os.path.join(str(tmp_path), "datasets", "mnist.npz") in str(info.value)
    with pytest.raises(DownloadError, match="cifar-10-batches-py-target_archive"):
        keras.datasets.cifar10.load_data()


def test_legacy_tf_keras_cifar_folder_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("KERASLITE_OFFLINE", "1")
    legacy = tmp_path / "datasets" / "cifar-10-batches-py"
    legacy.mkdir(parents=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        payload = {b"data": np.full((2, 3072), 7, np.uint8), b"labels": [1, 2]}
        (legacy / name).write_bytes(pickle.dumps(payload, protocol=2))
    (x_train, y_train), _ = keras.datasets.cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and int(x_train.max()) == 7


def test_restricted_unpickler_refuses_code(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    path = tmp_path / "batch"
    path.write_bytes(pickle.dumps({b"data": Evil()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        load_pickle(str(path))


def test_full_size_fixture_has_keras_sample_counts(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("KERASLITE_OFFLINE", "1")
    monkeypatch.setenv("KERASLITE_TRUST_CACHE", "1")
    (tmp_path / "datasets").mkdir()
    fixtures.write_mnist(str(tmp_path / "datasets"), *fixtures.FULL_SIZES["mnist"])
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    x_train.reshape(60000, 784)  # the seed guide's line
    # Learnable: images of one class are near copies of each other.
    same = x_train[y_train == y_train[0]][:2].astype(int)
    assert (same[0] == same[1]).mean() > 0.95
    with pytest.raises(ValueError, match="full_size"):
        fixtures.write_all(str(tmp_path), full_size=("imagenet",))
