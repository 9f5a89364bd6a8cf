"""`keras.ops.image` against real Keras 3 (torch backend): the same inputs give the same
numbers, channels-last and channels-first, batched and unbatched; symbolic shapes; errors."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import ops

RNG = np.random.default_rng(7)
IMAGES = RNG.random((2, 9, 10, 3)).astype("float32")
IMAGES_CF = np.ascontiguousarray(IMAGES.transpose(0, 3, 1, 2))
OTHER = np.clip(IMAGES + RNG.normal(0, 0.1, IMAGES.shape), 0, 1).astype("float32")
VOLUMES = RNG.random((2, 6, 7, 8, 2)).astype("float32")
UINT8 = RNG.integers(0, 256, (2, 9, 10, 3)).astype("uint8")
TRANSFORMS = np.array([[0.9, 0.2, 0.7, -0.3, 1.1, 0.4, 0, 0], [1.3, 0.0, -2.0, 0.1, 0.8, 1.6, 0, 0]], "float32")
START = np.array([[[0, 0], [9, 0], [0, 8], [9, 8]], [[0.5, 0], [9, 0.5], [0, 8], [8.5, 8]]], "float32")
END = np.array([[[1, 0.5], [8, 1], [0.5, 7], [9, 8]], [[0, 1], [9, 0], [1, 8], [8, 7]]], "float32")
COORDS = (RNG.random((2, 5, 4)) * np.array([[[12.0]], [[14.0]]]) - 2.0).astype("float32")

# name -> (code run in both processes with `ops` bound to keras.ops / keraslite.ops, inputs)
CASES = {
    "patches_vit": ("ops.image.extract_patches(x, size=3)", {"x": IMAGES}),
    "patches_pair_strides": ("ops.image.extract_patches(x, (2, 3), strides=(1, 2))", {"x": IMAGES}),
    "patches_same": ("ops.image.extract_patches(x, 4, strides=3, padding='same')", {"x": IMAGES}),
    "patches_dilated": ("ops.image.extract_patches(x, (2, 2), strides=1, dilation_rate=2)", {"x": IMAGES}),
    "patches_dilated_same": (
        "ops.image.extract_patches(x, 3, strides=1, dilation_rate=(2, 1), padding='same')",
        {"x": IMAGES},
    ),
    "patches_unbatched": ("ops.image.extract_patches(x[0], (3, 4), strides=(2, 2))", {"x": IMAGES}),
    "patches_cf": (
        "ops.image.extract_patches(x, (3, 2), strides=(2, 1), padding='same', data_format='channels_first')",
        {"x": IMAGES_CF},
    ),
    "patches_3d": ("ops.image.extract_patches(v, (2, 3, 2))", {"v": VOLUMES}),
    "patches_3d_fn": ("ops.image.extract_patches_3d(v, 2, strides=(1, 2, 3), padding='same')", {"v": VOLUMES}),
    "patches_3d_unbatched_cf": (
        "ops.image.extract_patches_3d(np.moveaxis(v[0], -1, 0), (3, 2, 2), strides=1, data_format='channels_first')",
        {"v": VOLUMES},
    ),
    "resize_crop_to_aspect": ("ops.image.resize(x, (4, 8), crop_to_aspect_ratio=True)", {"x": IMAGES}),
    "resize_pad_to_aspect_cf": (
        "ops.image.resize(x[0], (6, 4), pad_to_aspect_ratio=True, fill_value=0.5, data_format='channels_first')",
        {"x": IMAGES_CF},
    ),
    "resize_uint8_bicubic": ("ops.image.resize(u, (5, 13), interpolation='bicubic', antialias=True)", {"u": UINT8}),
    "resize_nearest": ("ops.image.resize(x, (13, 4), interpolation='nearest')", {"x": IMAGES}),
    "rgb_to_hsv": ("ops.image.rgb_to_hsv(x)", {"x": IMAGES}),
    "rgb_to_hsv_cf_unbatched": ("ops.image.rgb_to_hsv(x[0], data_format='channels_first')", {"x": IMAGES_CF}),
    "hsv_to_rgb": ("ops.image.hsv_to_rgb(x)", {"x": IMAGES}),
    "hsv_roundtrip_cf": (
        "ops.image.hsv_to_rgb(ops.image.rgb_to_hsv(x, 'channels_first'), 'channels_first')",
        {"x": IMAGES_CF},
    ),
    "pad": ("ops.image.pad_images(x, 1, 2, target_height=12, target_width=15)", {"x": IMAGES}),
    "pad_cf_unbatched": (
        "ops.image.pad_images(x[0], top_padding=0, bottom_padding=3, left_padding=2, right_padding=1, "
        "data_format='channels_first')",
        {"x": IMAGES_CF},
    ),
    "crop": ("ops.image.crop_images(x, 1, 2, target_height=5, target_width=6)", {"x": IMAGES}),
    "crop_cf": (
        "ops.image.crop_images(x, bottom_cropping=2, top_cropping=3, right_cropping=1, target_width=4, "
        "data_format='channels_first')",
        {"x": IMAGES_CF},
    ),
    "blur": ("ops.image.gaussian_blur(x, (5, 5), (1.5, 0.7), data_format='channels_last')", {"x": IMAGES}),
    "blur_cf_unbatched": (
        "ops.image.gaussian_blur(x[0], (3, 3), (2.0, 2.0), data_format='channels_first')",
        {"x": IMAGES_CF},
    ),
    "sobel": ("ops.image.sobel_edges(x, data_format='channels_last')", {"x": IMAGES}),
    "sobel_cf": ("ops.image.sobel_edges(x, data_format='channels_first')", {"x": IMAGES_CF}),
    "ssim": ("ops.image.ssim(x, y, filter_size=5)", {"x": IMAGES, "y": OTHER}),
    "ssim_unbatched_cf": (
        "ops.image.ssim(np.moveaxis(x[0], -1, 0), np.moveaxis(y[0], -1, 0), max_val=2.0, filter_size=3, "
        "filter_sigma=0.8, data_format='channels_first')",
        {"x": IMAGES, "y": OTHER},
    ),
    "map_coordinates_linear": (
        "ops.image.map_coordinates(x[0, :, :, 0], c, 1, 'constant', 0.5)",
        {"x": IMAGES, "c": COORDS},
    ),
    "map_coordinates_nearest_wrap": (
        "ops.image.map_coordinates(x[0, :, :, 0], c, 0, 'wrap')",
        {"x": IMAGES, "c": COORDS},
    ),
    "map_coordinates_mirror": ("ops.image.map_coordinates(x[1, :, :, 2], c, 1, 'mirror')", {"x": IMAGES, "c": COORDS}),
    "map_coordinates_reflect": (
        "ops.image.map_coordinates(x[1, :, :, 1], c, 1, 'reflect')",
        {"x": IMAGES, "c": COORDS},
    ),
    "map_coordinates_nearest": (
        "ops.image.map_coordinates(x[1, :, :, 1], c, 1, 'nearest')",
        {"x": IMAGES, "c": COORDS},
    ),
    "affine_constant": ("ops.image.affine_transform(x, t, fill_value=0.25)", {"x": IMAGES, "t": TRANSFORMS}),
    "affine_mirror_nearest": (
        "ops.image.affine_transform(x, t, 'nearest', 'mirror')",
        {"x": IMAGES, "t": TRANSFORMS},
    ),
    "affine_single_cf": (
        "ops.image.affine_transform(x[1], t[0], fill_mode='reflect', data_format='channels_first')",
        {"x": IMAGES_CF, "t": TRANSFORMS},
    ),
    "affine_uint8_wrap": ("ops.image.affine_transform(u, t, fill_mode='wrap')", {"u": UINT8, "t": TRANSFORMS}),
    "perspective": ("ops.image.perspective_transform(x, s, e, fill_value=0.5)", {"x": IMAGES, "s": START, "e": END}),
    "perspective_nearest_cf_unbatched": (
        "ops.image.perspective_transform(x[0], s[0], e[1], 'nearest', data_format='channels_first')",
        {"x": IMAGES_CF, "s": START, "e": END},
    ),
    "scale_translate_linear": (
        "ops.image.scale_and_translate(x, (2, 14, 6, 3), np.array([1.5, 0.6], 'float32'), "
        "np.array([0.5, -1.0], 'float32'), (1, 2), 'bilinear')",
        {"x": IMAGES},
    ),
    "scale_translate_cubic_noaa": (
        "ops.image.scale_and_translate(x, (2, 5, 13, 3), np.array([0.5, 1.3], 'float32'), "
        "np.array([0.0, 2.0], 'float32'), (1, 2), 'bicubic', antialias=False)",
        {"x": IMAGES},
    ),
    "scale_translate_lanczos": (
        "ops.image.scale_and_translate(x, (2, 9, 7, 3), np.array([0.7], 'float32'), "
        "np.array([0.3], 'float32'), (2,), 'lanczos3')",
        {"x": IMAGES},
    ),
}


@pytest.fixture(scope="module")
def keras_results(keras_oracle):
    lines = ["ops = keras.ops"]
    for name, (expression, arrays) in CASES.items():
        unpack = "; ".join(f"{k} = inputs[{name + '_' + k!r}]" for k in arrays)
        lines.append(f"{unpack}; result[{name!r}] = keras.ops.convert_to_numpy({expression})")
    inputs = {f"{name}_{k}": v for name, (_, arrays) in CASES.items() for k, v in arrays.items()}
    return keras_oracle.run("\n".join(lines), **inputs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name, keras_results):
    expression, arrays = CASES[name]
    ours = eval(expression, {"ops": ops, "np": np}, dict(arrays))
    expected = keras_results[name]
    assert tuple(ours.shape) == expected.shape
    assert str(ours.dtype).replace("torch.", "") == str(expected.dtype)
    atol = 0.6 if expected.dtype == np.uint8 else 1e-5  # uint8: rounding of a float sum
    np.testing.assert_allclose(ours.numpy().astype("float64"), expected.astype("float64"), rtol=1e-5, atol=atol)


def test_extract_patches_is_the_vit_layout():
    """The tutorial use: each patch row-major, channels innermost."""
    image = torch.arange(4 * 4 * 2, dtype=torch.float32).reshape(1, 4, 4, 2)
    patches = ops.image.extract_patches(image, size=2)
    assert patches.shape == (1, 2, 2, 8)
    np.testing.assert_array_equal(patches[0, 1, 0].numpy(), image[0, 2:4, 0:2].reshape(-1).numpy())


def test_elastic_transform_matches_keras_under_the_same_global_seed(keras_oracle):
    code = """
import torch
torch.manual_seed(3)
result['y'] = keras.ops.image.elastic_transform(inputs['x'], alpha=3.0, sigma=1.0, data_format='channels_last').numpy()
torch.manual_seed(3)
result['cf'] = keras.ops.image.elastic_transform(
    inputs['x'][0].transpose(2, 0, 1), 2.0, 0.7, 'nearest', 'constant', 0.5, data_format='channels_first').numpy()
"""
    expected = keras_oracle.run(code, x=IMAGES)
    torch.manual_seed(3)
    ours = ops.image.elastic_transform(IMAGES, alpha=3.0, sigma=1.0, data_format="channels_last")
    np.testing.assert_allclose(ours.numpy(), expected["y"], rtol=1e-5, atol=1e-5)
    torch.manual_seed(3)
    ours = ops.image.elastic_transform(
        IMAGES[0].transpose(2, 0, 1), 2.0, 0.7, "nearest", "constant", 0.5, data_format="channels_first"
    )
    np.testing.assert_allclose(ours.numpy(), expected["cf"], rtol=1e-5, atol=1e-5)
    # An integer seed makes calls repeatable.
    a = ops.image.elastic_transform(IMAGES, seed=4, data_format="channels_last")
    b = ops.image.elastic_transform(IMAGES, seed=4, data_format="channels_last")
    assert torch.equal(a, b) and not torch.allclose(a, torch.as_tensor(IMAGES))


def test_symbolic_shapes():
    x = keras.Input((16, 16, 3))
    assert ops.image.extract_patches(x, 4).shape == (None, 4, 4, 48)
    assert ops.image.extract_patches(x, 3, strides=2, padding="same").shape == (None, 8, 8, 27)
    assert ops.image.pad_images(x, 1, 1, 2, 2).shape == (None, 19, 19, 3)
    assert ops.image.crop_images(x, 1, 1, target_height=8, target_width=9).shape == (None, 8, 9, 3)
    assert ops.image.sobel_edges(x, data_format="channels_last").shape == (None, 16, 16, 3, 2)
    assert ops.image.ssim(x, x).shape == (None,)
    assert ops.image.rgb_to_hsv(x).shape == (None, 16, 16, 3)
    assert ops.image.gaussian_blur(x, data_format="channels_last").shape == (None, 16, 16, 3)
    model = keras.Model(x, ops.image.extract_patches(x, 8))
    assert tuple(model(np.zeros((2, 16, 16, 3), "float32")).shape) == (2, 2, 2, 192)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: ops.image.extract_patches(IMAGES, "3"), TypeError, "size"),
        (lambda: ops.image.extract_patches(IMAGES, (1, 2, 3, 4)), ValueError, "length 2 or 3"),
        (lambda: ops.image.rgb_to_hsv(UINT8), ValueError, "float dtype"),
        (lambda: ops.image.rgb_to_hsv(IMAGES[..., :2]), ValueError, "3 channels"),
        (lambda: ops.image.pad_images(IMAGES, 1, 1), ValueError, "exactly two"),
        (lambda: ops.image.pad_images(IMAGES, 1, 1, target_height=5, target_width=20), ValueError, ">= 0"),
        (lambda: ops.image.crop_images(IMAGES, -1, 1, 1, 1), ValueError, ">= 0"),
        (lambda: ops.image.affine_transform(IMAGES, TRANSFORMS, fill_mode="edge"), ValueError, "fill_mode"),
        (lambda: ops.image.affine_transform(IMAGES, TRANSFORMS, "cubic"), ValueError, "interpolation"),
        (lambda: ops.image.map_coordinates(IMAGES, COORDS, 1), ValueError, "rank"),
        (lambda: ops.image.map_coordinates(IMAGES[0, :, :, 0], COORDS, 3), NotImplementedError, "order"),
        (lambda: ops.image.perspective_transform(IMAGES, START[:, :3], END), ValueError, "start_points"),
        (lambda: ops.image.scale_and_translate(IMAGES, (2, 3, 3, 3), [1], [0], (1,), "box"), ValueError, "method"),
        (lambda: ops.image.sobel_edges(IMAGES[0]), ValueError, "rank 4"),
        (lambda: ops.image.gaussian_blur(IMAGES, data_format="nhwc"), ValueError, "data_format"),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
