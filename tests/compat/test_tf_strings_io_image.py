"""`tf.strings`, `tf.io` and `tf.image` in the shim."""

import numpy as np
import pytest
import torch

from tests.compat.tf_fixture import tf  # noqa: F401  (fixture)


def test_string_functions_work_elementwise_on_bytes(tf):  # noqa: F811
    text = np.array([b"Hello World!<br />", b"Foo  bar"])
    clean = tf.strings.regex_replace(tf.strings.lower(text), "<br />", " ")
    assert clean.numpy().tolist() == [b"hello world! ", b"foo  bar"]
    assert [row.tolist() for row in tf.strings.split(clean)] == [[b"hello", b"world!"], [b"foo", b"bar"]]
    assert tf.strings.length(text).tolist() == [18, 8]
    assert tf.strings.reduce_join(np.array([b"a", b"b"]), separator="-").numpy() == b"a-b"
    assert tf.strings.unicode_split("héllo", "UTF-8").tolist() == [b"h", "é".encode(), b"l", b"l", b"o"]
    assert tf.strings.to_number(np.array([b"1.5", b"2"])).tolist() == [1.5, 2.0]
    assert tf.strings.regex_replace("a1b22", r"(\d+)", r"<\1>").numpy() == b"a<1>b<22>"


def test_io_reads_files_and_decodes_images(tf, tmp_path):  # noqa: F811
    image = (np.arange(4 * 5 * 3) % 255).astype("uint8").reshape(4, 5, 3)
    encoded = tf.io.encode_png(image)
    path = str(tmp_path / "x.png")
    tf.io.write_file(path, encoded)
    decoded = tf.io.decode_png(tf.io.read_file(path), channels=3)
    assert decoded.dtype == torch.uint8 and decoded.numpy().tolist() == image.tolist()
    assert tf.io.decode_image(tf.io.read_file(path), channels=1).shape == (4, 5, 1)
    assert tf.io.gfile.exists(path) and tf.io.gfile.glob(str(tmp_path / "*.png")) == [path]


def test_image_adjustments_follow_their_definitions(tf):  # noqa: F811
    rng = np.random.default_rng(0)
    img = rng.uniform(0, 1, (2, 5, 6, 3)).astype("float32")
    mean = img.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(tf.image.adjust_contrast(img, 1.7).numpy(), (img - mean) * 1.7 + mean, rtol=1e-5)
    np.testing.assert_allclose(tf.image.adjust_brightness(img, 0.1).numpy(), img + 0.1, rtol=1e-6)
    gray = np.repeat(img[..., :1], 3, axis=-1)  # no saturation: hue and saturation changes keep it
    np.testing.assert_allclose(tf.image.adjust_saturation(gray, 0.3).numpy(), gray, atol=1e-6)
    round_trip = tf.image.hsv_to_rgb(tf.image.rgb_to_hsv(img)).numpy()
    np.testing.assert_allclose(round_trip, img, atol=1e-5)
    u8 = (img * 255).astype("uint8")
    brighter = tf.image.adjust_brightness(u8, 0.2).numpy()
    assert brighter.dtype == np.uint8 and (brighter >= u8).all() and brighter.max() <= 255


def test_extract_patches_matches_slicing(tf):  # noqa: F811
    images = np.arange(1 * 6 * 7 * 2, dtype="float32").reshape(1, 6, 7, 2)
    patches = tf.image.extract_patches(images, [1, 2, 3, 1], [1, 2, 2, 1], [1, 1, 1, 1], "VALID").numpy()
    assert patches.shape == (1, 3, 3, 12)
    np.testing.assert_array_equal(patches[0, 1, 2], images[0, 2:4, 4:7, :].reshape(-1))
    same = tf.image.extract_patches(images, [1, 3, 3, 1], [1, 3, 3, 1], [1, 1, 1, 1], "SAME").numpy()
    assert same.shape == (1, 2, 3, 18)


def test_crops_and_pads(tf):  # noqa: F811
    img = np.arange(6 * 8 * 1, dtype="float32").reshape(6, 8, 1)
    assert tf.image.crop_to_bounding_box(img, 1, 2, 3, 4).numpy().tolist() == img[1:4, 2:6].tolist()
    padded = tf.image.pad_to_bounding_box(img, 1, 2, 8, 12).numpy()
    assert padded.shape == (8, 12, 1) and padded[1:7, 2:10].tolist() == img.tolist() and padded[0].sum() == 0
    assert tf.image.resize_with_crop_or_pad(img, 4, 10).shape == (4, 10, 1)
    assert tf.image.central_crop(img, 0.5).shape == (4, 4, 1)  # start int((6 - 3) / 2) = 1 from each side
    assert tf.image.random_crop(img, [3, 3, 1]).shape == (3, 3, 1)
    with pytest.raises(ValueError, match="value.shape >= size"):
        tf.image.random_crop(img, [7, 3, 1])
    standardized = tf.image.per_image_standardization(img).numpy()
    assert abs(standardized.mean()) < 1e-5 and abs(standardized.std() - 1) < 1e-4


def test_array_functions_take_text(tf):  # noqa: F811
    text = tf.constant(["a b", "c"])
    assert text.numpy().tolist() == [b"a b", b"c"] and tf.constant("x").numpy() == b"x"
    assert tf.expand_dims(text, -1).shape == (2, 1)
    assert tf.stack([text, text]).shape == (2, 2) and tf.concat([text, text], 0).shape == (4,)
    assert tuple(tf.shape(text)) == (2,) and int(tf.size(text)) == 2
    assert tf.gather(text, [1]).tolist() == [b"c"]


def test_read_file_keeps_trailing_zero_bytes(tf, tmp_path):  # noqa: F811
    path = tmp_path / "data.bin"
    path.write_bytes(b"RIFF\x00\x01\x00\x00")
    assert tf.io.read_file(str(path)).numpy() == b"RIFF\x00\x01\x00\x00"
    audio = np.zeros((3, 1), "float32")  # silence: the encoded file ends with zero bytes
    decoded, _ = tf.audio.decode_wav(tf.audio.encode_wav(audio, 8000))
    assert decoded.shape == (3, 1)


def test_adjust_contrast_has_no_gradient_as_in_tensorflow(tf):  # noqa: F811
    image = tf.Variable([[[0.5, 0.25, 0.0]], [[0.0, 0.5, 1.0]]])
    delta = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        adjusted = tf.image.adjust_contrast(image, delta)
    with pytest.raises(LookupError, match="no entry for: AdjustContrastv2"):
        tape.gradient(adjusted, [image, delta])
    mean = image.numpy().mean(axis=(0, 1), keepdims=True)
    np.testing.assert_allclose(adjusted.numpy(), (image.numpy() - mean) * 2.0 + mean, rtol=1e-6)


def test_bytes_split_and_decode_raw(tf):  # noqa: F811
    # TensorFlow 2.21: [b'D' b'u' b'c' b'k'], [68 117 99 107], [[30020 27491] [25927 29541]], [17525 25451]
    assert tf.strings.bytes_split(tf.constant("Duck")).tolist() == [b"D", b"u", b"c", b"k"]
    assert [row.tolist() for row in tf.strings.bytes_split(tf.constant(["ab", "c"]))] == [[b"a", b"b"], [b"c"]]
    assert tf.io.decode_raw(tf.constant("Duck"), tf.uint8).numpy().tolist() == [68, 117, 99, 107]
    pairs = tf.io.decode_raw(tf.constant(["Duck", "Gees"]), tf.int16)
    assert pairs.numpy().tolist() == [[30020, 27491], [25927, 29541]]
    assert tf.io.decode_raw(tf.constant("Duck"), tf.int16, little_endian=False).numpy().tolist() == [17525, 25451]
