"""`keras.utils.set_random_seed(n)`: two runs of one training script, in two processes, give
identical loss histories on CPU (initializers, dropout and noise layers, random augmentation,
shuffling, validation split, `keras.random`, `SeedGenerator`s, dataset splits)."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np

import keraslite as keras

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import torch
    import keraslite as keras
    from keraslite import layers

    keras.utils.set_random_seed(int(sys.argv[1]))
    x = np.random.normal(size=(64, 8, 8, 1)).astype("float32")
    y = np.random.randint(0, 3, size=(64,))
    inputs = keras.Input((8, 8, 1))
    h = layers.RandomFlip()(inputs)
    h = layers.RandomRotation(0.1)(h)
    h = layers.GaussianNoise(0.1)(h)
    h = layers.Conv2D(4, 3, activation="relu")(h)
    h = layers.BatchNormalization()(h)
    h = layers.Flatten()(h)
    h = layers.Dropout(0.3)(h)
    outputs = layers.Dense(3, activation="softmax")(h)
    model = keras.Model(inputs, outputs)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=3, validation_split=0.25, verbose=0)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=16, shuffle=True
    )
    streamed = model.fit(loader, epochs=1, verbose=0, shuffle=False)
    left, _ = keras.utils.split_dataset(np.arange(20), left_size=0.5, shuffle=True)
    draws = [
        float(keras.ops.sum(keras.random.normal((3,)))),
        float(keras.ops.sum(keras.random.uniform((3,), seed=keras.random.SeedGenerator()))),
    ]
    print(json.dumps({
        "history": history.history,
        "streamed": streamed.history,
        "split": [int(item[0]) for item in left],
        "draws": draws,
    }))
    """
)


def _run(seed: int) -> dict:
    env = dict(os.environ, KERASLITE_DEVICE="cpu")
    env.pop("PYTHONHASHSEED", None)  # each process hashes strings differently, as a user's would
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(seed)], capture_output=True, text=True, timeout=180, env=env
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_seeded_runs_give_identical_loss_histories():
    first, second = _run(1234), _run(1234)
    assert first == second  # bit for bit: every loss, metric, split and draw
    assert len(first["history"]["loss"]) == 3 and first["history"]["loss"][0] != first["history"]["loss"][-1]
    assert _run(99)["history"] != first["history"]  # and the seed matters


def test_the_seed_must_be_an_integer():
    try:
        keras.utils.set_random_seed(1.5)
    except ValueError as error:
        assert "seed=1.5" in str(error)
    else:
        raise AssertionError("expected a ValueError")


def test_split_dataset_follows_the_global_seed():
    keras.utils.set_random_seed(3)
    first = [int(item[0]) for item in keras.utils.split_dataset(np.arange(50), left_size=0.5, shuffle=True)[0]]
    keras.utils.set_random_seed(3)
    second = [int(item[0]) for item in keras.utils.split_dataset(np.arange(50), left_size=0.5, shuffle=True)[0]]
    assert first == second and first != list(range(25))
