"""Small files in the real formats of the Keras datasets, for tests and offline examples.

`write_all(keras_home)` fills `<keras_home>/datasets` with small MNIST, Fashion-MNIST,
CIFAR-10/100, IMDB, Reuters, Boston and California Housing files laid out exactly where
`keras.datasets.*.load_data()` looks for them. Their hashes differ from the published
files, so callers set `KERASLITE_TRUST_CACHE=1` (and `KERASLITE_OFFLINE=1` to be sure
nothing is downloaded).

Images are learnable and compress well: each class has a fixed random template and an
image is its class's template with about 1% of its pixels replaced by noise, so a model
trained on them reaches high accuracy. `write_all(..., full_size=("mnist", "cifar10"))`
writes those datasets with Keras's real sample counts (code such as
`x_train.reshape(60000, 784)` then runs unchanged).
"""

from __future__ import annotations

import gzip
import io
import os
import pickle
import struct
import tarfile

import numpy as np

FULL_SIZES = {
    "mnist": (60000, 10000),
    "fashion_mnist": (60000, 10000),
    "cifar10": (10000, 10000),
    "cifar100": (50000, 10000),
}


def _images(rng, labels, shape, classes: int) -> np.ndarray:
    """Class template + ~1% noisy pixels, uint8."""
    # Templates are blocky (4x4 pixels of one value): the files then compress well.
    full = (3, 32, 32) if tuple(shape) == (3072,) else tuple(shape)
    coarse = full[:-2] + (full[-2] // 4, full[-1] // 4)
    templates = rng.integers(0, 256, (classes,) + coarse, dtype=np.uint8).repeat(4, axis=-1).repeat(4, axis=-2)
    images = templates.reshape((classes,) + tuple(shape))[labels]
    noisy = rng.random(images.shape) < 0.01
    images[noisy] = rng.integers(0, 256, int(noisy.sum()), dtype=np.uint8)
    return images


def write_mnist(datasets_dir: str, n_train: int = 12, n_test: int = 5, seed: int = 0, name: str = "mnist.npz") -> dict:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n_train + n_test, dtype=np.uint8)
    images = _images(rng, labels, (28, 28), 10)
    arrays = {
        "x_train": images[:n_train],
        "y_train": labels[:n_train],
        "x_test": images[n_train:],
        "y_test": labels[n_train:],
    }
    np.savez_compressed(os.path.join(datasets_dir, name), **arrays)
    return arrays


def write_fashion_mnist(datasets_dir: str, n_train: int = 6, n_test: int = 4, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    folder = os.path.join(datasets_dir, "fashion-mnist")
    os.makedirs(folder, exist_ok=True)
    arrays = {}
    for prefix, count in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, count, dtype=np.uint8)
        images = _images(np.random.default_rng(seed), labels, (28, 28), 10)
        # IDX format: magic 0x0801 (labels) / 0x0803 (images), big-endian sizes, raw bytes.
        with gzip.open(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"), "wb") as file:
            file.write(struct.pack(">II", 2049, count) + labels.tobytes())
        with gzip.open(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"), "wb") as file:
            file.write(struct.pack(">IIII", 2051, count, 28, 28) + images.tobytes())
        arrays[prefix] = (images, labels)
    return arrays


def _add_pickle(archive: tarfile.TarFile, name: str, payload: dict) -> None:
    # Protocol 3: the same opcodes as the Python 2 originals for arrays, with real byte strings.
    data = pickle.dumps(payload, protocol=3)
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def write_cifar10(datasets_dir: str, per_batch: int = 3, n_test: int = 4, seed: int = 2) -> dict:
    """The python-version archive (5 train batches + test batch of pickled dicts), as
    Keras 3 caches it: `cifar-10-batches-py-target_archive`."""
    rng = np.random.default_rng(seed)
    batches = {}
    path = os.path.join(datasets_dir, "cifar-10-batches-py-target_archive")
    with tarfile.open(path, "w:gz", compresslevel=1) as archive:
        for name, count in [(f"data_batch_{i}", per_batch) for i in range(1, 6)] + [("test_batch", n_test)]:
            label_array = rng.integers(0, 10, count)
            data = _images(np.random.default_rng(seed), label_array, (3072,), 10)
            labels = [int(v) for v in label_array]
            batches[name] = (data, labels)
            _add_pickle(
                archive,
                f"cifar-10-batches-py/{name}",
                {b"batch_label": name.encode(), b"labels": labels, b"data": data, b"filenames": [b"f.png"] * count},
            )
    return batches


def write_cifar100(datasets_dir: str, n_train: int = 5, n_test: int = 3, seed: int = 3) -> dict:
    rng = np.random.default_rng(seed)
    batches = {}
    path = os.path.join(datasets_dir, "cifar-100-python-target_archive")
    with tarfile.open(path, "w:gz", compresslevel=1) as archive:
        for name, count in (("train", n_train), ("test", n_test)):
            fine_array = rng.integers(0, 100, count)
            data = _images(np.random.default_rng(seed), fine_array, (3072,), 100)
            fine = [int(v) for v in fine_array]
            coarse = [int(v) for v in rng.integers(0, 20, count)]
            batches[name] = (data, fine, coarse)
            _add_pickle(
                archive, f"cifar-100-python/{name}", {b"data": data, b"fine_labels": fine, b"coarse_labels": coarse}
            )
    return batches


def _ragged(rng, count: int, vocabulary: int) -> np.ndarray:
    sequences = np.empty(count, dtype=object)
    sequences[:] = [[int(w) for w in rng.integers(1, vocabulary, rng.integers(2, 9))] for _ in range(count)]
    return sequences


def write_imdb(datasets_dir: str, n_train: int = 8, n_test: int = 6, seed: int = 4) -> dict:
    rng = np.random.default_rng(seed)
    arrays = {
        "x_train": _ragged(rng, n_train, 40),
        "y_train": rng.integers(0, 2, n_train),
        "x_test": _ragged(rng, n_test, 40),
        "y_test": rng.integers(0, 2, n_test),
    }
    np.savez(os.path.join(datasets_dir, "imdb.npz"), **arrays)
    return arrays


def write_reuters(datasets_dir: str, count: int = 10, seed: int = 5) -> dict:
    rng = np.random.default_rng(seed)
    arrays = {"x": _ragged(rng, count, 30), "y": rng.integers(0, 46, count)}
    np.savez(os.path.join(datasets_dir, "reuters.npz"), **arrays)
    return arrays


def write_boston_housing(datasets_dir: str, count: int = 20, seed: int = 6) -> dict:
    rng = np.random.default_rng(seed)
    arrays = {"x": rng.normal(size=(count, 13)), "y": rng.uniform(10, 50, count)}
    np.savez(os.path.join(datasets_dir, "boston_housing.npz"), **arrays)
    return arrays


def write_california_housing(datasets_dir: str, count: int = 30, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    arrays = {"x": rng.normal(size=(count, 8)).astype("float32"), "y": rng.uniform(2e4, 5e5, count).astype("float32")}
    np.savez(os.path.join(datasets_dir, "california_housing.npz"), **arrays)
    return arrays


def write_all(keras_home: str, full_size=()) -> dict:
    """Write every dataset's fixture under `<keras_home>/datasets`; returns what was written.

    `full_size`: names among "mnist", "fashion_mnist", "cifar10", "cifar100" to write with
    Keras's real sample counts (larger files: MNIST ~3 MB, CIFAR-10 ~25 MB, a few seconds).
    """
    unknown = set(full_size) - set(FULL_SIZES)
    if unknown:
        raise ValueError(f"`full_size` names must be among {sorted(FULL_SIZES)}. Received: full_size={full_size}")
    datasets_dir = os.path.join(keras_home, "datasets")
    os.makedirs(datasets_dir, exist_ok=True)
    sizes = {name: FULL_SIZES[name] for name in full_size}
    return {
        "mnist": write_mnist(datasets_dir, *sizes.get("mnist", (12, 5))),
        "fashion_mnist": write_fashion_mnist(datasets_dir, *sizes.get("fashion_mnist", (6, 4))),
        "cifar10": write_cifar10(datasets_dir, *sizes.get("cifar10", (3, 4))),
        "cifar100": write_cifar100(datasets_dir, *sizes.get("cifar100", (5, 3))),
        "imdb": write_imdb(datasets_dir),
        "reuters": write_reuters(datasets_dir),
        "boston_housing": write_boston_housing(datasets_dir),
        "california_housing": write_california_housing(datasets_dir),
    }
