"""Dense, Activation, Dropout, Embedding, Identity through the shared harness, with
parity against real Keras 3."""

import numpy as np
import pytest
import torch

from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

DENSE_CASES = [
    ({"units": 3}, (2, 4), (2, 3)),
    ({"units": 5, "activation": "relu", "use_bias": False}, (2, 4), (2, 5)),
    ({"units": 2, "activation": "softmax"}, (2, 3, 4), (2, 3, 2)),
    ({"units": 2, "kernel_initializer": "he_normal", "bias_initializer": "ones"}, (3, 6), (3, 2)),
]


@pytest.mark.parametrize("kwargs,input_shape,output_shape", DENSE_CASES)
def test_dense(kwargs, input_shape, output_shape, keras_oracle):
    run_layer_test(
        layers.Dense,
        kwargs,
        input_shape=input_shape,
        expected_output_shape=output_shape,
        expected_num_trainable_weights=1 + kwargs.get("use_bias", True),
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
    )


@pytest.mark.parametrize("activation", ["relu", "tanh", "softmax", "gelu", "selu"])
def test_activation(activation, keras_oracle):
    run_layer_test(
        layers.Activation,
        {"activation": activation},
        input_shape=(2, 5),
        expected_output_shape=(2, 5),
        expected_num_trainable_weights=0,
        oracle=keras_oracle,
    )


def test_identity(keras_oracle):
    run_layer_test(layers.Identity, {}, input_shape=(2, 3), expected_output_shape=(2, 3), oracle=keras_oracle)


@pytest.mark.parametrize(
    "kwargs", [{"input_dim": 10, "output_dim": 4}, {"input_dim": 12, "output_dim": 3, "embeddings_initializer": "ones"}]
)
def test_embedding(kwargs, keras_oracle):
    run_layer_test(
        layers.Embedding,
        kwargs,
        input_shape=(2, 5),
        input_dtype="int32",
        expected_output_shape=(2, 5, kwargs["output_dim"]),
        expected_num_trainable_weights=1,
        oracle=keras_oracle,
        check_gradients=False,
    )


def test_embedding_accepts_float_indices():
    layer = layers.Embedding(5, 2)
    out = layer(torch.tensor([[1.0, 4.0]]))
    assert tuple(out.shape) == (1, 2, 2)


def test_dropout_inference_identity_and_training_scale():
    layer = layers.Dropout(0.25)
    x = torch.ones(200, 200)
    assert torch.equal(layer(x), x)
    y = layer(x, training=True)
    kept = y[y != 0]
    assert torch.allclose(kept, torch.full_like(kept, 1 / 0.75))
    assert abs((y == 0).float().mean().item() - 0.25) < 0.02


def test_dropout_noise_shape_drops_whole_features():
    layer = layers.Dropout(0.5, noise_shape=(None, 1, 8))
    y = layer(torch.ones(4, 6, 8), training=True)
    assert torch.all((y == 0).all(dim=1) | (y != 0).all(dim=1))


def test_dropout_config_and_errors(keras_oracle):
    run_layer_test(layers.Dropout, {"rate": 0.3}, input_shape=(2, 3), expected_output_shape=(2, 3), oracle=keras_oracle)
    with pytest.raises(ValueError, match="Received: rate=1.5"):
        layers.Dropout(1.5)


def test_dense_keras_config_keys(keras_oracle):
    expected = keras_oracle.run("result['config'] = keras.layers.Dense(3, activation='relu', name='d').get_config()")
    ours = layers.Dense(3, activation="relu", name="d").get_config()
    theirs = expected["config"]
    assert set(ours) <= set(theirs) | {"batch_input_shape"}
    for key in ("units", "activation", "use_bias", "kernel_initializer", "bias_initializer", "name", "trainable"):
        assert ours[key] == theirs[key], key
    np.testing.assert_equal(ours["kernel_regularizer"], theirs["kernel_regularizer"])
