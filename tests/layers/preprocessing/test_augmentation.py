"""The Keras 3 augmentation layers (MixUp, CutMix, RandAugment, colour, tone-mapping, warp
and filter layers, Pipeline, MaxNumBoundingBoxes).

Deterministic settings (degenerate factor ranges, AutoContrast, Equalization, CLAHE) are
checked against real Keras 3 end to end; random layers are checked against Keras on the
same explicit transformation (the dict `get_random_transformation` returns), and for
shape, dtype, value range, that training changes the images, inference identity and
config round trips.
"""

import json

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

RNG = np.random.default_rng(3)
IMAGES = RNG.uniform(0, 255, size=(2, 6, 7, 3)).astype("float32")
IMAGES_CF = np.ascontiguousarray(IMAGES.transpose(0, 3, 1, 2))
UNIT_IMAGES = (IMAGES / 255.0).astype("float32")

DETERMINISTIC = [
    (layers.AutoContrast, {}, IMAGES),
    (layers.AutoContrast, {"value_range": (0, 1)}, UNIT_IMAGES),
    (layers.Equalization, {}, IMAGES),
    (layers.Equalization, {"bins": 32, "value_range": (0, 1), "data_format": "channels_first"}, UNIT_IMAGES),
    (layers.ContrastLimitedAdaptiveHistogramEqualization, {"tile_grid_size": (2, 3)}, IMAGES),
    (layers.ContrastLimitedAdaptiveHistogramEqualization, {"tile_grid_size": (4, 4), "clip_limit": 0.0}, IMAGES),
    (layers.Solarization, {}, IMAGES),
    (layers.Solarization, {"value_range": (0, 1)}, UNIT_IMAGES),
    (layers.RandomPosterization, {"factor": [3, 3]}, IMAGES),
    (layers.RandomPosterization, {"factor": [5, 5], "value_range": (0, 1)}, UNIT_IMAGES),
    (layers.RandomGrayscale, {"factor": 1.0}, IMAGES),
    (layers.RandomGrayscale, {"factor": 1.0, "data_format": "channels_first"}, IMAGES_CF),
    (layers.RandomColorDegeneration, {"factor": [0.6, 0.6]}, IMAGES),
    (layers.RandomSharpness, {"factor": [0.9, 0.9]}, IMAGES),
    (layers.RandomSharpness, {"factor": [0.2, 0.2], "data_format": "channels_first"}, IMAGES_CF),
    (layers.RandomSaturation, {"factor": [0.3, 0.3]}, IMAGES),
    (
        layers.RandomSaturation,
        {"factor": [0.8, 0.8], "value_range": (0, 1), "data_format": "channels_first"},
        IMAGES_CF,
    ),
    (layers.RandomInvert, {"factor": [1.0, 1.0]}, IMAGES),
    (layers.RandomGaussianBlur, {"factor": [1.0, 1.0], "sigma": [0.7, 0.7]}, IMAGES),
    (
        layers.RandomGaussianBlur,
        {"factor": [1.0, 1.0], "kernel_size": 5, "sigma": [0.4, 0.4], "data_format": "channels_first"},
        IMAGES_CF,
    ),
    (layers.RandomShear, {"x_factor": 0.0, "y_factor": 0.0, "fill_mode": "constant"}, IMAGES),
    (layers.RandomPerspective, {"factor": [1.0, 1.0], "scale": 0.0}, IMAGES),
]


@pytest.mark.parametrize(
    "cls, kwargs, images", DETERMINISTIC, ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(DETERMINISTIC)]
)
def test_deterministic_settings_match_keras(cls, kwargs, images, keras_oracle):
    run_layer_test(
        cls,
        kwargs,
        input_shape=images.shape,
        input_data=images,
        expected_output_shape=images.shape,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        call_kwargs={"training": True},
        check_training_step=False,
        # Histogram / bit-shift layers have no useful input gradient.
        check_gradients=cls.__name__ not in ("Equalization", "RandomPosterization", "Solarization", "RandomInvert")
        and "Histogram" not in cls.__name__,
        rtol=1e-5,
        atol=2e-4 if images is not UNIT_IMAGES else 1e-6,
        compare_config_keys=True,
    )


# The same hand-made transformation given to Keras's `transform_images` and ours.
PERMUTATION = np.array([1, 0], "int64")
EXPLICIT = {
    "MixUp": ({}, {"mix_weight": np.array([0.3, 0.8], "float32"), "permutation_order": PERMUTATION}),
    "CutMix": (
        {},
        {
            "permutation_order": PERMUTATION,
            "batch_masks": np.broadcast_to(
                (np.arange(7)[None, None, :, None] >= 2) & (np.arange(6)[None, :, None, None] < 4), (2, 6, 7, 3)
            ).copy(),
            "mix_weight": np.array([0.6, 0.6], "float32"),
        },
    ),
    "RandomHue": ({"factor": 0.8}, {"factor": np.array([0.3, -0.15], "float32")}),
    "RandomSaturation": ({"factor": 0.5}, {"factor": np.array([0.4, 2.5], "float32")}),
    "Solarization": (
        {"addition_factor": 0.5, "threshold_factor": 0.5},
        {
            "additions": np.array([10.0, 40.0], "float32").reshape(2, 1, 1, 1),
            "thresholds": np.array([120.0, 60.0], "float32").reshape(2, 1, 1, 1),
        },
    ),
    "RandomShear": (
        {"x_factor": 0.5, "y_factor": 0.5, "fill_mode": "constant", "fill_value": 9.0},
        {"shear_factor": np.array([[0.3, -0.2], [-0.1, 0.25]], "float32")},
    ),
    "RandomPerspective": (
        {"fill_value": 3.0},
        {
            "apply_perspective": np.array([True, False]),
            "start_points": np.tile(np.array([[[0, 0], [6, 0], [0, 5], [6, 5]]], "float32"), (2, 1, 1)),
            "end_points": np.tile(np.array([[[0.5, 0.3], [5.5, 0], [0, 4.2], [6, 5]]], "float32"), (2, 1, 1)),
        },
    ),
    "RandomErasing": (
        {},
        {
            "apply_erasing": np.array([True, False]),
            "batch_masks": np.broadcast_to(np.arange(7)[None, None, :, None] < 3, (2, 6, 7, 3)).copy(),
            "fill_value": np.full((2, 6, 7, 3), 17.0, "float32"),
        },
    ),
    "RandomInvert": ({}, {"apply_inversion": np.array([False, True])}),
    "RandomColorDegeneration": ({"factor": 0.5}, {"factor": np.array([0.2, -0.4], "float32").reshape(2, 1, 1, 1)}),
    "RandomSharpness": ({"factor": 0.5}, {"factor": np.array([0.1, 0.7], "float32")}),
    "RandomPosterization": ({"factor": 6}, {"shift_factor": np.array([2, 5], "uint8")}),
    "RandomGaussianBlur": (
        {"kernel_size": 3},
        {"should_apply_blur": np.array([True, False]), "blur_factor": np.array([0.5, 0.9], "float32")},
    ),
}


@pytest.fixture(scope="module")
def keras_explicit(keras_oracle):
    lines = ["import torch", "x = torch.tensor(inputs['images'])"]
    arrays = {"images": IMAGES}
    for name, (kwargs, transformation) in EXPLICIT.items():
        parts = []
        for key, value in transformation.items():
            arrays[f"{name}__{key}"] = value
            parts.append(f"{key!r}: torch.tensor(inputs[{name + '__' + key!r}])")
        lines.append(
            f"layer = keras.layers.{name}(**json.loads({json.dumps(kwargs)!r}))\n"
            f"result[{name!r}] = layer.transform_images(x, {{{', '.join(parts)}}}).numpy()"
        )
    lines.append(
        "result['MixUp_labels'] = keras.layers.MixUp().transform_labels(torch.eye(2), "
        "{'mix_weight': torch.tensor([0.3, 0.8]), 'permutation_order': torch.tensor([1, 0])}).numpy()"
    )
    return keras_oracle.run("import json\n" + "\n".join(lines), **arrays)


@pytest.mark.parametrize("name", sorted(EXPLICIT))
def test_explicit_transformation_matches_keras(name, keras_explicit):
    kwargs, transformation = EXPLICIT[name]
    layer = getattr(layers, name)(**kwargs)
    ours = layer.transform_images(
        torch.as_tensor(IMAGES), {key: torch.as_tensor(value) for key, value in transformation.items()}
    )
    np.testing.assert_allclose(ours.numpy(), keras_explicit[name], rtol=1e-5, atol=2e-4)


def test_mixup_and_cutmix_mix_labels(keras_explicit):
    transformation = {"mix_weight": torch.tensor([0.3, 0.8]), "permutation_order": torch.tensor([1, 0])}
    labels = layers.MixUp().transform_labels(torch.eye(2), transformation)
    np.testing.assert_allclose(labels.numpy(), keras_explicit["MixUp_labels"], rtol=1e-6)
    images = torch.as_tensor(IMAGES)
    one_hot = torch.eye(3)[[0, 2]]
    for layer in (layers.MixUp(alpha=0.5, seed=4), layers.CutMix(seed=4)):
        out = layer({"images": images, "labels": one_hot}, training=True)
        assert out["images"].shape == images.shape
        assert torch.allclose(out["labels"].sum(-1), torch.ones(2))  # still distributions
        assert not torch.allclose(out["labels"], one_hot)
        same = layer({"images": images, "labels": one_hot}, training=False)
        assert torch.equal(same["labels"], one_hot) and torch.equal(same["images"], images)


RANDOM_LAYERS = [
    (layers.MixUp, {"seed": 1}),
    (layers.CutMix, {"seed": 1}),
    (
        layers.RandomColorJitter,
        {"brightness_factor": 0.2, "contrast_factor": 0.5, "saturation_factor": 0.5, "hue_factor": 0.3, "seed": 1},
    ),
    (layers.RandomGrayscale, {"factor": 0.5, "seed": 1}),
    (layers.RandAugment, {"seed": 1, "num_ops": 3}),
    (layers.RandomErasing, {"seed": 1}),
    (layers.RandomSaturation, {"factor": 0.7, "seed": 1}),
    (layers.RandomHue, {"factor": 0.5, "seed": 1}),
    (layers.Solarization, {"addition_factor": 0.2, "threshold_factor": 0.6, "seed": 1}),
    (layers.RandomColorDegeneration, {"factor": 0.8, "seed": 1}),
    (layers.RandomSharpness, {"factor": 0.9, "seed": 1}),
    (layers.RandomShear, {"x_factor": 0.4, "y_factor": 0.4, "seed": 1}),
    (layers.RandomPerspective, {"seed": 1, "scale": 0.5}),
    (layers.RandomPosterization, {"factor": 4, "seed": 1}),
    (layers.RandomInvert, {"factor": 1.0, "seed": 1}),
    (layers.RandomElasticTransform, {"seed": 1}),
    (layers.RandomGaussianBlur, {"seed": 1}),
    (layers.AugMix, {"seed": 1}),
]


@pytest.mark.parametrize("cls, kwargs", RANDOM_LAYERS, ids=[c.__name__ for c, _ in RANDOM_LAYERS])
def test_random_layer_behaviour(cls, kwargs):
    images = torch.as_tensor(RNG.uniform(0, 255, size=(4, 6, 7, 3)).astype("float32"))
    layer = run_layer_test(
        cls,
        kwargs,
        input_shape=tuple(images.shape),
        input_data=images.numpy(),
        expected_output_shape=tuple(images.shape),
        expected_num_trainable_weights=0,
        check_training_step=False,
    )
    out = layer(images, training=True)
    assert out.dtype == torch.float32 and out.shape == images.shape
    assert float(out.min()) >= -1e-3 and float(out.max()) <= 255 + 1e-3
    assert not torch.allclose(out, images), "training should change the images"
    assert torch.equal(layer(images, training=False), images)
    single = layer(images[0], training=True)
    assert single.shape == images[0].shape
    # A seeded layer rebuilt from its config draws the same first transformation.
    if "seed" in layer.get_config():
        torch.manual_seed(0)
        first = cls.from_config(layer.get_config())(images, training=True)
        torch.manual_seed(0)
        again = cls.from_config(layer.get_config())(images, training=True)
        torch.testing.assert_close(first, again)


def test_factor_zero_is_identity_in_training():
    images = torch.as_tensor(IMAGES)
    for layer in (
        layers.RandomHue(0.0),
        layers.RandomColorDegeneration(0.0),
        layers.RandomShear(0.0, 0.0),
        layers.RandomGrayscale(0.0),
        layers.RandomInvert(0.0),
        layers.RandomErasing(0.0),
        layers.RandomGaussianBlur(0.0),
        layers.RandomPerspective(0.0),
        layers.RandomElasticTransform(0.0),
        layers.RandomColorJitter(),
    ):
        # (RandomHue's HSV round trip is exact only up to float rounding.)
        torch.testing.assert_close(layer(images, training=True), images, atol=1e-3, rtol=0, msg=type(layer).__name__)


def test_configs_match_keras(keras_oracle):
    builders = {name: kwargs for (cls, kwargs) in RANDOM_LAYERS for name in [cls.__name__]}
    builders["MaxNumBoundingBoxes"] = {"max_number": 5}
    code = (
        "import json\nspecs = json.loads(" + repr(json.dumps(builders)) + ")\n"
        "for name, kwargs in specs.items():\n"
        "    config = getattr(keras.layers, name)(**kwargs).get_config()\n"
        "    config.pop('name'), config.pop('dtype')\n"
        "    result[name] = json.dumps(config, sort_keys=True, default=list)\n"
    )
    expected = keras_oracle.run(code)
    for name, kwargs in builders.items():
        config = getattr(layers, name)(**kwargs).get_config()
        config.pop("name"), config.pop("dtype")
        theirs = json.loads(str(expected[name]))
        ours = json.loads(json.dumps(config, sort_keys=True, default=list))
        assert ours == theirs, name


def test_pipeline_applies_layers_in_order_and_round_trips():
    images = torch.as_tensor(IMAGES)
    pipeline = layers.Pipeline([layers.RandomInvert([1.0, 1.0]), layers.Rescaling(0.5)])
    out = pipeline(images, training=True)
    torch.testing.assert_close(out, (255 - images) * 0.5)
    torch.testing.assert_close(pipeline(images), images * 0.5)  # inference: invert is identity
    clone = layers.Pipeline.from_config(pipeline.get_config())
    assert [type(layer).__name__ for layer in clone.layers] == ["RandomInvert", "Rescaling"]
    torch.testing.assert_close(clone(images, training=True), out)
    with pytest.raises(ValueError, match="layers"):
        layers.Pipeline.from_config({"name": "p"})
    inputs = keras.Input((6, 7, 3))
    model = keras.Model(inputs, pipeline(inputs))
    torch.testing.assert_close(model(images), images * 0.5)


def test_max_num_bounding_boxes_pads_and_truncates():
    boxes = torch.arange(2 * 3 * 4, dtype=torch.float32).reshape(2, 3, 4)
    labels = torch.tensor([[1, 2, 3], [4, 5, 6]])
    images = torch.as_tensor(IMAGES)
    data = {"images": images, "bounding_boxes": {"boxes": boxes, "labels": labels}}
    with pytest.raises(ValueError, match="bounding_box_format='xyxy'"):
        layers.MaxNumBoundingBoxes(5)(data)  # as in Keras, boxes need a declared format
    padded = layers.MaxNumBoundingBoxes(5, bounding_box_format="xyxy")(data)
    assert padded["bounding_boxes"]["boxes"].shape == (2, 5, 4)
    assert torch.equal(padded["bounding_boxes"]["labels"][:, 3:], torch.full((2, 2), -1))
    assert torch.equal(padded["images"], images)
    cut = layers.MaxNumBoundingBoxes(2, fill_value=0, bounding_box_format="xyxy")(data)
    assert torch.equal(cut["bounding_boxes"]["boxes"], boxes[:, :2])
    with pytest.raises(KeyError, match="unsupported keys"):
        layers.MaxNumBoundingBoxes(2, bounding_box_format="xyxy")(
            {"images": images, "bounding_boxes": {"boxes": boxes, "scores": labels}}
        )


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: layers.RandomGrayscale(1.5), "between 0 and 1"),
        (lambda: layers.CutMix(factor=2.0), "factor"),
        (lambda: layers.Solarization(addition_factor=1.5), "addition_factor"),
        (lambda: layers.RandomPosterization(9), "factor"),
        (lambda: layers.RandomSaturation(0.5, value_range=5), "value_range"),
        (lambda: layers.RandomGaussianBlur(kernel_size=4), "odd"),
        (lambda: layers.RandomPerspective(scale=2.0), "scale"),
        (lambda: layers.RandomErasing(fill_value=[1, 2]), "fill_value"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_masks_and_boxes_pass_colour_layers_and_stop_warps():
    images = torch.as_tensor(IMAGES)
    masks = torch.zeros(2, 6, 7, 1)
    out = layers.RandomInvert([1.0, 1.0])({"images": images, "segmentation_masks": masks}, training=True)
    assert torch.equal(out["segmentation_masks"], masks)
    torch.testing.assert_close(out["images"], 255 - images)
    with pytest.raises(NotImplementedError, match="segmentation_masks"):
        layers.RandomShear(0.2)({"images": images, "segmentation_masks": masks}, training=True)


def test_bad_modes_are_not_implemented():
    with pytest.raises(NotImplementedError, match="fill_mode"):
        layers.RandomShear(fill_mode="mirror")
    with pytest.raises(NotImplementedError, match="interpolation"):
        layers.RandomElasticTransform(interpolation="bicubic")


def test_augmentations_in_a_model_run_only_in_training():
    inputs = keras.Input((6, 7, 3))
    x = layers.RandAugment(seed=2)(inputs)
    x = layers.RandomColorJitter(brightness_factor=0.3, seed=2)(x)
    outputs = layers.MixUp(seed=2)(x)
    model = keras.Model(inputs, outputs)
    images = torch.as_tensor(IMAGES)
    torch.testing.assert_close(model(images), images)
    assert not torch.allclose(model(images, training=True), images)
