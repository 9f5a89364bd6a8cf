"""keras.utils.load_img / img_to_array / array_to_img / save_img (and keras.preprocessing.image)."""

import io

import numpy as np
import pytest
from PIL import Image

import keraslite as keras


def test_round_trip_through_a_file(tmp_path):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (6, 8, 3)).astype("float32")
    path = tmp_path / "img.png"
    keras.utils.save_img(str(path), pixels, scale=False)
    img = keras.preprocessing.image.load_img(str(path))
    assert img.size == (8, 6) and img.mode == "RGB"
    array = keras.utils.img_to_array(img)
    assert array.dtype == np.float32 and array.shape == (6, 8, 3)
    np.testing.assert_array_equal(array, pixels)
    assert keras.utils.img_to_array(img, data_format="channels_first").shape == (3, 6, 8)


def test_load_img_modes_resizing_and_errors(tmp_path):
    path = tmp_path / "img.jpg"
    Image.new("RGB", (40, 20), (200, 10, 10)).save(path)
    assert keras.utils.load_img(str(path), target_size=(10, 12)).size == (12, 10)
    gray = keras.utils.load_img(
        str(path), color_mode="grayscale", target_size=(10, 10), keep_aspect_ratio=True, interpolation="bilinear"
    )
    assert gray.mode == "L" and gray.size == (10, 10)
    assert keras.utils.img_to_array(gray).shape == (10, 10, 1)
    with open(path, "rb") as file:
        assert keras.utils.load_img(io.BytesIO(file.read()), color_mode="rgba").mode == "RGBA"
    with pytest.raises(ValueError, match="color_mode"):
        keras.utils.load_img(str(path), color_mode="cmyk")
    with pytest.raises(ValueError, match="interpolation"):
        keras.utils.load_img(str(path), target_size=(5, 5), interpolation="cubic")


def test_array_to_img_scales_and_checks_rank():
    img = keras.utils.array_to_img(np.linspace(0, 1, 12).reshape(2, 2, 3))
    values = np.asarray(img)
    assert values.min() == 0 and values.max() == 255
    assert keras.utils.array_to_img(np.zeros((2, 2, 1))).mode == "L"
    with pytest.raises(ValueError, match="rank 3"):
        keras.utils.array_to_img(np.zeros((2, 2)))


def test_smart_resize_matches_keras(keras_oracle):
    from keraslite.preprocessing.image import smart_resize

    rng = np.random.default_rng(0)
    image = rng.uniform(0, 255, (7, 11, 3)).astype("float32")
    batch = rng.integers(0, 255, (2, 3, 9, 5)).astype("uint8")
    code = (
        "from keras.preprocessing.image import smart_resize\n"
        "result['a'] = smart_resize(inputs['image'], (4, 4))\n"
        "result['b'] = smart_resize(inputs['image'], (6, 3), interpolation='nearest')\n"
        "result['c'] = smart_resize(inputs['batch'], (5, 4), interpolation='bicubic', data_format='channels_first')\n"
    )
    expected = keras_oracle.run(code, image=image, batch=batch)
    np.testing.assert_allclose(smart_resize(image, (4, 4)), expected["a"], rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(smart_resize(image, (6, 3), interpolation="nearest"), expected["b"])
    out = smart_resize(batch, (5, 4), interpolation="bicubic", data_format="channels_first")
    assert out.dtype == np.uint8 and out.shape == (2, 3, 5, 4)
    np.testing.assert_array_equal(out, expected["c"])
    with pytest.raises(ValueError, match="incorrect rank"):
        smart_resize(np.zeros((4, 4)), (2, 2))
