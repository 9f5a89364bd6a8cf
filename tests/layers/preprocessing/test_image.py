"""Image preprocessing layers: Rescaling, Resizing, CenterCrop and the random augmentations,
against real Keras 3 (torch backend) where the numbers are deterministic."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite.layers.preprocessing import image_ops
from keraslite.testing.layer_test import run_layer_test

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(0, 255, size=(2, 5, 6, 3)).astype("float32")
UINT8_IMAGES = RNG.integers(0, 256, size=(2, 5, 6, 3)).astype("uint8")


@pytest.mark.parametrize(
    "cls, kwargs, out_shape",
    [
        (layers.Rescaling, {"scale": 1 / 127.5, "offset": -1.0}, (2, 5, 6, 3)),
        (layers.Rescaling, {"scale": [0.5, 1.0, 2.0]}, (2, 5, 6, 3)),
        (layers.Resizing, {"height": 8, "width": 9}, (2, 8, 9, 3)),
        (layers.Resizing, {"height": 3, "width": 4, "interpolation": "nearest"}, (2, 3, 4, 3)),
        (layers.Resizing, {"height": 7, "width": 4, "interpolation": "bicubic"}, (2, 7, 4, 3)),
        (layers.Resizing, {"height": 4, "width": 4, "crop_to_aspect_ratio": True}, (2, 4, 4, 3)),
        (layers.Resizing, {"height": 4, "width": 8, "pad_to_aspect_ratio": True, "fill_value": 3.0}, (2, 4, 8, 3)),
        (layers.CenterCrop, {"height": 3, "width": 4}, (2, 3, 4, 3)),
        (layers.CenterCrop, {"height": 4, "width": 2, "data_format": "channels_first"}, (2, 5, 4, 2)),
        (layers.Resizing, {"height": 4, "width": 7, "data_format": "channels_first", "antialias": True}, (2, 5, 4, 7)),
        (layers.CenterCrop, {"height": 7, "width": 4}, (2, 7, 4, 3)),
        # Degenerate factor ranges make the augmentations deterministic: exact parity in training.
        (layers.RandomRotation, {"factor": [0.25, 0.25], "fill_mode": "constant", "fill_value": 1.0}, (2, 5, 6, 3)),
        (layers.RandomRotation, {"factor": [0.1, 0.1], "fill_mode": "reflect"}, (2, 5, 6, 3)),
        (
            layers.RandomZoom,
            {"height_factor": [0.5, 0.5], "width_factor": [-0.3, -0.3], "fill_mode": "wrap"},
            (2, 5, 6, 3),
        ),
        (
            layers.RandomZoom,
            {"height_factor": [0.4, 0.4], "fill_mode": "nearest", "interpolation": "nearest"},
            (2, 5, 6, 3),
        ),
        (
            layers.RandomTranslation,
            {"height_factor": [0.2, 0.2], "width_factor": [-0.25, -0.25], "fill_mode": "reflect"},
            (2, 5, 6, 3),
        ),
        (layers.RandomBrightness, {"factor": [0.1, 0.1]}, (2, 5, 6, 3)),
        (layers.RandomCrop, {"height": 7, "width": 8, "seed": 3}, (2, 7, 8, 3)),
    ],
)
def test_parity_with_keras(cls, kwargs, out_shape, keras_oracle):
    call_kwargs = {"training": True} if cls.__name__.startswith("Random") else {}
    run_layer_test(
        cls,
        kwargs,
        input_shape=IMAGES.shape,
        input_data=IMAGES,
        expected_output_shape=out_shape,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        check_training_step=False,
        call_kwargs=call_kwargs,
        rtol=1e-5,
        atol=1e-4,
        # Keras's RandomBrightness adds in place, which autograd refuses on a leaf input.
        check_gradients=cls is not layers.RandomBrightness,
    )


def test_integer_images_and_unbatched_match_keras(keras_oracle):
    code = """
L = keras.layers
x = inputs['x']
result['resize_u8'] = L.Resizing(3, 4)(x).cpu().numpy()
result['resize_single'] = L.Resizing(3, 4, data_format='channels_last')(x[0].astype('float32')).cpu().numpy()
result['crop_u8'] = L.CenterCrop(3, 3)(x).cpu().numpy()
result['rescale_u8'] = L.Rescaling(1 / 255.0)(x).cpu().numpy()
result['smart'] = np.asarray(keras.preprocessing.image.smart_resize(x.astype('float32'), (3, 3)))
xf = x.astype('float32')
t = np.array([[0.9, 0.2, 0.7, -0.3, 1.1, 0.4, 0, 0], [1.3, 0.0, -2.0, 0.1, 0.8, 1.6, 0, 0]], 'float32')
for mode in ['constant', 'nearest', 'wrap', 'reflect']:
    for interp in ['nearest', 'bilinear']:
        result[f'affine_{mode}_{interp}'] = keras.ops.image.affine_transform(
            xf, t, interpolation=interp, fill_mode=mode, fill_value=7.0
        ).cpu().numpy()
result['channels_first'] = keras.ops.image.affine_transform(
    np.transpose(xf, (0, 3, 1, 2)), t, fill_mode='reflect', data_format='channels_first'
).cpu().numpy()
"""
    expected = keras_oracle.run(code, x=UINT8_IMAGES)
    x = torch.as_tensor(UINT8_IMAGES)
    resized = layers.Resizing(3, 4)(x)
    assert resized.dtype == torch.uint8
    np.testing.assert_array_equal(resized.numpy(), expected["resize_u8"])
    np.testing.assert_allclose(
        layers.Resizing(3, 4)(x[0].float()).numpy(), expected["resize_single"], rtol=1e-5, atol=1e-4
    )
    cropped = layers.CenterCrop(3, 3)(x)
    assert cropped.dtype == torch.float32
    np.testing.assert_array_equal(cropped.numpy(), expected["crop_u8"])
    np.testing.assert_allclose(layers.Rescaling(1 / 255.0)(x).numpy(), expected["rescale_u8"], rtol=1e-6)
    # RandomCrop's inference output is smart_resize (Keras's documented behaviour).
    np.testing.assert_allclose(layers.RandomCrop(3, 3)(x).numpy(), expected["smart"], rtol=1e-5, atol=1e-4)
    xf = torch.as_tensor(UINT8_IMAGES.astype("float32"))
    t = torch.tensor([[0.9, 0.2, 0.7, -0.3, 1.1, 0.4, 0, 0], [1.3, 0.0, -2.0, 0.1, 0.8, 1.6, 0, 0]])
    for mode in ["constant", "nearest", "wrap", "reflect"]:
        for interp in ["nearest", "bilinear"]:
            ours = image_ops.affine_transform(xf, t, interp, mode, 7.0)
            np.testing.assert_allclose(
                ours.numpy(), expected[f"affine_{mode}_{interp}"], rtol=1e-5, atol=1e-3, err_msg=f"{mode}/{interp}"
            )
    ours = image_ops.affine_transform(xf.permute(0, 3, 1, 2), t, "bilinear", "reflect", 0.0, "channels_first")
    np.testing.assert_allclose(ours.numpy(), expected["channels_first"], rtol=1e-5, atol=1e-3)


def test_configs_match_keras(keras_oracle):
    specs = {
        "Rescaling": {"scale": 0.5, "offset": 1.0},
        "Resizing": {"height": 4, "width": 5, "interpolation": "nearest"},
        "CenterCrop": {"height": 3, "width": 3},
        "RandomFlip": {"mode": "horizontal", "seed": 1},
        "RandomRotation": {"factor": 0.2},
        "RandomZoom": {"height_factor": [-0.2, 0.3], "width_factor": 0.1},
        "RandomCrop": {"height": 3, "width": 3, "seed": 5},
        "RandomContrast": {"factor": 0.2},
        "RandomTranslation": {"height_factor": 0.1, "width_factor": [-0.2, 0.1], "fill_mode": "constant"},
        "RandomBrightness": {"factor": [-0.1, 0.3], "value_range": [0, 1]},
    }
    code = """
import json
out = {}
for name, kwargs in json.loads(inputs['specs'].item()).items():
    config = getattr(keras.layers, name)(**kwargs).get_config()
    config.pop('dtype'); config.pop('name')
    out[name] = json.loads(json.dumps(config))
result['configs'] = out
"""
    import json

    expected = keras_oracle.run(code, specs=np.array(json.dumps(specs)))["configs"]
    for name, kwargs in specs.items():
        config = getattr(layers, name)(**kwargs).get_config()
        config.pop("dtype"), config.pop("name")
        assert json.loads(json.dumps(config)) == expected[name], name


@pytest.mark.parametrize(
    "layer",
    [
        lambda: layers.RandomFlip(),
        lambda: layers.RandomRotation(0.3),
        lambda: layers.RandomZoom(0.3, 0.2),
        lambda: layers.RandomTranslation(0.2, 0.3),
        lambda: layers.RandomContrast(0.5),
        lambda: layers.RandomBrightness(0.3),
    ],
)
def test_augmentations_identity_in_inference_and_ranges_in_training(layer):
    layer = layer()
    x = torch.as_tensor(IMAGES)
    np.testing.assert_array_equal(layer(x).numpy(), IMAGES)  # training defaults to False
    np.testing.assert_array_equal(layer(x, training=False).numpy(), IMAGES)
    torch.manual_seed(0)
    out = layer(x, training=True)
    assert out.shape == x.shape and out.dtype == torch.float32
    assert float(out.min()) >= -1e-3 and float(out.max()) <= 255.0 + 1e-3
    assert not torch.equal(out, x)
    single = layer(x[0], training=True)
    assert single.shape == x[0].shape


def test_random_flip_modes_and_seed():
    x = torch.as_tensor(IMAGES)
    big = x.repeat(8, 1, 1, 1)
    for mode, axes in [("horizontal", [2]), ("vertical", [1]), ("horizontal_and_vertical", [1, 2])]:
        out = layers.RandomFlip(mode, seed=7)(big, training=True)
        flipped = big.flip(axes)
        per_image = [torch.equal(o, b) or torch.equal(o, f) for o, b, f in zip(out, big, flipped)]
        assert all(per_image)
        assert any(torch.equal(o, f) for o, f in zip(out, flipped)) and any(torch.equal(o, b) for o, b in zip(out, big))
    a = layers.RandomFlip(seed=3)(big, training=True)
    b = layers.RandomFlip(seed=3)(big, training=True)
    assert torch.equal(a, b)
    with pytest.raises(ValueError):
        layers.RandomFlip("diagonal")


def test_random_crop_training_window_and_brightness_uint8():
    x = torch.as_tensor(IMAGES)
    crop = layers.RandomCrop(3, 4, seed=1)
    out = crop(x, training=True)
    assert out.shape == (2, 3, 4, 3)
    windows = [x[:, i : i + 3, j : j + 4] for i in range(3) for j in range(3)]
    assert any(torch.equal(out, w) for w in windows)
    bright = layers.RandomBrightness(0.5, seed=2)(torch.as_tensor(UINT8_IMAGES), training=True)
    assert bright.dtype == torch.uint8 and bright.shape == UINT8_IMAGES.shape
    contrast = layers.RandomContrast(0.5, value_range=(0, 1))(torch.rand(2, 4, 4, 3), training=True)
    assert float(contrast.min()) >= 0.0 and float(contrast.max()) <= 1.0


def test_in_a_model_and_argument_errors():
    inputs = keras.Input((5, 6, 3))
    x = layers.Rescaling(1 / 255.0)(inputs)
    x = layers.RandomFlip("horizontal")(x)
    x = layers.RandomRotation(0.1)(x)
    x = layers.Resizing(4, 4)(x)
    outputs = layers.CenterCrop(2, 2)(x)
    model = keras.Model(inputs, outputs)
    assert tuple(model.output_shape) == (None, 2, 2, 3)
    uint8_input = keras.Input((5, 6, 3), dtype="uint8")
    assert layers.Resizing(3, 3)(uint8_input).dtype == "uint8"
    assert layers.CenterCrop(3, 3)(uint8_input).dtype == "float32"
    y = model(torch.as_tensor(IMAGES))
    assert y.shape == (2, 2, 2, 3)
    with pytest.raises(ValueError, match="factor"):
        layers.RandomRotation(1.5)
    with pytest.raises(ValueError, match="height_factor"):
        layers.RandomZoom(-1.0)
    with pytest.raises(NotImplementedError, match="fill_mode"):
        layers.RandomTranslation(0.1, 0.1, fill_mode="mirror2")
    with pytest.raises(ValueError, match="interpolation"):
        layers.Resizing(2, 2, interpolation="lanczos7")
    with pytest.raises(ValueError, match="rank 3"):
        layers.CenterCrop(2, 2)(torch.zeros(2, 3))
    area = layers.Resizing(2, 3, interpolation="area")(torch.as_tensor(IMAGES[:, :4]))
    np.testing.assert_allclose(area.numpy(), IMAGES[:, :4].reshape(2, 2, 2, 3, 2, 3).mean(axis=(2, 4)), rtol=1e-5)
