"""Wrapper and SpectralNormalization: configs, weights in Keras's order, and one
training call against Keras 3 (the normalized kernel and the power-iteration vector)."""

import numpy as np
import pytest
import torch

from keraslite import layers
from keraslite.testing.layer_test import run_layer_test


def test_spectral_normalization_harness():
    layer = run_layer_test(
        layers.SpectralNormalization,
        {"layer": layers.Dense(3), "power_iterations": 2},
        input_shape=(2, 4),
        expected_output_shape=(2, 3),
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=1,
    )
    assert [w.path.split("/")[-1] for w in layer.weights] == ["kernel", "vector_u", "bias"]
    assert layer.get_config()["layer"]["class_name"] == "Dense"


@pytest.mark.parametrize(
    "inner, shape",
    [
        ("keras.layers.Dense(3)", (2, 4)),
        ("keras.layers.Conv2D(3, 2)", (2, 5, 5, 2)),
        ("keras.layers.Embedding(6, 3)", (2, 3)),
    ],
)
def test_training_call_matches_keras(keras_oracle, inner, shape):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 6, shape) if "Embedding" in inner else rng.standard_normal(shape).astype("float32")
    import keraslite as keras  # noqa: F401  (eval'd below, as in the Keras code)

    layer = layers.SpectralNormalization(eval(inner), power_iterations=3)
    layer(x)
    weights = layer.get_weights()
    code = f"""
layer = keras.layers.SpectralNormalization({inner}, power_iterations=3)
layer(inputs['x'])
layer.set_weights([inputs['w%d' % i] for i in range({len(weights)})])
result['train'] = layer(inputs['x'], training=True).detach().numpy()
result['infer'] = layer(inputs['x']).detach().numpy()
result['weights'] = layer.get_weights()
"""
    expected = keras_oracle.run(code, x=x, **{f"w{i}": w for i, w in enumerate(weights)})
    trained = layer(x, training=True).detach().numpy()
    if "Embedding" not in inner:
        # (Keras casts the output to the input's dtype: integer ids give an all-zero
        # integer output; keraslite keeps the embedding vectors. The weights still match.)
        np.testing.assert_allclose(trained, expected["train"], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(layer(x).detach().numpy(), expected["infer"], rtol=1e-4, atol=1e-5)
    for ours, theirs in zip(layer.get_weights(), expected["weights"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


def test_repeated_training_calls_drive_the_spectral_norm_to_one():
    torch.manual_seed(0)
    layer = layers.SpectralNormalization(layers.Dense(5))
    x = np.ones((2, 8), dtype="float32")
    for _ in range(30):
        layer(x, training=True)
    assert abs(np.linalg.svd(layer.layer.kernel.detach().numpy())[1][0] - 1.0) < 1e-3


def test_wrapper_checks_its_layer_and_time_distributed_is_one():
    with pytest.raises(ValueError, match="Layer"):
        layers.SpectralNormalization("dense")
    with pytest.raises(ValueError, match="power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="kernel"):
        layers.SpectralNormalization(layers.Dropout(0.1))(np.ones((1, 2), "float32"))
    assert issubclass(layers.TimeDistributed, layers.Wrapper)
    assert issubclass(layers.SpectralNormalization, layers.Wrapper)
    wrapped = layers.TimeDistributed(layers.Dense(2))
    clone = layers.TimeDistributed.from_config(wrapped.get_config())
    assert clone.layer.units == 2 and clone.layer is not wrapped.layer
