"""The loops of training/fit_loop.py on their own: callbacks, custom steps, validation,
stopping, prediction packing, and their helpers."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite.callbacks.history import History, ProgbarLogger
from keraslite.training import fit_loop


def dict_model():
    keras.backend.clear_session()
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    x = layers.concatenate([a, b])
    model = keras.Model(
        {"a": a, "b": b}, {"first": layers.Dense(1, name="first")(x), "second": layers.Dense(2, name="second")(x)}
    )
    model.compile(optimizer="sgd", loss={"first": "mse", "second": "mse"})
    return model


rng = np.random.default_rng(0)
X = {"a": rng.random((10, 3)).astype("float32"), "b": rng.random((10, 2)).astype("float32")}
Y = {"first": rng.random((10, 1)).astype("float32"), "second": rng.random((10, 2)).astype("float32")}


def test_resolve_verbose():
    assert fit_loop.resolve_verbose("auto") == 1
    assert fit_loop.resolve_verbose(0) == 0 and fit_loop.resolve_verbose("2") == 2


def test_callback_list_adds_progress_bar_and_history():
    model = dict_model()
    mine = keras.callbacks.Callback()
    callback_list, progbar, history = fit_loop.make_callback_list(model, [mine], 1, 3, 7, add_history=True)
    assert isinstance(callback_list.callbacks[0], ProgbarLogger) and callback_list.callbacks[0] is progbar
    assert callback_list.callbacks[1] is mine and isinstance(callback_list.callbacks[-1], History)
    assert callback_list.callbacks[-1] is history
    assert mine.model is model and mine.params == {"verbose": 1, "epochs": 3, "steps": 7}
    quiet, progbar, history = fit_loop.make_callback_list(model, None, 0, 1, None, add_history=False)
    assert progbar is None and history is None and quiet.callbacks == []


@pytest.mark.parametrize("dialect", ["keras3", "tf2"])
def test_fit_takes_a_single_callback_not_in_a_list(dialect, request):
    # Keras 3.15.1 and tf.keras 2 both flatten `callbacks`, so a lone callback is taken.
    if dialect == "tf2":
        request.getfixturevalue("tf2_dialect")
    model = dict_model()
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1e9)
    history = model.fit(X, Y, epochs=5, verbose=0, callbacks=stopper)
    assert len(history.history["loss"]) == 2 and stopper.model is model
    model.evaluate(X, Y, verbose=0, callbacks=keras.callbacks.Callback())
    nested = fit_loop.make_callback_list(model, [stopper, [History()]], 0, 1, None, add_history=False)[0]
    assert [type(c) for c in nested.callbacks] == [type(stopper), History]


def test_cpu_performance_mode_flushes_denormals_only_inside():
    denormal = torch.tensor([1e-39])
    if not torch.set_flush_denormal(False) or (denormal * 1.0).item() == 0.0:
        pytest.skip("this CPU cannot flush denormals")
    with fit_loop.cpu_performance_mode(torch.device("cpu")):
        assert (denormal * 1.0).item() == 0.0
    assert (denormal * 1.0).item() != 0.0


def test_run_fit_returns_history_with_validation_logs():
    model = dict_model()
    history = fit_loop.run_fit(
        model._training_state, X, Y, 4, 2, 0, None, 0.2, None, False, None, None, 0, None, None, None, 1
    )
    assert history.epoch == [0, 1]
    assert set(history.history) == {
        "loss",
        "first_loss",
        "second_loss",
        "val_loss",
        "val_first_loss",
        "val_second_loss",
    }
    assert model.history is history and int(model.optimizer.iterations) == 2 * 2  # 8 training samples, batch 4


def test_stop_training_stops_after_the_batch():
    model = dict_model()
    seen = []

    class StopAtSecond(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)
            if batch == 1:
                self.model.stop_training = True

    history = model.fit(X, Y, batch_size=2, epochs=3, verbose=0, callbacks=[StopAtSecond()])
    assert seen == [0, 1] and history.epoch == [0]


def test_validation_inside_fit_is_flagged_for_callbacks():
    model = dict_model()
    flags = []

    class Watch(keras.callbacks.Callback):
        def on_test_begin(self, logs=None):
            flags.append(self.model._in_fit_validation)

    model.fit(X, Y, batch_size=5, epochs=2, verbose=0, validation_data=(X, Y), callbacks=[Watch()])
    assert flags == [True, True] and model._in_fit_validation is False


def test_custom_train_step_receives_packed_batches_and_its_logs_are_returned():
    seen = []

    class Custom(keras.Model):
        def train_step(self, data):
            x, y = data
            seen.append((type(x).__name__, len(x), type(y).__name__, len(y)))
            return {"custom": torch.tensor(float(len(seen)))}

    keras.backend.clear_session()
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    x = layers.concatenate([a, b])
    model = Custom(
        {"a": a, "b": b}, {"first": layers.Dense(1, name="first")(x), "second": layers.Dense(2, name="second")(x)}
    )
    model.compile(optimizer="sgd", loss="mse")
    assert model._training_state.custom_train_step and not model._training_state.custom_test_step
    history = model.fit(X, Y, batch_size=5, epochs=1, verbose=0)
    assert history.history == {"custom": [2.0]}
    assert seen == [("list", 2, "list", 2)] * 2  # flat batches back in model-input / model-output order


def test_run_predict_concatenates_batches_in_the_output_structure():
    model = dict_model()
    outputs = fit_loop.run_predict(model._training_state, X, 3, 0, None, None)
    assert set(outputs) == {"first", "second"}
    assert outputs["first"].shape == (10, 1) and outputs["second"].shape == (10, 2)
    np.testing.assert_allclose(outputs["second"], model(X)["second"].detach().numpy(), rtol=1e-5)


def test_run_predict_on_no_batches_is_an_error():
    model = dict_model()

    def empty():
        return
        yield

    with pytest.raises(ValueError, match="Empty batch_outputs"):
        model.predict(empty(), verbose=0)


def test_run_evaluate_on_a_generator_checks_the_first_batch():
    model = dict_model()

    def bad():
        yield {"a": X["a"][:, :2], "b": X["b"]}, Y

    with pytest.raises(
        ValueError, match=r'Input 0 \("a"\) of model .*expected shape=\(None, 3\)\. Received: shape=\(10, 2\)'
    ):
        model.evaluate(bad(), verbose=0)


def test_an_exhausted_generator_ends_training_with_a_warning():
    model = dict_model()

    def two_batches():
        for start in (0, 5):
            yield {k: v[start : start + 5] for k, v in X.items()}, {k: v[start : start + 5] for k, v in Y.items()}

    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(two_batches(), epochs=3, steps_per_epoch=3, verbose=0)
    assert history.epoch == [0] and int(model.optimizer.iterations) == 2


class BatchRecorder(keras.callbacks.Callback):
    """Records epochs and batches as `fit`/`evaluate`/`predict` report them."""

    def __init__(self):
        super().__init__()
        self.events = []

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(f"epoch {epoch}")

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(f"train {batch}")

    def on_test_batch_end(self, batch, logs=None):
        self.events.append(f"test {batch}")

    def on_predict_batch_end(self, batch, logs=None):
        self.events.append(f"predict {batch}")


@pytest.fixture
def debugging_caps():
    keras.config.set_max_epochs(2)
    keras.config.set_max_steps_per_epoch(2)
    yield
    keras.config.set_max_epochs(None)
    keras.config.set_max_steps_per_epoch(None)


def test_debugging_caps_limit_fit_and_its_validation(debugging_caps):
    model = dict_model()
    recorder = BatchRecorder()
    with pytest.warns(UserWarning) as caught:
        history = model.fit(X, Y, batch_size=2, epochs=5, validation_split=0.2, verbose=0, callbacks=[recorder])
    assert {"Limiting epochs to 2", "Limiting steps_per_epoch to 2"} <= {str(w.message) for w in caught}
    # 8 training samples are 4 batches, capped to 2; the 2 validation samples are one batch, under the cap.
    assert recorder.events == ["epoch 0", "train 0", "train 1", "test 0", "epoch 1", "train 0", "train 1", "test 0"]
    assert history.params["epochs"] == 2 and history.params["steps"] == 2 and len(history.history["loss"]) == 2


def test_debugging_caps_limit_evaluate_predict_and_unsized_generators(debugging_caps):
    model = dict_model()
    recorder = BatchRecorder()
    with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 2"):
        model.evaluate(X, Y, batch_size=2, verbose=0, callbacks=[recorder])
        predictions = model.predict(X, batch_size=2, verbose=0, callbacks=[recorder])
    assert recorder.events == ["test 0", "test 1", "predict 0", "predict 1"]
    assert predictions["first"].shape == (4, 1)

    def endless():
        while True:
            yield {k: v[:5] for k, v in X.items()}, {k: v[:5] for k, v in Y.items()}

    with pytest.warns(UserWarning) as caught:
        history = model.fit(endless(), epochs=3, verbose=0)
    assert {"Limiting epochs to 2", "Limiting steps_per_epoch to 2"} <= {str(w.message) for w in caught}
    assert len(history.history["loss"]) == 2 and int(model.optimizer.iterations) == 4


def test_without_caps_fit_runs_every_epoch_and_batch():
    model = dict_model()
    recorder = BatchRecorder()
    model.fit(X, Y, batch_size=5, epochs=3, verbose=0, callbacks=[recorder])
    assert recorder.events.count("train 1") == 3 and "train 2" not in recorder.events
