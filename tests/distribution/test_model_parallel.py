"""`ModelParallel` on FSDP2 in 2 real CPU processes (gloo): the weights the LayoutMap names
are sharded and each rank holds only its half of every sharded weight (measured), training
equals the one-process run, `get_weights()` on every rank gives the whole weights, and the
file `model.save` writes on rank 0 (every rank calls it) is an ordinary Keras file that loads
in one process with the same predictions and the same optimizer state."""

from __future__ import annotations

import json
import os

import numpy as np

from tests.distribution.launcher import launch


def _data():
    rng = np.random.RandomState(0)
    return rng.normal(size=(64, 6)).astype("float32"), rng.normal(size=(64, 2)).astype("float32")


def _model(keras, seed=1):
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(8, activation="tanh"),
            keras.layers.Dense(8, trainable=False),  # frozen: FSDP leaves it whole
            keras.layers.Dense(2),
        ]
    )


def _train(keras, callbacks=()):
    model = _model(keras)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    x, y = _data()
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=True, callbacks=list(callbacks))
    return model, history.history


def _resident_bytes(model, runner) -> tuple[int, int]:
    """(bytes of every storage reachable from the model for the sharded weights -- their Keras
    variables, FSDP's sharded and unsharded parameters, the optimizer's shards -- each storage
    counted once; the bytes those weights have whole)."""
    import torch
    from torch.distributed.tensor import DTensor

    storages = {}

    def add(tensor):
        if tensor is None:
            return
        if isinstance(tensor, DTensor):
            tensor = tensor._local_tensor
        with torch._C.DisableTorchFunctionSubclass():
            storage = tensor.untyped_storage()
        if storage.nbytes():
            storages[storage.data_ptr()] = storage.nbytes()

    sharded = {id(sharded_param) for _, sharded_param in runner._pairs}
    whole = 0
    for variable, sharded_param in runner._pairs:
        add(variable)
        add(sharded_param)
        whole += variable.numel() * variable.element_size()
    for module in model.modules():
        state = getattr(module, "_get_fsdp_state", None)
        group = state()._fsdp_param_group if state is not None else None
        for fsdp_param in group.fsdp_params if group is not None else []:
            if id(fsdp_param.sharded_param) in sharded:
                add(getattr(fsdp_param, "_unsharded_param", None))
                for output in getattr(fsdp_param, "all_gather_outputs", []):
                    add(output)
    for shard in runner.state.train_params:
        add(shard)
    return sum(storages.values()), whole


def _worker(rank, out_dir, other_weights_path):
    import keraslite as keras

    keras.distribution.initialize()
    mesh = keras.distribution.DeviceMesh((2,), ["model"])
    layout_map = keras.distribution.LayoutMap(mesh)
    layout_map[".*dense.*kernel"] = (None, "model")
    keras.distribution.set_distribution(keras.distribution.ModelParallel(layout_map=layout_map))
    own = os.path.join(out_dir, f"rank{rank}")
    os.makedirs(own)
    measured = []

    class Measure(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):  # between steps (no collective here)
            measured.append(_resident_bytes(self.model, self.model._training_state.runner))

    checkpoint = keras.callbacks.ModelCheckpoint(os.path.join(own, "checkpoint.keras"))
    model, history = _train(keras, [Measure(), checkpoint])
    runner = model._training_state.runner
    measured.append(_resident_bytes(model, runner))  # after fit
    shards = {
        variable.path: [list(variable.shape), list(sharded.to_local().shape)] for variable, sharded in runner._pairs
    }
    from torch.distributed.fsdp import FSDPModule

    groups = [[type(layer).__name__, isinstance(layer, FSDPModule)] for layer in model.layers]
    x, _ = _data()
    predictions = model.predict(x, verbose=0)
    model.save(os.path.join(own, "sharded.keras"))  # every rank calls it; rank 0 writes
    model.save_weights(os.path.join(own, "sharded.weights.h5"))
    measured.append(_resident_bytes(model, runner))  # after predict and saving
    weights = [w.tolist() for w in model.get_weights()]  # every rank: the whole weights
    kernel = model.layers[0].weights[0]
    report = {
        "history": history,
        "shards": shards,
        "groups": groups,
        "weights": weights,
        "predictions": predictions.tolist(),
        "measured": measured,
        "kernel": [list(kernel.shape), str(kernel.dtype), kernel.path, kernel.name, repr(kernel)],
    }
    # Writing: each rank writes its slice of the whole value into its shard.
    model.load_weights(other_weights_path)
    report["loaded"] = [w.tolist() for w in model.get_weights()]
    kernel.assign(np.full((6, 8), 2.0, "float32"))
    kernel.assign_add(np.ones((6, 8), "float32"))
    report["assigned"] = [float(kernel.numpy().min()), float(kernel.numpy().max())]
    report["local_after_assign"] = runner._pairs[0][1].to_local().tolist()
    # `compile` again: the next fit trains the same shards with the new optimizer.
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    x, y = _data()
    report["refit"] = model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False).history["loss"]
    report["refit_weights"] = [w.tolist() for w in model.get_weights()]
    with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as f:
        json.dump(report, f)


def test_model_parallel_shards_weights_and_trains_as_one_process(tmp_path):
    import keraslite as keras

    model, history = _train(keras)
    other = _model(keras, seed=5)
    other_path = str(tmp_path / "other.weights.h5")
    other.save_weights(other_path)
    refit = _model(keras, seed=5)  # what the workers hold after loading `other` and assigning 3.0 to one kernel
    refit.layers[0].kernel.assign(np.full((6, 8), 3.0, "float32"))
    refit.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    refit_loss = refit.fit(*_data(), batch_size=16, epochs=1, verbose=0, shuffle=False).history["loss"]
    launch(_worker, 2, str(tmp_path), other_path)
    reports = [json.loads((tmp_path / f"rank{rank}.json").read_text()) for rank in (0, 1)]
    x, _ = _data()
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
        # Memory: between steps, after fit, after predict and saving, a rank holds half of
        # every sharded weight (the Keras variables hold nothing; FSDP frees what it gathered).
        assert len(report["measured"]) == 8 + 2
        for resident, whole in report["measured"]:
            assert whole == (6 * 8 + 8 + 8 * 2 + 2) * 4
            assert resident <= 0.6 * whole, report["measured"]
        # The Keras variable keeps its Keras face.
        shape, dtype, path, name, text = report["kernel"]
        assert (shape, dtype, path, name) == ([6, 8], "torch.float32", "sequential/dense/kernel", "kernel")
        assert "sharded over 2 processes" in text
        # get_weights() on every rank: the whole weights, equal to the one-process run's.
        for got, expected in zip(report["weights"], model.get_weights()):
            np.testing.assert_allclose(got, expected, atol=1e-5)
        for key, values in history.items():
            np.testing.assert_allclose(report["history"][key], values, rtol=1e-5)
        np.testing.assert_allclose(report["predictions"], model.predict(x, verbose=0), atol=1e-5)
        for got, expected in zip(report["loaded"], other.get_weights()):
            np.testing.assert_allclose(got, expected, atol=0)
        assert report["assigned"] == [3.0, 3.0]
        assert np.array(report["local_after_assign"]).shape == (6, 4)
        assert np.all(np.array(report["local_after_assign"]) == 3.0)
        np.testing.assert_allclose(report["refit"], refit_loss, rtol=1e-5)
        for got, expected in zip(report["refit_weights"], refit.get_weights()):
            np.testing.assert_allclose(got, expected, atol=1e-5)
    assert reports[0]["history"] == reports[1]["history"]
    # Only rank 0 wrote files; they load in one process with the same predictions and the
    # optimizer state a one-process run has (iterations and Adam's slots, whole).
    assert sorted(os.listdir(tmp_path / "rank0")) == ["checkpoint.keras", "sharded.keras", "sharded.weights.h5"]
    assert os.listdir(tmp_path / "rank1") == []
    for name in ("sharded.keras", "checkpoint.keras"):
        loaded = keras.saving.load_model(tmp_path / "rank0" / name)
        np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)
        expected = [v.numpy() for v in model.optimizer.variables]
        got = [v.numpy() for v in loaded.optimizer.variables]
        assert [g.shape for g in got] == [e.shape for e in expected]
        assert int(got[0]) == int(expected[0]) == 8  # iterations
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, atol=1e-5)
    weights_only = _model(keras, seed=7)
    weights_only.load_weights(tmp_path / "rank0" / "sharded.weights.h5")
    for got, expected in zip(weights_only.get_weights(), model.get_weights()):
        np.testing.assert_allclose(got, expected, atol=1e-5)


def _interrupt_and_resume(keras, backup_dir):
    """A fit interrupted after epoch 2 of 4, then a fresh model resuming from the backup."""
    x, y = _data()

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("interrupted")

    def make(seed):
        model = _model(keras, seed)
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        return model

    try:
        make(1).fit(
            x,
            y,
            batch_size=16,
            epochs=4,
            verbose=0,
            callbacks=[keras.callbacks.BackupAndRestore(backup_dir), Interrupt()],
        )
    except RuntimeError as error:
        assert "interrupted" in str(error)
    resumed = make(3)  # other initial weights: the backup replaces them, and the optimizer's state
    history = resumed.fit(
        x, y, batch_size=16, epochs=4, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(backup_dir)]
    )
    return {
        "epochs": history.epoch,
        "loss": history.history["loss"],
        "weights": [w.tolist() for w in resumed.get_weights()],
        "optimizer": [w.tolist() for w in resumed.optimizer.get_weights()],
    }


def _resume_worker(rank, out_dir):
    import keraslite as keras

    keras.distribution.initialize()
    mesh = keras.distribution.DeviceMesh((2,), ["model"])
    layout_map = keras.distribution.LayoutMap(mesh)
    layout_map[".*dense.*kernel"] = (None, "model")
    keras.distribution.set_distribution(keras.distribution.ModelParallel(layout_map=layout_map))
    report = _interrupt_and_resume(keras, os.path.join(out_dir, "backup"))
    with open(os.path.join(out_dir, f"resumed{rank}.json"), "w") as f:
        json.dump(report, f)


def test_backup_and_restore_resumes_a_sharded_run_with_its_optimizer_state(tmp_path):
    import keraslite as keras

    expected = _interrupt_and_resume(keras, str(tmp_path / "one_process_backup"))
    launch(_resume_worker, 2, str(tmp_path))
    for rank in (0, 1):
        report = json.loads((tmp_path / f"resumed{rank}.json").read_text())
        assert report["epochs"] == expected["epochs"] == [2, 3]
        np.testing.assert_allclose(report["loss"], expected["loss"], rtol=1e-5)
        for key in ("weights", "optimizer"):  # Adam's slots restored whole, each rank keeping its slice
            assert len(report[key]) == len(expected[key])
            for got, want in zip(report[key], expected[key]):
                np.testing.assert_allclose(got, want, atol=1e-5)
