"""The order of logs: Keras 3 sorts them by name (History, callbacks, progress bar,
`return_dict=True`); tf.keras 2 kept loss first, then the compiled metrics. A list result keeps
the compiled order in both."""

import numpy as np

import keraslite as keras


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse", metrics=["mse", "accuracy"])
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.random((8, 3), dtype=np.float32), rng.random((8, 2), dtype=np.float32)


def test_keras3_logs_are_sorted_by_name():
    model, (x, y) = _model(), _data()
    history = model.fit(x, y, validation_split=0.25, verbose=0)
    assert list(history.history) == ["accuracy", "loss", "mse", "val_accuracy", "val_loss", "val_mse"]
    assert list(model.evaluate(x, y, verbose=0, return_dict=True)) == ["accuracy", "loss", "mse"]
    values = model.evaluate(x, y, verbose=0)
    assert values[0] == values[1]  # loss, then mse (compiled order), then accuracy
    assert values[2] in (0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0)


def test_custom_train_step_logs_are_sorted_too():
    class Custom(keras.Model):
        def train_step(self, data):
            return {"zeta": 1.0, "alpha": 2.0}

    inputs = keras.Input((3,))
    model = Custom(inputs, keras.layers.Dense(2)(inputs))
    model.compile("sgd", "mse")
    assert list(model.fit(*_data(), verbose=0).history) == ["alpha", "zeta"]


def test_tf2_logs_keep_the_compiled_order(tf2_dialect):
    model, (x, y) = _model(), _data()
    history = model.fit(x, y, validation_split=0.25, verbose=0)
    assert list(history.history) == ["loss", "mse", "accuracy", "val_loss", "val_mse", "val_accuracy"]


def test_progress_bar_prints_sorted_logs(capsys):
    model, (x, y) = _model(), _data()
    model.fit(x, y, epochs=1, verbose=2)
    line = [text for text in capsys.readouterr().out.splitlines() if "loss" in text][-1]
    assert line.index("accuracy:") < line.index("loss:") < line.index("mse:")


def test_tf2_custom_step_logs_without_a_compiled_loss_are_kept(tf2_dialect):
    # tf.keras 2: with no loss compiled, `model.metrics` holds no loss tracker, so a custom
    # step's {"loss": ...} is reported as returned (Keras 3's model.metrics has one).
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def train_step(self, data):
            return {"loss": 0.5}

    model = Custom()
    model.compile("sgd")
    assert model.fit(*_data(), verbose=0).history == {"loss": [0.5]}
