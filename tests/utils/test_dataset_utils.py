"""`keras.utils.image_dataset_from_directory`, `text_dataset_from_directory` and
`timeseries_dataset_from_array`: Keras's signatures, file order, labels, splits and batch
shapes, and datasets that a model trains on directly."""

import inspect
import os

import numpy as np
import pytest
import torch
from PIL import Image

import keraslite as keras
from keraslite.utils.dataset import Dataset

UTILITIES = ("image_dataset_from_directory", "text_dataset_from_directory", "timeseries_dataset_from_array")


def write_images(root, counts, size=(12, 18), mode="RGB"):
    """`counts` images per class folder; pixel values encode the class (class i is all 40 * (i + 1))."""
    for class_index, (name, count) in enumerate(counts.items()):
        os.makedirs(root / name, exist_ok=True)
        for i in range(count):
            channels = {"RGB": 3, "RGBA": 4, "L": 1}[mode]
            pixels = np.full((size[0], size[1], channels), 40 * (class_index + 1), dtype="uint8")
            Image.fromarray(pixels[:, :, 0] if mode == "L" else pixels, mode).save(root / name / f"img_{i:02d}.png")
    return str(root)


def write_texts(root, texts_by_class):
    for name, texts in texts_by_class.items():
        os.makedirs(root / name, exist_ok=True)
        for i, text in enumerate(texts):
            (root / name / f"doc_{i:02d}.txt").write_text(text, encoding="utf-8")
    return str(root)


@pytest.mark.parametrize("name", UTILITIES)
def test_signatures_are_keras_and_also_under_preprocessing(name, keras_oracle):
    theirs = keras_oracle.run(
        "import inspect\n"
        f"parameters = inspect.signature(keras.utils.{name}).parameters.values()\n"
        "result['signature'] = repr([(p.name, p.default) for p in parameters])"
    )["signature"]
    ours = inspect.signature(getattr(keras.utils, name)).parameters.values()
    assert repr([(p.name, p.default) for p in ours]) == theirs
    assert getattr(keras.preprocessing, name) is getattr(keras.utils, name)


def test_image_dataset_infers_classes_and_yields_float_batches(tmp_path):
    directory = write_images(tmp_path, {"cats": 3, "dogs": 4})
    dataset = keras.utils.image_dataset_from_directory(directory, image_size=(8, 10), batch_size=4, shuffle=False)
    assert dataset.class_names == ["cats", "dogs"]
    assert dataset.file_paths == sorted(dataset.file_paths)
    assert len(dataset) == 2
    batches = list(dataset)
    images, labels = batches[0]
    assert tuple(images.shape) == (4, 8, 10, 3) and images.dtype == torch.float32
    assert labels.dtype == torch.int32
    all_labels = torch.cat([y for _, y in batches]).tolist()
    assert all_labels == [0, 0, 0, 1, 1, 1, 1]
    # The class is in the pixels: each image arrives with its own label.
    for images, labels in batches:
        assert torch.allclose(images[:, 0, 0, 0], 40.0 * (labels.float() + 1))


@pytest.mark.parametrize(
    "label_mode, shape, dtype", [("categorical", (5, 2), torch.float32), ("binary", (5, 1), torch.float32)]
)
def test_image_label_modes(tmp_path, label_mode, shape, dtype):
    directory = write_images(tmp_path, {"a": 2, "b": 3})
    dataset = keras.utils.image_dataset_from_directory(
        directory, label_mode=label_mode, image_size=(4, 4), batch_size=8, shuffle=False
    )
    _, labels = next(iter(dataset))
    assert tuple(labels.shape) == shape and labels.dtype == dtype
    expected = [[1, 0], [1, 0], [0, 1], [0, 1], [0, 1]] if label_mode == "categorical" else [[0], [0], [1], [1], [1]]
    assert labels.tolist() == expected


def test_image_color_modes_data_format_and_no_labels(tmp_path):
    directory = write_images(tmp_path, {"a": 2, "b": 1})
    gray = keras.utils.image_dataset_from_directory(
        directory, color_mode="grayscale", image_size=(5, 6), labels=None, batch_size=None, shuffle=False
    )
    first = next(iter(gray))
    assert isinstance(first, torch.Tensor) and tuple(first.shape) == (5, 6, 1)
    assert gray.class_names is None
    rgba = keras.utils.image_dataset_from_directory(
        directory, color_mode="rgba", image_size=(5, 6), data_format="channels_first", batch_size=3
    )
    images, _ = next(iter(rgba))
    assert tuple(images.shape) == (3, 4, 5, 6)


def test_image_resize_interpolation_and_crop_to_aspect_ratio(tmp_path):
    os.makedirs(tmp_path / "only")
    # 2x2 checkerboard: nearest upsampling repeats each pixel; a wide image whose centre
    # square is white is all white once cropped to a square before resizing.
    Image.fromarray(np.array([[0, 200], [100, 50]], dtype="uint8"), "L").save(tmp_path / "only" / "a.png")
    nearest = keras.utils.image_dataset_from_directory(
        str(tmp_path), color_mode="grayscale", image_size=(4, 4), interpolation="nearest", batch_size=None
    )
    image, _ = next(iter(nearest))
    np.testing.assert_array_equal(
        image[:, :, 0].numpy(), np.array([[0, 0, 200, 200], [0, 0, 200, 200], [100, 100, 50, 50], [100, 100, 50, 50]])
    )
    os.remove(tmp_path / "only" / "a.png")
    wide = np.zeros((10, 30), dtype="uint8")
    wide[:, 10:20] = 255
    Image.fromarray(wide, "L").save(tmp_path / "only" / "b.png")
    kwargs = {"color_mode": "grayscale", "image_size": (5, 5), "batch_size": None}
    cropped, _ = next(
        iter(keras.utils.image_dataset_from_directory(str(tmp_path), crop_to_aspect_ratio=True, **kwargs))
    )
    squeezed, _ = next(iter(keras.utils.image_dataset_from_directory(str(tmp_path), **kwargs)))
    assert torch.all(cropped == 255)
    assert squeezed.min() < 1 and squeezed.max() > 254
    padded, _ = next(iter(keras.utils.image_dataset_from_directory(str(tmp_path), pad_to_aspect_ratio=True, **kwargs)))
    assert tuple(padded.shape) == (5, 5, 1) and torch.all(padded[0] == 0)


def test_shuffle_with_seed_and_validation_split(tmp_path):
    directory = write_images(tmp_path, {"a": 5, "b": 5}, size=(4, 4))
    common = {"image_size": (4, 4), "batch_size": 3, "seed": 7, "validation_split": 0.3}
    first = keras.utils.image_dataset_from_directory(directory, subset="training", **common)
    again = keras.utils.image_dataset_from_directory(directory, subset="training", **common)
    train, validation = keras.utils.image_dataset_from_directory(directory, subset="both", **common)
    assert first.file_paths == again.file_paths == train.file_paths
    assert first.file_paths != sorted(first.file_paths)  # shuffled once, before the split
    assert len(train.file_paths) == 7 and len(validation.file_paths) == 3
    assert set(train.file_paths).isdisjoint(validation.file_paths)
    assert len(set(train.file_paths) | set(validation.file_paths)) == 10
    with pytest.raises(ValueError, match="provide a `seed`"):
        keras.utils.image_dataset_from_directory(directory, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="`validation_split` must be set"):
        keras.utils.image_dataset_from_directory(directory, subset="training", seed=1)
    with pytest.raises(ValueError, match="exactly 2"):
        write_images(tmp_path, {"c": 1})
        keras.utils.image_dataset_from_directory(directory, label_mode="binary")


def test_image_dataset_feeds_fit_with_validation_data(tmp_path):
    directory = write_images(tmp_path, {"a": 6, "b": 6}, size=(6, 6))
    train, validation = keras.utils.image_dataset_from_directory(
        directory, image_size=(6, 6), batch_size=4, seed=3, validation_split=0.25, subset="both"
    )
    model = keras.Sequential(
        [keras.Input((6, 6, 3)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(), keras.layers.Dense(2)]
    )
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(train.cache().prefetch(2), validation_data=validation.prefetch(2), epochs=2, verbose=0)
    assert len(history.history["val_loss"]) == 2
    assert len(list(train.unbatch())) == 9
    doubled = train.map(lambda x, y: (x * 2, y)).take(1)
    assert len(list(doubled)) == 1


def test_text_dataset_yields_str_arrays_labels_and_max_length(tmp_path):
    directory = write_texts(tmp_path, {"neg": ["bad film", "awful"], "pos": ["great fun", "lovely día"]})
    dataset = keras.utils.text_dataset_from_directory(directory, batch_size=3, shuffle=False)
    assert dataset.class_names == ["neg", "pos"]
    texts, labels = next(iter(dataset))
    assert isinstance(texts, np.ndarray) and texts.dtype.kind == "U"
    assert texts.tolist() == ["bad film", "awful", "great fun"]
    assert texts.numpy()[0] == "bad film"  # as TensorFlow string tensors answer
    assert labels.dtype == torch.int32 and labels.tolist() == [0, 0, 1]
    short = keras.utils.text_dataset_from_directory(directory, batch_size=None, shuffle=False, max_length=5)
    assert [str(text) for text, _ in short] == ["bad f", "awful", "great", "lovel"]
    unlabeled = keras.utils.text_dataset_from_directory(directory, labels=None, batch_size=4, shuffle=False)
    assert next(iter(unlabeled)).tolist() == ["bad film", "awful", "great fun", "lovely día"]
    explicit = keras.utils.text_dataset_from_directory(directory, labels=[3, 1, 3, 1], batch_size=4, shuffle=False)
    assert explicit.class_names == ["1", "3"] and next(iter(explicit))[1].tolist() == [3, 1, 3, 1]


def test_timeseries_windows_targets_and_bounds():
    data = np.arange(20)
    targets = data * 10
    dataset = keras.utils.timeseries_dataset_from_array(
        data, targets, sequence_length=3, sequence_stride=2, sampling_rate=2, batch_size=2, start_index=1, end_index=15
    )
    windows, window_targets = zip(*[(x.tolist(), y.tolist()) for x, y in dataset.unbatch()])
    # Starts 1, 3, 5, 7, 9 (the last window, 9..13, must end before 15); rows two apart.
    assert list(windows) == [[1, 3, 5], [3, 5, 7], [5, 7, 9], [7, 9, 11], [9, 11, 13]]
    assert list(window_targets) == [10, 30, 50, 70, 90]
    assert [tuple(x.shape) for x, _ in dataset] == [(2, 3), (2, 3), (1, 3)]
    only_windows = keras.utils.timeseries_dataset_from_array(data, None, sequence_length=4, batch_size=None)
    assert len(list(only_windows)) == 17


def test_timeseries_shuffle_keeps_each_window_with_its_target():
    data = np.arange(50, dtype="float32")
    dataset = keras.utils.timeseries_dataset_from_array(
        data, data + 1000, sequence_length=5, batch_size=8, shuffle=True, seed=4
    )
    pairs = [(x.tolist(), float(y)) for x, y in dataset.unbatch()]
    assert [x[0] for x, _ in pairs] != sorted(x[0] for x, _ in pairs)
    assert sorted(x[0] for x, _ in pairs) == list(range(46))
    assert all(y == x[0] + 1000 and x == [x[0] + i for i in range(5)] for x, y in pairs)


def test_cache_reads_each_element_once():
    calls = []
    dataset = Dataset.from_tensor_slices(np.arange(4))._map_elements(lambda v: calls.append(int(v)) or v).cache()
    assert [int(v) for v in dataset] == [0, 1, 2, 3]
    assert [int(v) for v in dataset] == [0, 1, 2, 3]
    assert calls == [0, 1, 2, 3]


def test_tf_data_dataset_is_the_shared_pipeline():
    from keraslite.compat.tensorflow import data
    from keraslite.compat.tensorflow.eager import EagerTensor

    dataset = data.Dataset.from_tensor_slices((np.arange(6.0), np.array(list("abcdef")))).batch(4)
    assert isinstance(dataset, Dataset) and type(dataset.map(lambda x, y: (x, y))) is data.Dataset
    numbers, letters = next(iter(dataset))
    assert isinstance(numbers, EagerTensor) and letters.tolist() == ["a", "b", "c", "d"]
