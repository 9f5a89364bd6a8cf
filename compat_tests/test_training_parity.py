"""Learning parity with Keras 3: same initial weights, data, optimizer and `shuffle=False`
give the same per-epoch losses and metrics (within 1e-3 relative) over 3 epochs."""

import numpy as np

import keraslite as keras
from keraslite import layers


def _mlp():
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    return keras.Model(inputs, layers.Dense(10)(x))


def test_mlp_learning_parity(keras_oracle):
    # Seeded initial weights: with some draws a logit pair sits within float noise of a tie,
    # and one flipped prediction moves accuracy by 1/240, past the tolerance.
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((300, 784)).astype("float32")
    y = rng.integers(0, 10, 300)
    model = _mlp()
    weights = [w.copy() for w in model.get_weights()]
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
    )
    ours = model.fit(x, y, batch_size=64, epochs=3, validation_split=0.2, shuffle=False, verbose=0).history
    code = """
layers = keras.layers
i = keras.Input(shape=(784,))
h = layers.Dense(64, activation="relu")(i)
h = layers.Dense(64, activation="relu")(h)
model = keras.Model(i, layers.Dense(10)(h))
model.set_weights([inputs[f"w{k}"] for k in range(6)])
model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer=keras.optimizers.RMSprop(),
    metrics=["accuracy"],
)
h = model.fit(inputs["x"], inputs["y"], batch_size=64, epochs=3, validation_split=0.2, shuffle=False, verbose=0).history
result["history"] = {k: [float(v) for v in vs] for k, vs in h.items()}
"""
    theirs = keras_oracle.run(code, x=x, y=y, **{f"w{k}": w for k, w in enumerate(weights)})["history"]
    assert set(theirs) == set(ours)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-3, err_msg=key)


def test_ticket_model_learning_parity(keras_oracle):
    rng = np.random.default_rng(1)
    n, num_tags, num_words = 96, 12, 50
    data = {
        "title": rng.integers(num_words, size=(n, 6)).astype("float32"),
        "body": rng.integers(num_words, size=(n, 9)).astype("float32"),
        "tags": rng.integers(2, size=(n, num_tags)).astype("float32"),
        "priority": rng.random(size=(n, 1)).astype("float32"),
        "department": rng.integers(2, size=(n, 4)).astype("float32"),
    }
    builder = """
title_input = keras.Input(shape=(None,), name="title")
body_input = keras.Input(shape=(None,), name="body")
tags_input = keras.Input(shape=(12,), name="tags")
title_features = layers.LSTM(16)(layers.Embedding(50, 8)(title_input))
body_features = layers.LSTM(8)(layers.Embedding(50, 8)(body_input))
x = layers.concatenate([title_features, body_features, tags_input])
priority_pred = layers.Dense(1, name="priority")(x)
department_pred = layers.Dense(4, name="department")(x)
model = keras.Model(inputs=[title_input, body_input, tags_input], outputs=[priority_pred, department_pred])
"""
    namespace = {"keras": keras, "layers": layers}
    exec(builder, namespace)
    model = namespace["model"]
    weights = [w.copy() for w in model.get_weights()]
    compile_and_fit = """
model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
              loss={"priority": keras.losses.BinaryCrossentropy(from_logits=True),
                    "department": keras.losses.CategoricalCrossentropy(from_logits=True)},
              loss_weights=[1.0, 0.2])
history = model.fit({"title": D["title"], "body": D["body"], "tags": D["tags"]},
                    {"priority": D["priority"], "department": D["department"]},
                    epochs=3, batch_size=32, shuffle=False, verbose=0).history
"""
    namespace["D"] = data
    exec(compile_and_fit, namespace)
    ours = namespace["history"]
    code = (
        "layers = keras.layers\n"
        + builder
        + "model.set_weights([inputs[f'w{k}'] for k in range(%d)])\nD = inputs\n" % len(weights)
    )
    code += compile_and_fit + "result['history'] = {k: [float(v) for v in vs] for k, vs in history.items()}\n"
    theirs = keras_oracle.run(code, **data, **{f"w{k}": w for k, w in enumerate(weights)})["history"]
    assert set(theirs) == set(ours), (theirs.keys(), ours.keys())
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-3, err_msg=key)


AUTOENCODER = """
def build_autoencoder(keras, dropout):
    layers = keras.layers
    return keras.Sequential([
        layers.Input(shape=(288, 1)),
        layers.Conv1D(filters=32, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Dropout(rate=dropout),
        layers.Conv1D(filters=16, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Conv1DTranspose(filters=16, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Dropout(rate=dropout),
        layers.Conv1DTranspose(filters=32, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
    ])
"""


def _anomaly_data():
    # keras.io's timeseries anomaly-detection tutorial: windows of 288 steps of a daily pattern
    # (a normalized sine with noise), the test series with a jump in it.
    rng = np.random.default_rng(0)
    steps = np.arange(288 * 3)
    series = np.sin(2 * np.pi * steps / 288) + 0.1 * rng.standard_normal(steps.size)
    test_series = series.copy()
    test_series[400:460] += 3.0
    windows = lambda s: np.stack([s[i : i + 288] for i in range(0, s.size - 287, 4)])[..., None]  # noqa: E731
    return windows(series).astype("float32"), windows(test_series).astype("float32")


def test_anomaly_detection_autoencoder_learns_as_in_keras(keras_oracle):
    """The tutorial's Conv1D/Conv1DTranspose autoencoder, Adam and MSE: the same loss curve as
    Keras 3 (dropout off, so both runs are deterministic), and the same anomalies found."""
    x_train, x_test = _anomaly_data()
    namespace = {}
    exec(AUTOENCODER, namespace)
    model = namespace["build_autoencoder"](keras, 0.0)
    weights = [w.copy() for w in model.get_weights()]
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
    ours = model.fit(x_train, x_train, epochs=4, batch_size=32, validation_split=0.1, shuffle=False, verbose=0)
    train_mae = np.mean(np.abs(model.predict(x_train, verbose=0) - x_train), axis=1)
    test_mae = np.mean(np.abs(model.predict(x_test, verbose=0) - x_test), axis=1)
    code = (
        AUTOENCODER
        + """
model = build_autoencoder(keras, 0.0)
model.set_weights([inputs[f"w{k}"] for k in range(len(model.get_weights()))])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
h = model.fit(inputs["x"], inputs["x"], epochs=4, batch_size=32, validation_split=0.1, shuffle=False, verbose=0)
result["history"] = {k: [float(v) for v in vs] for k, vs in h.history.items()}
result["train_mae"] = np.mean(np.abs(model.predict(inputs["x"], verbose=0) - inputs["x"]), axis=1)
result["test_mae"] = np.mean(np.abs(model.predict(inputs["t"], verbose=0) - inputs["t"]), axis=1)
"""
    )
    theirs = keras_oracle.run(code, x=x_train, t=x_test, **{f"w{k}": w for k, w in enumerate(weights)})
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(ours.history[key], theirs["history"][key], rtol=1e-3, err_msg=key)
    np.testing.assert_allclose(train_mae, theirs["train_mae"], rtol=1e-3, atol=1e-5)
    ours_anomalies = test_mae > train_mae.max()
    theirs_anomalies = theirs["test_mae"] > theirs["train_mae"].max()
    assert ours_anomalies.any() and (ours_anomalies == theirs_anomalies).all()
