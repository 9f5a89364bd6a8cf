"""`DataParallel` in fit / evaluate / predict, in 2 real CPU processes (gloo), compared
with the same script run in one process."""

from __future__ import annotations

import json
import os

import numpy as np

from tests.distribution.launcher import launch

GLOBAL_BATCH = 16
SAMPLES = 64


def _data():
    rng = np.random.RandomState(0)
    x = rng.normal(size=(SAMPLES, 6)).astype("float32")
    y = (x @ rng.normal(size=(6, 2)) + 0.1).astype("float32")
    return x, y


def _train(keras):
    """The script under test: the same in one process and in each of N processes."""
    keras.utils.set_random_seed(7)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    x, y = _data()
    history = model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=3, shuffle=True, verbose=0, validation_split=0.25)
    evaluated = model.evaluate(x, y, batch_size=GLOBAL_BATCH, verbose=0, return_dict=True)
    predicted = model.predict(x, batch_size=7, verbose=0)  # odd batches (7, ..., 7, 1): padded per rank
    return model, history.history, evaluated, predicted


def _data_parallel_worker(rank, out_dir):
    import keraslite as keras

    keras.distribution.initialize()
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    model, history, evaluated, predicted = _train(keras)
    np.savez(os.path.join(out_dir, f"rank{rank}.npz"), predicted=predicted, *[w for w in model.get_weights()])
    with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as f:
        runner = type(model._training_state.runner).__name__
        json.dump({"history": history, "evaluated": evaluated, "runner": runner}, f)


def test_two_processes_train_as_one_at_the_same_global_batch(tmp_path):
    import keraslite as keras

    model, history, evaluated, predicted = _train(keras)
    launch(_data_parallel_worker, 2, str(tmp_path))
    for rank in (0, 1):
        with np.load(tmp_path / f"rank{rank}.npz") as stored:
            weights = [stored[f"arr_{i}"] for i in range(len(model.get_weights()))]
            np.testing.assert_allclose(stored["predicted"], predicted, atol=1e-5)
        for got, expected in zip(weights, model.get_weights()):
            np.testing.assert_allclose(got, expected, atol=1e-5)
        report = json.loads((tmp_path / f"rank{rank}.json").read_text())
        assert report["runner"] == "DistributedStepRunner"
        assert report["history"].keys() == history.keys()
        for key, values in history.items():
            np.testing.assert_allclose(report["history"][key], values, rtol=1e-5, atol=1e-6)
        for key, value in evaluated.items():
            np.testing.assert_allclose(report["evaluated"][key], value, rtol=1e-5, atol=1e-6)
    # Every rank holds the same (reduced) history, exactly.
    assert json.loads((tmp_path / "rank0.json").read_text()) == json.loads((tmp_path / "rank1.json").read_text())


def _train_with_batch_norm(keras, synchronized):
    keras.utils.set_random_seed(11)
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(8),
            keras.layers.BatchNormalization(synchronized=synchronized, momentum=0.5),
            keras.layers.Dense(2),
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    x, y = _data()
    model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=2, shuffle=False, verbose=0)
    return model.get_weights()


def _batch_norm_worker(rank, out_dir):
    import keraslite as keras

    keras.distribution.initialize()
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    for synchronized in (True, False):
        weights = _train_with_batch_norm(keras, synchronized)
        np.savez(os.path.join(out_dir, f"bn_{synchronized}_{rank}.npz"), *weights)


def test_synchronized_batch_norm_uses_the_global_batch(tmp_path):
    """BatchNormalization(synchronized=True) normalizes with the statistics of the whole global
    batch (SyncBatchNorm semantics), so 2 processes train as one; without it each process uses
    its own half, and the moving statistics differ between the ranks."""
    import keraslite as keras

    expected = _train_with_batch_norm(keras, synchronized=True)
    launch(_batch_norm_worker, 2, str(tmp_path))
    stored = {}
    for synchronized in (True, False):
        for rank in (0, 1):
            with np.load(tmp_path / f"bn_{synchronized}_{rank}.npz") as data:
                stored[synchronized, rank] = [data[f"arr_{i}"] for i in range(len(expected))]
    for rank in (0, 1):
        for got, want in zip(stored[True, rank], expected):
            np.testing.assert_allclose(got, want, atol=1e-5)
    moving_mean = 4  # kernel, bias, gamma, beta, moving_mean, ...
    assert not np.allclose(stored[False, 0][moving_mean], stored[False, 1][moving_mean], atol=1e-3)


def _train_compiled(keras, jit_compile):
    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", jit_compile=jit_compile)
    x, y = _data()
    model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=1, shuffle=False, verbose=0)
    return model


def _compiled_worker(rank, out_dir):
    import keraslite as keras

    keras.distribution.initialize()
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    model = _train_compiled(keras, jit_compile=True)
    runner = model._training_state.runner
    np.savez(os.path.join(out_dir, f"jit{rank}.npz"), *model.get_weights())
    with open(os.path.join(out_dir, f"jit{rank}.json"), "w") as f:
        json.dump({"compiled": runner._ddp_forward is not runner._ddp, "failed": runner._compile_failed}, f)


def test_jit_compile_under_ddp_trains_as_one_process(tmp_path):
    """jit_compile=True under DataParallel: the DDP module is torch.compile'd (DDPOptimizer
    splits its graph at the gradient buckets); the result is the eager one-process run's."""
    import keraslite as keras

    expected = _train_compiled(keras, jit_compile=False).get_weights()
    launch(_compiled_worker, 2, str(tmp_path), timeout=120)
    for rank in (0, 1):
        assert json.loads((tmp_path / f"jit{rank}.json").read_text()) == {"compiled": True, "failed": False}
        with np.load(tmp_path / f"jit{rank}.npz") as stored:
            for i, want in enumerate(expected):
                np.testing.assert_allclose(stored[f"arr_{i}"], want, atol=1e-5)
