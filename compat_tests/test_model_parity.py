"""End-to-end parity with real Keras 3: the same architecture and the same weights
(through set_weights) give the same predictions, parameter counts and weight shapes."""

import numpy as np
import pytest
import torch
from seed_cells import build_all

KERAS_BUILDERS = {
    "mnist_model": """
inputs = keras.Input(shape=(784,))
x = keras.layers.Dense(64, activation='relu')(inputs)
x = keras.layers.Dense(64, activation='relu')(x)
model = keras.Model(inputs, keras.layers.Dense(10)(x))
""",
    "autoencoder": """
layers = keras.layers
encoder_input = keras.Input(shape=(28, 28, 1), name='img')
x = layers.Conv2D(16, 3, activation='relu')(encoder_input)
x = layers.Conv2D(32, 3, activation='relu')(x)
x = layers.MaxPooling2D(3)(x)
x = layers.Conv2D(32, 3, activation='relu')(x)
x = layers.Conv2D(16, 3, activation='relu')(x)
x = layers.GlobalMaxPooling2D()(x)
x = layers.Reshape((4, 4, 1))(x)
x = layers.Conv2DTranspose(16, 3, activation='relu')(x)
x = layers.Conv2DTranspose(32, 3, activation='relu')(x)
x = layers.UpSampling2D(3)(x)
x = layers.Conv2DTranspose(16, 3, activation='relu')(x)
model = keras.Model(encoder_input, layers.Conv2DTranspose(1, 3, activation='relu')(x))
""",
    "toy_resnet": """
layers = keras.layers
inputs = keras.Input(shape=(32, 32, 3), name='img')
x = layers.Conv2D(32, 3, activation='relu')(inputs)
x = layers.Conv2D(64, 3, activation='relu')(x)
block_1_output = layers.MaxPooling2D(3)(x)
x = layers.Conv2D(64, 3, activation='relu', padding='same')(block_1_output)
x = layers.Conv2D(64, 3, activation='relu', padding='same')(x)
block_2_output = layers.add([x, block_1_output])
x = layers.Conv2D(64, 3, activation='relu', padding='same')(block_2_output)
x = layers.Conv2D(64, 3, activation='relu', padding='same')(x)
block_3_output = layers.add([x, block_2_output])
x = layers.Conv2D(64, 3, activation='relu')(block_3_output)
x = layers.GlobalAveragePooling2D()(x)
x = layers.Dense(256, activation='relu')(x)
x = layers.Dropout(0.5)(x)
model = keras.Model(inputs, layers.Dense(10)(x))
""",
    "ticket": """
layers = keras.layers
title_input = keras.Input(shape=(None,), name='title')
body_input = keras.Input(shape=(None,), name='body')
tags_input = keras.Input(shape=(12,), name='tags')
title_features = layers.LSTM(128)(layers.Embedding(10000, 64)(title_input))
body_features = layers.LSTM(32)(layers.Embedding(10000, 64)(body_input))
x = layers.concatenate([title_features, body_features, tags_input])
model = keras.Model(
    [title_input, body_input, tags_input],
    [layers.Dense(1, name='priority')(x), layers.Dense(4, name='department')(x)],
)
""",
    "ensemble": """
def get_model():
    inputs = keras.Input(shape=(128,))
    return keras.Model(inputs, keras.layers.Dense(1)(inputs))
members = [get_model() for _ in range(3)]
inputs = keras.Input(shape=(128,))
model = keras.Model(inputs, keras.layers.average([m(inputs) for m in members]))
""",
}


def _inputs_for(key, rng):
    batch = 3
    if key == "mnist_model":
        return [rng.random((batch, 784), dtype=np.float32)]
    if key == "autoencoder":
        return [rng.random((batch, 28, 28, 1), dtype=np.float32)]
    if key == "toy_resnet":
        return [rng.random((batch, 32, 32, 3), dtype=np.float32)]
    if key == "ensemble":
        return [rng.random((batch, 128), dtype=np.float32)]
    return [
        rng.integers(10000, size=(batch, 10)).astype("float32"),
        rng.integers(10000, size=(batch, 30)).astype("float32"),
        rng.integers(2, size=(batch, 12)).astype("float32"),
    ]


@pytest.fixture(scope="module")
def seed_models():
    return build_all()


@pytest.mark.parametrize("key", list(KERAS_BUILDERS))
def test_same_weights_same_predictions(key, seed_models, keras_oracle):
    model = seed_models[key]
    rng = np.random.default_rng(42)
    # Non-trivial weights: perturb every weight so zero biases are exercised too.
    with torch.no_grad():
        for weight in model.weights:
            weight.add_(torch.randn_like(weight) * 0.05)
    weights = model.get_weights()
    inputs = _inputs_for(key, rng)
    named = {f"x{i}": x for i, x in enumerate(inputs)}
    named.update({f"w{i}": w for i, w in enumerate(weights)})
    code = (
        "data = inputs\n"
        + KERAS_BUILDERS[key]
        + f"""
model.set_weights([data['w%d' % i] for i in range({len(weights)})])
xs = [data['x%d' % i] for i in range({len(inputs)})]
out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
result['outputs'] = list(out) if isinstance(out, list) else [out]
result['count'] = int(model.count_params())
result['shapes'] = [list(w.shape) for w in model.get_weights()]
"""
    )
    expected = keras_oracle.run(code, **named)
    assert model.count_params() == expected["count"]
    assert [list(w.shape) for w in weights] == expected["shapes"]
    ours = model(inputs if len(inputs) > 1 else inputs[0])
    ours = ours if isinstance(ours, (list, tuple)) else [ours]
    for got, want in zip(ours, expected["outputs"]):
        np.testing.assert_allclose(got.detach().cpu().numpy(), want, rtol=1e-5, atol=2e-5)
