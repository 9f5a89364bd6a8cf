"""tf.keras 2's `ImageDataGenerator`: transforms (checked pixel for pixel against tf_keras
2.21 while writing; here against their definition), batches from arrays and folders, `fit`."""

import os

import numpy as np
import pytest

import keraslite as keras
from keraslite.preprocessing.image import ImageDataGenerator, NumpyArrayIterator, apply_affine_transform

RNG = np.random.default_rng(0)
IMAGE = (RNG.random((6, 6, 3)) * 255).astype("float32")


def test_shifts_follow_tf_keras_axes_and_edge_fill():
    generator = ImageDataGenerator()
    # tf.keras 2.9+: `tx` (drawn from height_shift_range) moves columns, `ty` rows.
    shifted = generator.apply_transform(IMAGE, {"tx": 2})
    np.testing.assert_allclose(shifted, IMAGE[:, np.clip(np.arange(6) + 2, 0, 5)], atol=1e-4)
    shifted = generator.apply_transform(IMAGE, {"ty": -1})
    np.testing.assert_allclose(shifted, IMAGE[np.clip(np.arange(6) - 1, 0, 5)], atol=1e-4)
    constant = ImageDataGenerator(fill_mode="constant", cval=-1.0).apply_transform(IMAGE, {"tx": 2})
    np.testing.assert_allclose(constant[:, :4], IMAGE[:, 2:], atol=1e-4)
    assert (constant[:, 4:] == -1.0).all()
    reflect = ImageDataGenerator(fill_mode="reflect").apply_transform(IMAGE, {"tx": -2})
    np.testing.assert_allclose(reflect[:, :2], IMAGE[:, [1, 0]], atol=1e-4)


def test_rotation_by_90_degrees_is_rot90_and_flips_are_exact():
    generator = ImageDataGenerator()
    np.testing.assert_allclose(generator.apply_transform(IMAGE, {"theta": 90}), np.rot90(IMAGE), atol=1e-3)
    np.testing.assert_array_equal(generator.apply_transform(IMAGE, {"flip_horizontal": True}), IMAGE[:, ::-1])
    np.testing.assert_array_equal(generator.apply_transform(IMAGE, {"flip_vertical": True}), IMAGE[::-1])


def test_zoom_and_interpolation_order_zero_pick_source_pixels():
    zoomed = ImageDataGenerator(interpolation_order=0).apply_transform(IMAGE, {"zx": 0.5, "zy": 0.5})
    assert np.isin(zoomed, IMAGE).all()  # nearest: every value is one of the image's
    center = apply_affine_transform(IMAGE, zx=2.0, zy=2.0, row_axis=0, col_axis=1, channel_axis=2)
    assert center.shape == IMAGE.shape and not np.allclose(center, IMAGE)


def test_channel_shift_clips_to_image_range_and_brightness_scales():
    generator = ImageDataGenerator()
    shifted = generator.apply_transform(IMAGE, {"channel_shift_intensity": 50.0})
    np.testing.assert_allclose(shifted, np.clip(IMAGE + 50, IMAGE.min(), IMAGE.max()), rtol=1e-6)
    image = np.full((2, 2, 3), 100.0, dtype="float32")
    np.testing.assert_array_equal(generator.apply_transform(image, {"brightness": 1.5}), np.full((2, 2, 3), 150.0))
    np.testing.assert_array_equal(generator.apply_transform(image, {"brightness": 3.0}), np.full((2, 2, 3), 255.0))


def test_random_transform_draws_in_ranges_and_repeats_with_seed():
    generator = ImageDataGenerator(
        rotation_range=30,
        width_shift_range=0.25,
        height_shift_range=[1, 2],
        zoom_range=0.2,
        shear_range=10,
        horizontal_flip=True,
        channel_shift_range=5.0,
        brightness_range=(0.5, 1.5),
    )
    for seed in range(5):
        p = generator.get_random_transform(IMAGE.shape, seed=seed)
        assert p == generator.get_random_transform(IMAGE.shape, seed=seed)
        assert abs(p["theta"]) <= 30 and abs(p["ty"]) <= 0.25 * 6 and abs(p["tx"]) in (1, 2)
        assert 0.8 <= p["zx"] <= 1.2 and 0.8 <= p["zy"] <= 1.2 and abs(p["shear"]) <= 10
        assert 0.5 <= p["brightness"] <= 1.5 and abs(p["channel_shift_intensity"]) <= 5
    np.testing.assert_array_equal(generator.random_transform(IMAGE, seed=1), generator.random_transform(IMAGE, seed=1))


def test_standardize_and_featurewise_fit():
    data = RNG.random((10, 4, 4, 3)).astype("float32") * 10
    generator = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True, rescale=0.5)
    with pytest.raises(ValueError, match="fit"):
        generator.standardize(data[0].copy())
    generator.fit(data)
    np.testing.assert_allclose(generator.mean.ravel(), (data * 0.5).mean(axis=(0, 1, 2)), rtol=1e-5)
    assert generator.mean.shape == (1, 1, 3) and generator.std.shape == (1, 1, 3)
    standardized = np.stack([generator.standardize(x.copy()) for x in data])
    np.testing.assert_allclose(standardized.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(standardized.std(axis=(0, 1, 2)), 1, atol=1e-3)
    samplewise = ImageDataGenerator(samplewise_center=True).standardize(data[0].copy())
    np.testing.assert_allclose(samplewise.mean(axis=-1), 0, atol=1e-5)


def test_flow_batches_align_x_y_and_weights():
    x = np.arange(10, dtype="float32").reshape(10, 1, 1, 1) * np.ones((1, 2, 2, 3), dtype="float32")
    y = np.arange(10)
    iterator = ImageDataGenerator(rescale=2.0).flow(x, y, batch_size=4, seed=1, sample_weight=np.arange(10) / 10)
    assert isinstance(iterator, NumpyArrayIterator) and isinstance(iterator, keras.utils.PyDataset)
    assert len(iterator) == 3
    seen = []
    for index in range(len(iterator)):
        batch_x, batch_y, weights = iterator[index]
        np.testing.assert_array_equal(batch_x[:, 0, 0, 0], batch_y * 2.0)
        np.testing.assert_allclose(weights, batch_y / 10)
        seen += batch_y.tolist()
    assert sorted(seen) == list(range(10)) and seen != list(range(10))  # shuffled, each once
    batch_x, batch_y = next(ImageDataGenerator().flow(x, y, batch_size=3, shuffle=False))
    assert batch_y.tolist() == [0, 1, 2] and batch_x.dtype == np.float32
    only_x = ImageDataGenerator().flow(x, batch_size=5, shuffle=False)[1]
    assert only_x.shape == (5, 2, 2, 3)


def test_flow_subsets_split_and_errors():
    x, y = np.zeros((10, 2, 2, 1)), np.tile([0, 1], 5)
    generator = ImageDataGenerator(validation_split=0.2)
    assert generator.flow(x, y, subset="validation").n == 2 and generator.flow(x, y, subset="training").n == 8
    with pytest.raises(ValueError, match="different number of classes"):
        generator.flow(x, np.sort(y), subset="training")
    with pytest.raises(ValueError, match="same length"):
        generator.flow(x, y[:3])
    with pytest.raises(ValueError, match="rank 4"):
        generator.flow(np.zeros((3, 2, 2)))
    with pytest.raises(ValueError, match="zoom_range"):
        ImageDataGenerator(zoom_range=[1, 2, 3])


def test_fit_trains_on_flow():
    x = RNG.random((16, 4, 4, 1)).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype("float32")
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    flow = ImageDataGenerator(horizontal_flip=True).flow(x, y, batch_size=8)
    history = model.fit(flow, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(ImageDataGenerator().flow(x, batch_size=8, shuffle=False), verbose=0).shape == (16, 1)


def _write_images(root, counts, size=(5, 7)):
    from PIL import Image

    for name, count in counts.items():
        os.makedirs(os.path.join(root, name), exist_ok=True)
        for i in range(count):
            pixels = np.full(size + (3,), 40 * (i + 1), dtype="uint8")
            Image.fromarray(pixels).save(os.path.join(root, name, f"img_{i}.png"))
    with open(os.path.join(root, "cats", "notes.txt"), "w") as handle:
        handle.write("not an image")


def test_flow_from_directory_classes_modes_and_subsets(tmp_path, capsys):
    _write_images(str(tmp_path), {"cats": 3, "dogs": 2})
    generator = ImageDataGenerator(rescale=1 / 255.0, validation_split=0.4)
    iterator = generator.flow_from_directory(str(tmp_path), target_size=(4, 4), batch_size=2, shuffle=False)
    assert "Found 5 images belonging to 2 classes." in capsys.readouterr().out
    assert iterator.class_indices == {"cats": 0, "dogs": 1} and iterator.classes.tolist() == [0, 0, 0, 1, 1]
    assert iterator.filenames[0] == os.path.join("cats", "img_0.png") and iterator.samples == 5
    assert len(iterator) == 3
    batch_x, batch_y = iterator[0]
    assert batch_x.shape == (2, 4, 4, 3) and batch_y.tolist() == [[1, 0], [1, 0]]
    np.testing.assert_allclose(batch_x[1], 80 / 255.0, rtol=1e-6)
    binary = generator.flow_from_directory(str(tmp_path), target_size=(4, 4), class_mode="binary", shuffle=False)
    assert binary[0][1].tolist() == [0, 0, 0, 1, 1]
    gray = generator.flow_from_directory(str(tmp_path), target_size=(3, 3), color_mode="grayscale", class_mode=None)
    assert gray[0].shape == (5, 3, 3, 1)
    training = generator.flow_from_directory(str(tmp_path), target_size=(4, 4), subset="training")
    validation = generator.flow_from_directory(str(tmp_path), target_size=(4, 4), subset="validation")
    # Per class, the first int(0.4 * n) files validate: cats 1 of 3, dogs 0 of 2 (as tf.keras 2).
    assert (training.samples, validation.samples) == (4, 1)
    assert validation.filenames == [os.path.join("cats", "img_0.png")]
    with pytest.raises(ValueError, match="class_mode"):
        generator.flow_from_directory(str(tmp_path), class_mode="multi")


def test_flow_from_dataframe_reads_listed_files(tmp_path, capsys):
    _write_images(str(tmp_path), {"cats": 2, "dogs": 2})
    frame = {
        "filename": ["cats/img_0.png", "dogs/img_1.png", "cats/img_1.png", "missing.png", "cats/notes.txt"],
        "class": ["cat", "dog", "cat", "dog", "cat"],
        "score": [0.5, 1.5, 2.5, 3.5, 4.5],
        "weight": [1.0, 2.0, 3.0, 4.0, 5.0],
    }
    generator = ImageDataGenerator(rescale=1 / 255.0)
    with pytest.warns(UserWarning, match="2 invalid image filename"):
        iterator = generator.flow_from_dataframe(
            frame, str(tmp_path), target_size=(3, 3), batch_size=3, shuffle=False, weight_col="weight"
        )
    assert "Found 3 validated image filenames belonging to 2 classes." in capsys.readouterr().out
    assert iterator.class_indices == {"cat": 0, "dog": 1} and iterator.classes.tolist() == [0, 1, 0]
    batch_x, batch_y, weights = iterator[0]
    assert batch_x.shape == (3, 3, 3, 3) and batch_y.tolist() == [[1, 0], [0, 1], [1, 0]]
    assert weights.tolist() == [1.0, 2.0, 3.0]
    np.testing.assert_allclose(batch_x[1], 80 / 255.0, rtol=1e-6)  # dogs/img_1.png
    with pytest.warns(UserWarning):
        raw = generator.flow_from_dataframe(
            frame, str(tmp_path), y_col="score", class_mode="raw", target_size=(3, 3), shuffle=False
        )
    assert raw[0][1].tolist() == [0.5, 1.5, 2.5]
    with pytest.raises(ValueError, match="class_mode"):
        generator.flow_from_dataframe(frame, str(tmp_path), class_mode="multiclass")


def test_default_affine_path_equals_the_general_sampler():
    # Bilinear with "nearest" fill runs on torch's grid_sample; it must give what the NumPy
    # sampler (SciPy's semantics) gives, edges and out-of-image points included.
    from keraslite.legacy.preprocessing import image as image_module

    rng = np.random.default_rng(3)
    channels = rng.random((3, 17, 23))
    for theta, shift, zoom in ((30.0, (4.0, -7.0), 1.3), (-75.0, (-12.0, 15.0), 0.6), (180.0, (0.0, 0.0), 2.0)):
        t = np.deg2rad(theta)
        matrix = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]) * zoom
        offset = np.array(shift)
        fast = image_module._affine_sample_nearest_bilinear(channels, matrix, offset)
        general = np.stack([image_module._affine_sample(c, matrix, offset, 1, "nearest", 0.0) for c in channels])
        np.testing.assert_allclose(fast, general, rtol=1e-12, atol=1e-12)
