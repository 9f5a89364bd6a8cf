"""Masked recurrent layers under `jit_compile=True` (layers/rnn/graph_breaks.py): each runs
between two compiled graphs instead of unrolling its step loop into one, and the compiled
model computes what the eager one does."""

import numpy as np
import torch

import keraslite as keras
from keraslite import layers


def _masked_text_model(jit_compile):
    keras.utils.set_random_seed(3)
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(50, 8, mask_zero=True)(inputs)
    x = layers.Bidirectional(layers.LSTM(4, return_sequences=True))(x)
    x = layers.GRU(3)(x)
    model = keras.Model(inputs, layers.Dense(1)(x))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", jit_compile=jit_compile)
    return model


def _right_padded_tokens(rows=24, steps=9):
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, 50, (rows, steps)).astype("int32")
    lengths = rng.integers(0, steps + 1, rows)
    tokens[np.arange(steps)[None, :] >= lengths[:, None]] = 0
    return tokens, rng.integers(0, 2, (rows, 1)).astype("float32")


def test_one_graph_break_per_masked_rnn_layer():
    torch._dynamo.reset()
    model = _masked_text_model(False)
    tokens, _ = _right_padded_tokens()
    with torch.no_grad():
        explanation = torch._dynamo.explain(lambda x: model(x, training=False))(torch.as_tensor(tokens))
    assert explanation.graph_break_count == 2, explanation.break_reasons
    assert all("disable" in str(reason.reason) for reason in explanation.break_reasons)


def test_compiled_masked_model_matches_eager():
    torch._dynamo.reset()
    tokens, labels = _right_padded_tokens()
    eager, compiled = _masked_text_model(False), _masked_text_model(True)
    compiled.set_weights(eager.get_weights())
    np.testing.assert_allclose(
        compiled.predict(tokens, batch_size=8, verbose=0), eager.predict(tokens, batch_size=8, verbose=0), rtol=1e-5
    )
    history_eager = eager.fit(tokens, labels, batch_size=8, epochs=2, verbose=0, shuffle=False)
    history_compiled = compiled.fit(tokens, labels, batch_size=8, epochs=2, verbose=0, shuffle=False)
    np.testing.assert_allclose(history_compiled.history["loss"], history_eager.history["loss"], rtol=1e-4)
    for a, b in zip(compiled.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
