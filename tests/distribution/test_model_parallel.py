"""`ModelParallel` on FSDP2 in 2 real CPU processes (gloo): the weights the LayoutMap names
are sharded (each rank holds half), training equals the one-process run, and the saved file
is an ordinary Keras file that loads in one process."""

from __future__ import annotations

import json
import os

import numpy as np

from tests.distribution.launcher import launch


def _data():
    rng = np.random.RandomState(0)
    return rng.normal(size=(64, 6)).astype("float32"), rng.normal(size=(64, 2)).astype("float32")


def _train(keras):
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(8, activation="tanh"),
            keras.layers.Dense(8, trainable=False),  # frozen: FSDP leaves it whole
            keras.layers.Dense(2),
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    x, y = _data()
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=True)
    return model, history.history


def _worker(rank, out_dir):
    import keraslite as keras

    keras.distribution.initialize()
    mesh = keras.distribution.DeviceMesh((2,), ["model"])
    layout_map = keras.distribution.LayoutMap(mesh)
    layout_map[".*dense.*kernel"] = (None, "model")
    keras.distribution.set_distribution(keras.distribution.ModelParallel(layout_map=layout_map))
    model, history = _train(keras)
    runner = model._training_state.runner
    shards = {
        variable.path: [list(variable.shape), list(sharded.to_local().shape)] for variable, sharded in runner._pairs
    }
    from torch.distributed.fsdp import FSDPModule

    groups = [[type(layer).__name__, isinstance(layer, FSDPModule)] for layer in model.layers]
    model.save(os.path.join(out_dir, "sharded.keras"))  # rank 0 writes
    with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as f:
        json.dump(
            {
                "history": history,
                "shards": shards,
                "groups": groups,
                "weights": [w.tolist() for w in model.get_weights()],
            },
            f,
        )


def test_model_parallel_shards_weights_and_trains_as_one_process(tmp_path):
    import keraslite as keras

    model, history = _train(keras)
    launch(_worker, 2, str(tmp_path))
    reports = [json.loads((tmp_path / f"rank{rank}.json").read_text()) for rank in (0, 1)]
    for report in reports:
        # The kernels the LayoutMap names are split along their last axis: each rank holds half.
        # (Variable paths start with the Sequential's name, as in Keras.)
        assert report["shards"]["sequential/dense/kernel"] == [[6, 8], [6, 4]]
        assert report["shards"]["sequential/dense_2/kernel"] == [[8, 2], [8, 1]]
        assert "sequential/dense_1/kernel" not in report["shards"]
        # One FSDP group per layer with trainable weights (gathered for its call only); the
        # layers keep their class names, which Keras configs record.
        assert report["groups"] == [["Dense", True], ["Dense", False], ["Dense", True]]
        assert report["shards"]["sequential/dense/bias"] == [[8], [4]]  # the others along their first
        for got, expected in zip(report["weights"], model.get_weights()):
            np.testing.assert_allclose(got, expected, atol=1e-5)
        for key, values in history.items():
            np.testing.assert_allclose(report["history"][key], values, rtol=1e-5)
    assert reports[0]["history"] == reports[1]["history"]
    loaded = keras.saving.load_model(tmp_path / "sharded.keras")
    x, _ = _data()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)
