"""Normalization and regularization layers: the shared harness against Keras 3, plus the
training-mode behaviour (moving statistics, frozen layers, masks, noise statistics)."""

import numpy as np
import pytest
import torch

from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

NORMALIZATION_CASES = [
    # (class, kwargs, input shape, trainable weights, non-trainable weights, call kwargs)
    (layers.BatchNormalization, {}, (3, 4), 2, 2, {}),
    (layers.BatchNormalization, {}, (2, 3, 4, 5), 2, 2, {}),
    (layers.BatchNormalization, {"axis": 1, "center": False}, (2, 3, 4, 5), 1, 2, {}),
    (layers.BatchNormalization, {"scale": False, "epsilon": 0.01}, (2, 5, 3), 1, 2, {}),
    (layers.BatchNormalization, {"momentum": 0.9}, (4, 3, 3, 2), 2, 2, {"training": True}),
    (layers.BatchNormalization, {"axis": 1}, (4, 3, 5), 2, 2, {"training": True}),
    (
        layers.BatchNormalization,
        {"gamma_initializer": "random_normal", "beta_initializer": "random_uniform"},
        (6, 4),
        2,
        2,
        {"training": True},
    ),
    (layers.LayerNormalization, {}, (2, 3, 4), 2, 0, {}),
    (layers.LayerNormalization, {"axis": [-2, -1], "epsilon": 1e-5}, (2, 3, 4), 2, 0, {}),
    (layers.LayerNormalization, {"axis": [1, 2], "center": False}, (2, 3, 4), 1, 0, {}),
    (layers.LayerNormalization, {"scale": False, "gamma_initializer": "random_normal"}, (2, 6), 1, 0, {}),
    (layers.LayerNormalization, {"rms_scaling": True}, (2, 3, 4), 1, 0, {}),
    (layers.GroupNormalization, {"groups": 2}, (2, 3, 4), 2, 0, {}),
    (layers.GroupNormalization, {"groups": -1}, (2, 3, 3, 4), 2, 0, {}),
    (layers.GroupNormalization, {"groups": 1, "center": False}, (2, 5, 6), 1, 0, {}),
    (layers.GroupNormalization, {"groups": 3, "axis": 1, "epsilon": 1e-5}, (2, 6, 4, 2), 2, 0, {}),
    (layers.RMSNormalization, {}, (2, 3, 4), 1, 0, {}),
    (layers.RMSNormalization, {"axis": [-2, -1], "epsilon": 1e-3}, (2, 3, 4), 1, 0, {}),
    (layers.UnitNormalization, {}, (2, 3, 4), 0, 0, {}),
    (layers.UnitNormalization, {"axis": [1, 2]}, (2, 3, 4), 0, 0, {}),
]


@pytest.mark.parametrize("cls, kwargs, shape, n_train, n_non_train, call_kwargs", NORMALIZATION_CASES)
def test_normalization_parity(keras_oracle, cls, kwargs, shape, n_train, n_non_train, call_kwargs):
    run_layer_test(
        cls,
        kwargs,
        input_shape=shape,
        expected_output_shape=shape,
        expected_num_trainable_weights=n_train,
        expected_num_non_trainable_weights=n_non_train,
        oracle=keras_oracle,
        call_kwargs=call_kwargs,
        check_training_step="training" not in call_kwargs,
        compare_config_keys=True,
    )


REGULARIZATION_CASES = [
    (layers.SpatialDropout1D, {"rate": 0.5}, (2, 3, 4)),
    (layers.SpatialDropout2D, {"rate": 0.5}, (2, 3, 3, 4)),
    (layers.SpatialDropout2D, {"rate": 0.3, "data_format": "channels_first"}, (2, 3, 3, 4)),
    (layers.SpatialDropout3D, {"rate": 0.5, "seed": 3}, (2, 2, 3, 3, 4)),
    (layers.GaussianDropout, {"rate": 0.4}, (2, 5)),
    (layers.GaussianNoise, {"stddev": 0.5, "seed": 1}, (2, 3, 4)),
    (layers.AlphaDropout, {"rate": 0.2, "noise_shape": [None, 1, 4]}, (2, 3, 4)),
    (layers.ActivityRegularization, {"l1": 0.01, "l2": 0.1}, (2, 3)),
]


@pytest.mark.parametrize("cls, kwargs, shape", REGULARIZATION_CASES)
def test_regularization_parity_in_inference(keras_oracle, cls, kwargs, shape):
    run_layer_test(
        cls,
        kwargs,
        input_shape=shape,
        expected_output_shape=shape,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        compare_config_keys=True,
    )


def test_batch_norm_moving_statistics_frozen_and_mask_match_keras(keras_oracle):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3, 5)).astype("float32") * 3 + 1
    mask = rng.random((4, 3)) > 0.3
    weights = [
        rng.random(5).astype("float32") + 0.5,
        rng.standard_normal(5).astype("float32"),
        rng.standard_normal(5).astype("float32"),
        rng.random(5).astype("float32") + 0.5,
    ]
    code = """
import torch
w = [inputs['g'], inputs['b'], inputs['m'], inputs['v']]
def make():
    layer = keras.layers.BatchNormalization(momentum=0.8)
    layer.build((None, 3, 5)); layer.set_weights(w); return layer
layer = make()
result['train'] = layer(inputs['x'], training=True).detach().cpu().numpy()
result['moving'] = [v.numpy() for v in layer.weights[2:]]
layer = make()
result['masked'] = layer(inputs['x'], training=True, mask=torch.tensor(inputs['mask'])).detach().cpu().numpy()
result['masked_moving'] = [v.numpy() for v in layer.weights[2:]]
layer = make(); layer.trainable = False
result['frozen'] = layer(inputs['x'], training=True).detach().cpu().numpy()
result['frozen_moving'] = [v.numpy() for v in layer.weights[2:]]
"""
    expected = keras_oracle.run(code, x=x, mask=mask, g=weights[0], b=weights[1], m=weights[2], v=weights[3])

    def make():
        layer = layers.BatchNormalization(momentum=0.8)
        layer.build((None, 3, 5))
        layer.set_weights(weights)
        return layer

    layer = make()
    np.testing.assert_allclose(
        layer(torch.tensor(x), training=True).detach().numpy(), expected["train"], rtol=1e-5, atol=1e-5
    )
    for ours, theirs in zip(layer.get_weights()[2:], expected["moving"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    layer = make()
    out = layer(torch.tensor(x), training=True, mask=torch.tensor(mask))
    np.testing.assert_allclose(out.detach().numpy(), expected["masked"], rtol=1e-5, atol=1e-5)
    for ours, theirs in zip(layer.get_weights()[2:], expected["masked_moving"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    layer = make()
    layer.trainable = False
    assert len(layer.non_trainable_weights) == 4 and not layer.trainable_weights
    np.testing.assert_allclose(
        layer(torch.tensor(x), training=True).detach().numpy(), expected["frozen"], rtol=1e-5, atol=1e-5
    )
    for ours, theirs in zip(layer.get_weights()[2:], expected["frozen_moving"]):
        np.testing.assert_allclose(ours, theirs)


def test_batch_norm_inference_by_default_and_rejects_bad_arguments():
    layer = layers.BatchNormalization()
    x = torch.randn(8, 3) * 5 + 2
    np.testing.assert_allclose(layer(x).detach().numpy(), (x / np.sqrt(1 + 1e-3)).numpy(), rtol=1e-6)
    assert np.allclose(layer.moving_mean.detach().numpy(), 0)
    layer(x, training=True)
    np.testing.assert_allclose(layer.moving_mean.detach().numpy(), 0.01 * x.mean(0).numpy(), rtol=1e-5)
    # synchronized=True (tests/distribution: statistics over every process) changes nothing in one.
    synced = layers.BatchNormalization(synchronized=True)
    np.testing.assert_allclose(synced(x, training=True).detach().numpy(), layer(x, training=True).detach().numpy())
    with pytest.raises(ValueError, match="mask"):
        layers.BatchNormalization()(torch.randn(2, 3, 4), training=True, mask=torch.ones(2, dtype=torch.bool))
    with pytest.raises(ValueError, match="groups"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="multiple"):
        layers.GroupNormalization(groups=3)(torch.randn(2, 4))
    with pytest.raises(TypeError, match="axis"):
        layers.LayerNormalization(axis="x")


def test_layer_norm_over_non_trailing_axes():
    # Keras 3's torch backend sends these axes to F.layer_norm and fails; TF/JAX
    # normalize over them, and so do we: check against NumPy.
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 2)).astype("float32")
    layer = layers.LayerNormalization(axis=[1, 2], epsilon=1e-5)
    out = layer(torch.tensor(x)).detach().numpy()
    mean, var = x.mean(axis=(1, 2), keepdims=True), x.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-5), rtol=1e-4, atol=1e-5)
    assert layer.gamma.shape == (3, 4)


def test_noise_layers_in_training():
    torch.manual_seed(0)
    x = torch.ones(64, 8, 8, 16)
    y = layers.SpatialDropout2D(0.5)(x, training=True)
    # One draw per (sample, channel): every spatial position agrees.
    assert torch.all(y == y[:, :1, :1, :])
    assert set(torch.unique(y).tolist()) <= {0.0, 2.0}
    y = layers.SpatialDropout2D(0.5, data_format="channels_first")(x, training=True)
    assert torch.all(y == y[:, :, :1, :1])
    y = layers.SpatialDropout1D(0.5)(torch.ones(32, 5, 6), training=True)
    assert torch.all(y == y[:, :1, :])
    big = torch.randn(200, 500)
    noisy = layers.GaussianNoise(0.5)(big, training=True) - big
    assert abs(noisy.std().item() - 0.5) < 0.02
    mult = layers.GaussianDropout(0.5)(torch.ones(200, 500), training=True)
    assert abs(mult.mean().item() - 1) < 0.02 and abs(mult.std().item() - 1) < 0.02
    selu = torch.nn.functional.selu(torch.randn(400, 500))
    dropped = layers.AlphaDropout(0.2)(selu, training=True)
    assert abs(dropped.mean().item()) < 0.03 and abs(dropped.std().item() - 1) < 0.03
    for layer in (
        layers.GaussianNoise(0.5),
        layers.GaussianDropout(0.5),
        layers.AlphaDropout(0.3),
        layers.SpatialDropout1D(0.5),
    ):
        assert torch.equal(layer(torch.ones(2, 3, 4), training=False), torch.ones(2, 3, 4))


def test_activity_regularization_loss_matches_keras(keras_oracle):
    x = np.arange(-3, 3, dtype="float32").reshape(2, 3)
    expected = keras_oracle.run(
        "layer = keras.layers.ActivityRegularization(l1=0.1, l2=0.01)\nlayer(inputs['x'])\n"
        "result['loss'] = float(layer.losses[0])",
        x=x,
    )
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    layer(torch.tensor(x))
    assert len(layer.losses) == 1
    assert abs(float(layer.losses[0]) - expected["loss"]) < 1e-6


def test_which_normalization_layers_pass_a_mask_on():
    # As Keras 3: LayerNormalization and BatchNormalization keep the input's mask,
    # RMSNormalization does not support masking.
    assert layers.LayerNormalization().supports_masking and layers.BatchNormalization().supports_masking
    assert not layers.RMSNormalization().supports_masking
    values = torch.ones(2, 3, 4)
    values._keras_mask = torch.tensor([[True, True, False], [True, False, False]])
    assert layers.LayerNormalization()(values)._keras_mask is values._keras_mask
    with pytest.warns(UserWarning, match="RMSNormalization"):
        assert getattr(layers.RMSNormalization()(values), "_keras_mask", None) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"renorm": True, "momentum": 0.8, "renorm_momentum": 0.7},
        {"renorm": True, "renorm_clipping": {"rmax": 1.5, "rmin": 0.8, "dmax": 0.2}, "center": False},
        {"renorm": True, "axis": 1, "scale": False},
    ],
)
def test_batch_renormalization_training_matches_keras(keras_oracle, kwargs):
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((6, 3, 4)) * (i + 1) + i).astype("float32") for i in range(3)]
    layer = layers.BatchNormalization(**kwargs)
    layer(batches[0])
    # Non-trivial starting statistics and affine weights, shared with Keras.
    weights = [w + rng.uniform(0.1, 0.5, w.shape).astype("float32") for w in layer.get_weights()]
    layer.set_weights(weights)
    code = f"""
import torch
layer = keras.layers.BatchNormalization(**{kwargs!r})
layer(inputs['x0'])
layer.set_weights([inputs['w%d' % i] for i in range({len(weights)})])
outs = []
for i in range(3):
    x = torch.tensor(inputs['x%d' % i], requires_grad=True)
    y = layer(x, training=True)
    (y ** 2).mean().backward()
    outs += [y.detach().numpy(), x.grad.numpy()]
result['outs'] = outs
result['weights'] = layer.get_weights()
result['names'] = [w.name for w in layer.weights]
"""
    named = {f"x{i}": b for i, b in enumerate(batches)}
    named.update({f"w{i}": w for i, w in enumerate(weights)})
    expected = keras_oracle.run(code, **named)
    assert [w.name for w in layer.weights] == expected["names"]
    ours = []
    for batch in batches:
        x = torch.tensor(batch, requires_grad=True)
        y = layer(x, training=True)
        (y**2).mean().backward()
        ours += [y.detach().numpy(), x.grad.numpy()]
    for mine, theirs in zip(ours + layer.get_weights(), expected["outs"] + expected["weights"]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-5)


def test_batch_renormalization_checks_its_clipping():
    with pytest.raises(ValueError, match="renorm_clipping"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"rmin": 1.0, "max": 2.0})
    with pytest.raises(ValueError, match="rmax should be greater"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"rmin": 2.0, "rmax": 1.0})
    layer = layers.BatchNormalization(renorm=True)
    layer(np.ones((2, 3), "float32"))
    assert [w.name for w in layer.non_trainable_weights][-3:] == ["moving_stddev", "renorm_mean", "renorm_stddev"]
    assert layers.BatchNormalization.from_config(layer.get_config()).renorm
