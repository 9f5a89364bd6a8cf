"""ReversibleEmbedding against Keras 3: the lookup, the reverse projection (tied and
untied, soft-capped), masks and symbolic use."""

import numpy as np
import pytest

import keraslite as keras
from keraslite import layers
from keraslite.testing.layer_test import run_layer_test


@pytest.mark.parametrize(
    "kwargs, call_kwargs, shape, dtype, out_shape, weights",
    [
        ({"input_dim": 10, "output_dim": 4}, {}, (2, 3), "int32", (2, 3, 4), 1),
        ({"input_dim": 10, "output_dim": 4}, {"reverse": True}, (2, 3, 4), "float32", (2, 3, 10), 1),
        ({"input_dim": 7, "output_dim": 5, "tie_weights": False}, {"reverse": True}, (2, 5), "float32", (2, 7), 2),
        ({"input_dim": 7, "output_dim": 5, "logit_soft_cap": 0.5}, {"reverse": True}, (3, 5), "float32", (3, 7), 1),
    ],
)
def test_reversible_embedding_matches_keras(keras_oracle, kwargs, call_kwargs, shape, dtype, out_shape, weights):
    run_layer_test(
        layers.ReversibleEmbedding,
        kwargs,
        input_shape=shape,
        input_dtype=dtype,
        call_kwargs=call_kwargs,
        expected_output_shape=out_shape,
        expected_num_trainable_weights=weights,
        oracle=keras_oracle,
        compare_config_keys=True,
    )


def test_tied_reverse_projection_is_the_transposed_embedding():
    layer = layers.ReversibleEmbedding(6, 3, mask_zero=True)
    ids = np.array([[0, 2, 5]])
    vectors = layer(ids)
    assert vectors._keras_mask.tolist() == [[False, True, True]]
    logits = layer(vectors, reverse=True)
    table = layer.embeddings.detach().numpy()
    np.testing.assert_allclose(logits.detach().numpy(), table[ids] @ table.T, rtol=1e-5)
    assert getattr(logits, "_keras_mask", None) is None


def test_symbolic_model_ties_input_and_output():
    tokens = keras.Input(shape=(4,), dtype="int32")
    embedding = layers.ReversibleEmbedding(12, 6, reverse_dtype="float32")
    logits = embedding(layers.Dense(6)(embedding(tokens)), reverse=True)
    assert tuple(logits.shape) == (None, 4, 12)
    model = keras.Model(tokens, logits)
    assert len(model.trainable_weights) == 3  # one shared embedding matrix, the Dense kernel and bias
    assert model(np.array([[1, 2, 3, 4]])).shape == (1, 4, 12)


def test_initial_weights_include_the_reverse_matrix():
    table, reverse = np.ones((5, 2), "float32"), np.full((2, 5), 2.0, "float32")
    layer = layers.ReversibleEmbedding(5, 2, tie_weights=False, weights=[table, reverse])
    np.testing.assert_array_equal(layer.reverse_embeddings.detach().numpy(), reverse)
    assert layer(np.ones((1, 2), "float32"), reverse=True).detach().numpy().tolist() == [[4.0] * 5]
