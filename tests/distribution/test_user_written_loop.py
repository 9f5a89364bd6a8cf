"""The Keras guide's pattern: a keraslite model wrapped in torch's DistributedDataParallel
by the user and trained with a hand-written loop, in 2 real CPU processes (gloo)."""

from __future__ import annotations

import os

import numpy as np
import torch

from tests.distribution.launcher import launch

GLOBAL_BATCH = 8


def _data():
    rng = np.random.RandomState(2)
    return rng.normal(size=(32, 4)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")


def _train(keras, model, rank=0, world_size=1):
    """A hand-written loop: each process takes its part of every global batch."""
    x, y = (torch.from_numpy(a) for a in _data())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    part = GLOBAL_BATCH // world_size
    for _ in range(2):
        for start in range(0, len(x), GLOBAL_BATCH):
            rows = slice(start + rank * part, start + (rank + 1) * part)
            loss = torch.nn.functional.mse_loss(model(x[rows]), y[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def _make_model(keras):
    keras.utils.set_random_seed(5)
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="relu"), keras.layers.Dense(1)])


def _worker(rank, out_dir):
    import keraslite as keras

    keras.distribution.initialize()
    model = _make_model(keras)
    wrapped = torch.nn.parallel.DistributedDataParallel(model)
    _train(keras, wrapped, rank, 2)
    np.savez(os.path.join(out_dir, f"rank{rank}.npz"), *model.get_weights())


def test_a_hand_written_loop_over_torch_ddp_trains_as_one_process(tmp_path):
    import keraslite as keras

    model = _make_model(keras)
    _train(keras, model)
    launch(_worker, 2, str(tmp_path))
    for rank in (0, 1):
        with np.load(tmp_path / f"rank{rank}.npz") as stored:
            for i, expected in enumerate(model.get_weights()):
                np.testing.assert_allclose(stored[f"arr_{i}"], expected, atol=1e-5)
