"""SwapEMAWeights, RemoteMonitor, TerminateOnNaN(raise_error), CallbackList's Keras 3
arguments and BackupAndRestore's batch frequency and double checkpoint."""

import http.server
import json
import os
import threading
import urllib.parse

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import callbacks, layers


def small_model(optimizer=None):
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer=optimizer or keras.optimizers.SGD(0.05), loss="mse")
    return model


def data(n=32):
    x = np.random.default_rng(0).random((n, 4)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


def test_swap_ema_weights_evaluates_with_the_averages():
    model = small_model(keras.optimizers.SGD(0.05, use_ema=True, ema_momentum=0.5))
    x, y = data()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    optimizer = model.optimizer
    averages = optimizer._model_variables_moving_average
    # As in Keras, fit ends with the averages in the model.
    assert all(torch.equal(w, a) for w, a in zip(model.trainable_weights, averages))
    model.train_on_batch(x[:8], y[:8])  # the weights move on from their averages
    raw = [w.detach().clone() for w in model.trainable_weights]
    averages = [a.detach().clone() for a in averages]
    assert not all(torch.equal(r, a) for r, a in zip(raw, averages))

    seen = []

    class Peek(callbacks.Callback):
        def on_test_batch_begin(self, batch, logs=None):
            seen.append([w.detach().clone() for w in self.model.trainable_weights])

    model.evaluate(x, y, batch_size=32, verbose=0, callbacks=[callbacks.SwapEMAWeights(), Peek()])
    assert all(torch.equal(s, a) for s, a in zip(seen[0], averages))  # evaluated with the averages
    assert all(torch.equal(w, r) for w, r in zip(model.trainable_weights, raw))  # swapped back
    model.predict(x, verbose=0, callbacks=[callbacks.SwapEMAWeights()])
    assert all(torch.equal(w, r) for w, r in zip(model.trainable_weights, raw))
    with pytest.raises(ValueError, match="use_ema=True"):
        small_model().evaluate(x, y, verbose=0, callbacks=[callbacks.SwapEMAWeights()])


def test_swap_ema_weights_on_epoch_end_leaves_averages_in_the_model():
    model = small_model(keras.optimizers.SGD(0.05, use_ema=True))
    model.fit(*data(), epochs=2, batch_size=8, verbose=0, callbacks=[callbacks.SwapEMAWeights(swap_on_epoch=True)])
    averages = model.optimizer._model_variables_moving_average
    assert all(torch.equal(w, a) for w, a in zip(model.trainable_weights, averages))


class _Handler(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        _Handler.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_remote_monitor_posts_epoch_logs_and_warns_when_offline():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        root = f"http://127.0.0.1:{server.server_port}"
        _Handler.received.clear()
        small_model().fit(*data(), epochs=2, verbose=0, callbacks=[callbacks.RemoteMonitor(root=root)])
        monitor = callbacks.RemoteMonitor(root=root, path="/json", send_as_json=True, headers={"X-Run": "1"})
        monitor.on_epoch_end(5, {"loss": np.float32(0.5)})
    finally:
        server.shutdown()
        server.server_close()
    (path, kind, body), second, third = _Handler.received
    assert path == "/publish/epoch/end/" and kind == "application/x-www-form-urlencoded"
    sent = json.loads(urllib.parse.parse_qs(body)["data"][0])
    assert sent["epoch"] == 0 and isinstance(sent["loss"], float)
    assert json.loads(third[2]) == {"epoch": 5, "loss": 0.5} and third[:2] == ("/json", "application/json")
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        callbacks.RemoteMonitor(root=root).on_epoch_end(0, {"loss": 1.0})


def test_terminate_on_nan_can_raise():
    x, y = data()
    y[3] = np.nan
    model = small_model()
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch"):
        model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[callbacks.TerminateOnNaN(raise_error=True)])
    history = small_model().fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[callbacks.TerminateOnNaN()])
    assert len(history.epoch) == 1


def test_callback_list_takes_keras_3_arguments():
    model = small_model()
    callback_list = callbacks.CallbackList(None, True, True, model, verbose=0, epochs=2, steps=4)
    names = [type(c).__name__ for c in callback_list.callbacks]
    assert names == ["History", "ProgbarLogger"]
    assert model.history is callback_list.callbacks[0]
    assert callback_list.params == {"verbose": 0, "epochs": 2, "steps": 4}
    assert all(c.model is model and c.params["epochs"] == 2 for c in callback_list.callbacks)
    history = callbacks.History()
    nested = callbacks.CallbackList([[history], callbacks.Callback()], add_history=True)
    assert nested.callbacks[0] is history and len(nested.callbacks) == 2
    extra = callbacks.Callback()
    nested.append(extra)
    assert nested.callbacks[-1] is extra


def test_backup_and_restore_keras_argument_order_and_batch_frequency(tmp_path):
    backup = str(tmp_path / "backup")
    callback = callbacks.BackupAndRestore(backup, 3, True, False)
    assert (callback.save_freq, callback.double_checkpoint, callback.delete_checkpoint) == (3, True, False)
    with pytest.raises(ValueError, match="save_freq"):
        callbacks.BackupAndRestore(backup, save_freq="batch")

    class Interrupt(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if self.model.optimizer.iterations == 10:
                raise RuntimeError("interrupted")

    model = small_model()
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(*data(), epochs=4, batch_size=8, callbacks=[callback, Interrupt()], verbose=0)
    # Saved after batches 3, 6 and 9 (the second in epoch 1): the fit resumes at epoch 2's start.
    with open(os.path.join(backup, "training_metadata.json")) as f:
        assert json.load(f) == {"epoch": 2, "batch": 0}
    assert os.path.exists(os.path.join(backup, "latest.weights.npz.bkp"))
    # A damaged latest backup: the previous one is used.
    with open(os.path.join(backup, "latest.weights.npz"), "wb") as f:
        f.write(b"not a backup")
    resumed = small_model()
    history = resumed.fit(
        *data(), epochs=4, batch_size=8, callbacks=[callbacks.BackupAndRestore(backup, 3, True)], verbose=0
    )
    assert history.epoch == [1, 2, 3]
    assert not os.path.exists(backup)


def test_tf2_checkpoint_path_with_formatted_numbers_is_a_directory(tmp_path, tf2_dialect):
    # tf.keras 2 saved `ckpt-loss={loss:.2f}` (-> "ckpt-loss=0.65") as a SavedModel directory;
    # the digits after the dot are not an extension.
    import numpy as np

    import keraslite as keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "ckpt-loss={loss:.2f}"))
    model.fit(rng.random((8, 4)), rng.random((8, 1)), epochs=1, verbose=0, callbacks=[checkpoint])
    (saved,) = list(tmp_path.iterdir())
    assert saved.name.startswith("ckpt-loss=") and saved.is_dir()
    restored = keras.models.load_model(str(saved))
    np.testing.assert_allclose(restored.get_weights()[0], model.get_weights()[0])
