"""In a 2-process `DataParallel` run only rank 0 prints and writes files, and
`BackupAndRestore` resumes every rank at the same epoch (2 real CPU processes, gloo)."""

from __future__ import annotations

import contextlib
import json
import os

import numpy as np

from tests.distribution.launcher import launch


def _worker(rank, out_dir):
    import keraslite as keras

    keras.distribution.initialize()
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    rng = np.random.RandomState(0)
    x, y = rng.normal(size=(32, 3)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")

    def make_model(seed):
        keras.utils.set_random_seed(seed)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        return model

    # Each rank points its files at a folder of its own: what appears in rank 1's was written by rank 1.
    own = os.path.join(out_dir, f"rank{rank}")
    os.makedirs(own)
    model = make_model(1)
    callbacks = [
        keras.callbacks.ModelCheckpoint(os.path.join(own, "checkpoint.keras")),
        keras.callbacks.CSVLogger(os.path.join(own, "log.csv")),
        keras.callbacks.BackupAndRestore(os.path.join(own, "backup"), delete_checkpoint=False),
        keras.callbacks.TensorBoard(os.path.join(own, "logs")),
    ]
    with open(os.path.join(out_dir, f"stdout{rank}.txt"), "w") as out, contextlib.redirect_stdout(out):
        model.fit(x, y, batch_size=8, epochs=2, verbose=1, callbacks=callbacks)
        model.evaluate(x, y, batch_size=8, verbose=1)
        model.predict(x, batch_size=8, verbose=1)
    model.save(os.path.join(own, "model.keras"))
    model.save_weights(os.path.join(own, "model.weights.h5"))

    # Resume: a run interrupted after epoch 2 of 4, then a fresh model resuming from the shared backup.
    shared = os.path.join(out_dir, "shared_backup")

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("interrupted")

    try:
        make_model(2).fit(
            x, y, batch_size=8, epochs=4, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(shared), Interrupt()]
        )
    except RuntimeError:
        pass
    resumed = make_model(3)  # other initial weights: the backup replaces them
    history = resumed.fit(x, y, batch_size=8, epochs=4, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(shared)])
    with open(os.path.join(out_dir, f"resumed{rank}.json"), "w") as f:
        json.dump(
            {
                "epochs": history.epoch,
                "loss": history.history["loss"],
                "weights": [w.tolist() for w in resumed.get_weights()],
            },
            f,
        )


def test_only_rank_zero_prints_and_writes_and_every_rank_resumes_together(tmp_path):
    launch(_worker, 2, str(tmp_path))
    written = sorted(os.listdir(tmp_path / "rank0"))
    assert written == ["backup", "checkpoint.keras", "log.csv", "logs", "model.keras", "model.weights.h5"]
    assert os.listdir(tmp_path / "rank1") == []
    assert "Epoch 2/2" in (tmp_path / "stdout0.txt").read_text()
    assert (tmp_path / "stdout1.txt").read_text() == ""
    # rank 0's files are ordinary Keras files.
    import keraslite as keras

    loaded = keras.saving.load_model(tmp_path / "rank0" / "model.keras")
    assert loaded.get_weights()[0].shape == (3, 1)
    resumed = [json.loads((tmp_path / f"resumed{rank}.json").read_text()) for rank in (0, 1)]
    assert resumed[0]["epochs"] == resumed[1]["epochs"] == [2, 3]
    assert resumed[0] == resumed[1]
