"""`DataParallel` with every kind of data (DataLoader, generator, PyDataset) and the
reduction of metrics over the processes, in 2 real CPU processes (gloo)."""

from __future__ import annotations

import json
import os

import numpy as np
import torch

from tests.distribution.launcher import launch

SAMPLES = 48
GLOBAL_BATCH = 16


def _data():
    rng = np.random.RandomState(1)
    x = rng.normal(size=(SAMPLES, 5)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 0).astype("float32")
    return x, y


def _sources(keras):
    """Each kind of data, yielding the same global batches of GLOBAL_BATCH samples."""
    x, y = _data()

    def generator():
        for start in range(0, SAMPLES, GLOBAL_BATCH):
            yield x[start : start + GLOBAL_BATCH], y[start : start + GLOBAL_BATCH]

    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return SAMPLES // GLOBAL_BATCH

        def __getitem__(self, index):
            return x[index * GLOBAL_BATCH : (index + 1) * GLOBAL_BATCH], y[
                index * GLOBAL_BATCH : (index + 1) * GLOBAL_BATCH
            ]

    dataset = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    return {
        "dataloader": lambda: torch.utils.data.DataLoader(dataset, batch_size=GLOBAL_BATCH, shuffle=False),
        "generator": generator,
        "pydataset": Batches,
    }


def _train_each(keras):
    """Weights after one epoch on each kind of data (the script under test)."""
    results = {}
    for name, make in _sources(keras).items():
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        model.fit(make(), epochs=1, verbose=0, shuffle=False)
        # The samples this process's loss tracker counted in the epoch (its own part only).
        seen = float(model._training_state.loss_tracker.variables[-1])
        # predict on the same kind of data: each rank predicts its part, every rank returns all rows.
        predictions = model.predict(make(), verbose=0)
        results[name] = model.get_weights() + [predictions, np.float32(seen)]
    return results


def _train_subclassed(keras):
    """A subclassed model: it has no weights until its first batch, so DDP wraps it then."""

    class TwoLayers(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = keras.layers.Dense(3, activation="tanh")
            self.out = keras.layers.Dense(1)

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    keras.utils.set_random_seed(4)
    model = TwoLayers()
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    x, y = _data()
    model.fit(x, y, batch_size=GLOBAL_BATCH, epochs=2, verbose=0, shuffle=False)
    return model.get_weights()


def _unsupported_errors(keras):
    """What a run under DataParallel cannot do yet says so (the same on every rank)."""

    class OwnStep(keras.Model):
        def train_step(self, data):
            return {}

    inputs = keras.Input((5,))
    model = OwnStep(inputs, keras.layers.Dense(1)(inputs))
    model.compile(loss="mse")
    x, y = _data()
    errors = []
    try:
        model.fit(x, y, verbose=0)
    except ValueError as error:
        errors.append(str(error))
    return errors


def _metrics_report(keras):
    """A model that predicts 0 everywhere, on data whose first half is 0 and second half 1:
    rank 0's half is all right, rank 1's all wrong, the whole set half right."""
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros")]
    )
    model.compile(loss="binary_crossentropy", metrics=["binary_accuracy", keras.metrics.AUC(name="auc")])
    x = np.ones((8, 2), "float32") * np.arange(8, dtype="float32")[:, None]
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1], "float32")[:, None]
    return model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)


def _worker(rank, out_dir):
    import keraslite as keras

    keras.distribution.initialize()
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    results = _train_each(keras)
    results["subclassed"] = _train_subclassed(keras)
    np.savez(
        os.path.join(out_dir, f"rank{rank}.npz"),
        **{f"{name}_{i}": w for name, weights in results.items() for i, w in enumerate(weights)},
    )
    with open(os.path.join(out_dir, f"metrics{rank}.json"), "w") as f:
        json.dump({"metrics": _metrics_report(keras), "errors": _unsupported_errors(keras)}, f)


def test_each_kind_of_data_trains_as_one_process_and_metrics_are_global(tmp_path):
    """DataLoader, generator, PyDataset and a subclassed model: 2 processes train the same
    weights as 1; evaluate's metrics are the whole data's on every rank; a custom
    `train_step` (not supported yet) raises a clear error on every rank."""
    import keraslite as keras

    expected = _train_each(keras)
    for weights in expected.values():
        assert weights[-1] == SAMPLES
        weights[-1] = np.float32(SAMPLES / 2)  # each of the 2 processes sees half of every batch
    expected["subclassed"] = _train_subclassed(keras)
    expected_metrics = _metrics_report(keras)
    assert expected_metrics["binary_accuracy"] == 0.5
    launch(_worker, 2, str(tmp_path))
    for rank in (0, 1):
        with np.load(tmp_path / f"rank{rank}.npz") as stored:
            for name, weights in expected.items():
                for i, weight in enumerate(weights):
                    np.testing.assert_allclose(stored[f"{name}_{i}"], weight, atol=1e-5, err_msg=f"{name} rank {rank}")
        report = json.loads((tmp_path / f"metrics{rank}.json").read_text())
        for key, value in expected_metrics.items():
            np.testing.assert_allclose(report["metrics"][key], value, rtol=1e-6, err_msg=key)
        (custom_step,) = report["errors"]
        assert "overrides `train_step`" in custom_step and "DistributedDataParallel" in custom_step
