"""Callbacks: each one's behaviour inside fit."""

import csv
import os

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import callbacks, layers
from keraslite.callbacks.callback import python_logs


def small_model(lr=0.01):
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, layers.Dense(1)(layers.Dense(8, activation="relu")(inputs)))
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse", metrics=["mae"])
    return model


def data(n=32):
    rng = np.random.default_rng(0)
    x = rng.random((n, 4)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


class Recorder(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin", self.params["epochs"], self.params["steps"], self.model is not None))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("batch_end", batch, sorted(logs)))

    def on_test_begin(self, logs=None):
        self.calls.append(("test_begin",))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, sorted(logs)))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end",))


def test_hooks_order_params_and_logs():
    recorder = Recorder()
    x, y = data()
    small_model().fit(x, y, batch_size=16, epochs=2, validation_data=(x, y), callbacks=[recorder], verbose=0)
    assert recorder.calls[0] == ("train_begin", 2, 2, True)
    assert recorder.calls[1] == ("epoch_begin", 0)
    assert recorder.calls[2] == ("batch_end", 0, ["loss", "mae"])
    assert ("test_begin",) in recorder.calls
    assert recorder.calls[-2] == ("epoch_end", 1, ["loss", "mae", "val_loss", "val_mae"])
    assert recorder.calls[-1] == ("train_end",)


def test_history_and_stop_training():
    class StopAfterOne(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    history = small_model().fit(*data(), epochs=5, callbacks=[StopAfterOne()], verbose=0)
    assert history.epoch == [0] and len(history.history["loss"]) == 1


def test_early_stopping_patience_and_restore():
    model = small_model(lr=0.0)  # nothing improves
    stopper = callbacks.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True)
    history = model.fit(*data(), epochs=10, callbacks=[stopper], shuffle=False, verbose=0)
    assert len(history.epoch) == 3 and stopper.stopped_epoch == 2
    improving = small_model(lr=0.05)
    history = improving.fit(
        *data(), epochs=4, callbacks=[callbacks.EarlyStopping(monitor="loss", patience=1)], verbose=0
    )
    assert len(history.epoch) == 4
    late = callbacks.EarlyStopping(monitor="loss", patience=0, start_from_epoch=3)
    assert len(small_model(lr=0.0).fit(*data(), epochs=6, callbacks=[late], shuffle=False, verbose=0).epoch) == 5


def test_reduce_lr_on_plateau_and_scheduler():
    model = small_model(lr=0.0)
    reducer = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_lr=0.0)
    model.optimizer.learning_rate = 0.0
    history = model.fit(*data(), epochs=3, callbacks=[reducer], verbose=0)
    assert "learning_rate" in history.history
    model = small_model(lr=0.1)
    scheduler = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    history = model.fit(*data(), epochs=3, callbacks=[scheduler], verbose=0)
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.1 / 3], rtol=1e-6)


def test_csv_logger_lambda_and_terminate_on_nan(tmp_path):
    path = tmp_path / "log.csv"
    seen = []
    lam = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    small_model().fit(*data(), epochs=2, callbacks=[callbacks.CSVLogger(path), lam], verbose=0)
    rows = list(csv.reader(open(path)))
    assert rows[0] == ["epoch", "loss", "mae"] and len(rows) == 3 and seen == [0, 1]
    x, y = data()
    y = y.copy()
    y[0] = np.nan
    history = small_model().fit(x, y, epochs=3, batch_size=8, callbacks=[callbacks.TerminateOnNaN()], verbose=0)
    assert len(history.epoch) == 1


def test_model_checkpoint(tmp_path):
    model = small_model()
    pattern = str(tmp_path / "w_{epoch:02d}.weights.h5")
    model.fit(*data(), epochs=2, callbacks=[callbacks.ModelCheckpoint(pattern, save_weights_only=True)], verbose=0)
    assert sorted(os.listdir(tmp_path)) == ["w_01.weights.h5", "w_02.weights.h5"]
    best = str(tmp_path / "best.keras")
    checkpoint = callbacks.ModelCheckpoint(best, monitor="loss", save_best_only=True)
    small_model(lr=0.0).fit(*data(), epochs=2, callbacks=[checkpoint], verbose=0)
    assert os.path.exists(best)
    restored = keras.models.load_model(best)
    assert restored.count_params() == model.count_params()


def test_backup_and_restore_resumes(tmp_path):
    backup = str(tmp_path / "backup")

    class Interrupt(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("interrupted")

    model = small_model()
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(*data(), epochs=4, callbacks=[callbacks.BackupAndRestore(backup), Interrupt()], verbose=0)
    resumed = small_model()
    history = resumed.fit(*data(), epochs=4, callbacks=[callbacks.BackupAndRestore(backup)], verbose=0)
    assert history.epoch == [2, 3]
    assert int(resumed.optimizer.iterations) == 4  # two epochs restored, two run, one step each
    assert not os.path.exists(backup)


def test_progbar_logger_is_added_once(capsys):
    small_model().fit(*data(), epochs=2, callbacks=[callbacks.ProgbarLogger()], verbose=1)
    assert capsys.readouterr().out.count("Epoch 1/2") == 1


@pytest.mark.usefixtures("tf2_dialect")
def test_progbar_in_a_terminal_redraws_in_place():
    import io

    from keraslite.utils.progbar import Progbar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = Progbar(target=4, stream=stream, interval=0.0)
    bar.update(1, [("loss", 0.5)])
    bar.update(4, [("loss", 0.25)])
    text = stream.getvalue()
    assert text.startswith("\r1/4 [======>.......................] - ETA: ")
    assert "\r4/4 [==============================] - 0s" in text and text.endswith(" - loss: 0.2500\n")
    piped = io.StringIO()
    quiet = Progbar(target=4, stream=piped, interval=0.0)
    quiet.update(1, [("loss", 0.5)])
    assert piped.getvalue() == ""  # piped: only the final line is written
    quiet.update(4, [("loss", 0.0001)])
    assert "\r" not in piped.getvalue() and piped.getvalue().endswith("loss: 1.0000e-04\n")


class LogsRecorder(callbacks.Callback):
    """Keeps, for every hook called, the logs it received (the first call of each)."""

    HOOKS = (
        "on_train_begin",
        "on_train_end",
        "on_epoch_begin",
        "on_epoch_end",
        "on_train_batch_begin",
        "on_train_batch_end",
        "on_test_begin",
        "on_test_end",
        "on_test_batch_begin",
        "on_test_batch_end",
        "on_predict_begin",
        "on_predict_end",
        "on_predict_batch_begin",
        "on_predict_batch_end",
    )

    def __init__(self):
        super().__init__()
        self.logs = {}
        for hook in self.HOOKS:
            setattr(self, hook, self._recorder(hook))

    def _recorder(self, hook):
        def record(*args):
            logs = args[-1]  # (logs) or (batch or epoch, logs)
            self.logs.setdefault(hook, logs)

        return record


def test_every_hook_receives_a_logs_dict_as_in_keras():
    x, y = data()
    model = small_model()
    fit_recorder, eval_recorder, predict_recorder = LogsRecorder(), LogsRecorder(), LogsRecorder()
    model.fit(x, y, batch_size=16, epochs=2, validation_data=(x, y), callbacks=[fit_recorder], verbose=0)
    model.evaluate(x, y, batch_size=16, callbacks=[eval_recorder], verbose=0)
    model.predict(x, batch_size=16, callbacks=[predict_recorder], verbose=0)

    for recorder in (fit_recorder, eval_recorder, predict_recorder):
        assert all(isinstance(logs, dict) for logs in recorder.logs.values()), recorder.logs
    fit_logs = fit_recorder.logs
    assert set(fit_logs) == {h for h in LogsRecorder.HOOKS if "predict" not in h}
    for hook in ("on_train_begin", "on_epoch_begin", "on_train_batch_begin", "on_test_begin", "on_test_batch_begin"):
        assert fit_logs[hook] == {}, hook
    assert sorted(fit_logs["on_train_batch_end"]) == ["loss", "mae"]
    assert sorted(fit_logs["on_test_end"]) == ["loss", "mae"]
    # Keras hands on_train_end the last epoch's logs, validation included.
    assert sorted(fit_logs["on_train_end"]) == ["loss", "mae", "val_loss", "val_mae"]
    assert all(isinstance(v, float) for v in fit_logs["on_train_end"].values())

    assert sorted(eval_recorder.logs["on_test_end"]) == ["loss", "mae"]
    predict_logs = predict_recorder.logs
    assert predict_logs["on_predict_begin"] == {} and predict_logs["on_predict_end"] == {}
    assert predict_logs["on_predict_batch_begin"] == {}
    outputs = predict_logs["on_predict_batch_end"]["outputs"]
    assert isinstance(outputs, np.ndarray) and outputs.shape == (16, 1)


def test_predict_batch_logs_follow_the_output_structure():
    inputs = keras.Input(shape=(4,))
    x, _ = data(8)
    as_list = keras.Model(inputs, [layers.Dense(1)(inputs), layers.Dense(2)(inputs)])
    recorder = LogsRecorder()
    as_list.predict(x, batch_size=8, callbacks=[recorder], verbose=0)
    outputs = recorder.logs["on_predict_batch_end"]["outputs"]
    assert isinstance(outputs, list) and [tuple(o.shape) for o in outputs] == [(8, 1), (8, 2)]

    # Keras flattens a dict of outputs into the logs: one key per output name.
    as_dict = keras.Model(inputs, {"score": layers.Dense(1)(inputs), "kind": layers.Dense(2)(inputs)})
    recorder = LogsRecorder()
    as_dict.predict(x, batch_size=8, callbacks=[recorder], verbose=0)
    logs = recorder.logs["on_predict_batch_end"]
    assert sorted(logs) == ["kind", "score"] and logs["kind"].shape == (8, 2)


def test_callback_list_calls_every_hook_with_a_fresh_dict():
    recorder = LogsRecorder()
    callback_list = callbacks.CallbackList([recorder])
    for hook in LogsRecorder.HOOKS:
        method = getattr(callback_list, hook)
        method(0) if "batch" in hook or "epoch" in hook else method()
    assert recorder.logs == {hook: {} for hook in LogsRecorder.HOOKS}

    # A custom loop's logs, as Keras hands them on: tensors as floats, nested dicts flattened.
    recorder = LogsRecorder()
    callbacks.CallbackList([recorder]).on_epoch_end(0, {"loss": torch.tensor(0.5), "extra": {"mae": np.float32(0.25)}})
    assert recorder.logs["on_epoch_end"] == {"loss": 0.5, "mae": 0.25}

    class OldStyle(callbacks.Callback):  # the tf.keras 1 hook name
        def on_batch_begin(self, batch, logs=None):
            self.seen = (batch, logs)

    old_style = OldStyle()
    callbacks.CallbackList([old_style]).on_batch_begin(3)
    assert old_style.seen == (3, {})


def test_python_logs_converts_tensors_and_flattens_nested_dicts():
    given = {"loss": torch.tensor(0.5), "scores": {"a": torch.ones(2, 3), "n": np.int64(3)}, "tag": "x"}
    logs = python_logs(given)
    assert logs["loss"] == 0.5 and type(logs["loss"]) is float
    assert isinstance(logs["a"], np.ndarray) and logs["a"].shape == (2, 3)
    assert logs["n"] == 3.0 and type(logs["n"]) is float and logs["tag"] == "x"
    assert python_logs(None) == {} and python_logs(given) is not given
