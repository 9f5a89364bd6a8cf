"""`Progbar` output: on its stream, or through Python's `logging` with interactive logging off."""

import io
import logging
import re

import numpy as np
import pytest

import keraslite as keras
from keraslite.utils.progbar import Progbar


@pytest.mark.usefixtures("tf2_dialect")
def test_final_line_goes_to_the_stream():
    stream = io.StringIO()
    bar = Progbar(target=2, stream=stream, interval=0.0)
    bar.update(1, [("loss", 0.5)])
    bar.update(2, [("loss", 0.25)])
    text = stream.getvalue()
    assert text.startswith("2/2 [") and text.endswith(" - loss: 0.2500\n")


@pytest.mark.usefixtures("tf2_dialect")
def test_with_interactive_logging_off_each_epoch_line_is_logged_not_written(caplog):
    keras.config.disable_interactive_logging()
    try:
        with caplog.at_level(logging.INFO, logger="keraslite"):
            for verbose in (1, 2):
                stream = io.StringIO()
                bar = Progbar(target=2, stream=stream, interval=0.0, verbose=verbose)
                bar.update(1, [("loss", 0.5)])
                bar.update(2, [("loss", 0.25)])
                assert stream.getvalue() == ""
    finally:
        keras.config.enable_interactive_logging()
    messages = [record.getMessage() for record in caplog.records if record.name == "keraslite"]
    assert len(messages) == 2
    assert messages[0].startswith("2/2 [==============================] - ") and messages[0].endswith("loss: 0.2500")
    assert messages[1].startswith("2/2 - ") and messages[1].endswith(" - loss: 0.2500")
    assert not any(character in "".join(messages) for character in "\r\n\b")


def test_values_are_averaged_unless_stateful_as_in_keras():
    bar = Progbar(target=10, stream=io.StringIO(), stateful_metrics=["acc"])
    bar.update(1, [("loss", 2.0), ("acc", 0.5)])
    bar.update(3, [("loss", 4.0), ("acc", 0.7)])
    assert bar._values["loss"] == pytest.approx(10 / 3) and bar._values["acc"] == 0.7
    bar.update(10, [("loss", 1.0)])  # the final update shows the value as given
    assert bar._values["loss"] == 1.0
    only = Progbar(target=10, stream=io.StringIO(), stateless_metrics=["loss"])
    only.update(2, [("loss", 1.0), ("acc", 0.1)])
    only.update(4, [("loss", 3.0), ("acc", 0.2)])
    assert only._values["loss"] == 2.0 and only._values["acc"] == 0.2
    with pytest.raises(ValueError, match="Only one of `stateful_metrics` or `stateless_metrics`"):
        Progbar(target=1, stateful_metrics=["a"], stateless_metrics=["b"])


# ---------------------------------------------------------------- Keras 3's layout
FIT = """
import contextlib, io
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
x = np.linspace(0, 1, 96, dtype="float32").reshape(24, 4)
y = np.arange(24) % 3
out = io.StringIO()
with contextlib.redirect_stdout(out):
    model.fit(x, y, batch_size=4, epochs=2, validation_split=0.25, verbose=1)
    model.fit(x, y, batch_size=4, epochs=1, verbose=2)
    model.evaluate(x, y, batch_size=4, verbose=1)
    model.predict(x, batch_size=4, verbose=1)
result["out"] = out.getvalue()
"""


def _shown(text):
    """What a terminal shows at the end, with the times and metric values masked: each line
    after its last carriage return, backspaces dropped, trailing padding stripped."""
    text = re.sub(r"\d+\.\d{4}(e[+-]\d+)?", "V", text)
    text = re.sub(r"\d+(:\d\d)*(ms|us|s)\b", "T", text)
    return [line.split("\r")[-1].replace("\b", "").rstrip() for line in text.split("\n")]


def test_fit_evaluate_predict_print_keras3_lines(keras_oracle):
    expected = keras_oracle.run(FIT)["out"]
    scope = {"keras": keras, "np": np, "result": {}}
    exec(compile(FIT, "<keraslite side>", "exec"), scope)
    got = scope["result"]["out"]
    assert _shown(got) == _shown(expected)
    # The bar is redrawn in place (as Keras does on POSIX even when piped), with its colours.
    assert "\x1b[1m6/6\x1b[0m \x1b[32m" + "━" * 20 + "\x1b[0m\x1b[37m\x1b[0m \x1b[1m" in got
    assert "\r" in got and "Epoch 1/2" in got and "Epoch 1/1" not in got


def test_keras3_bar_draws_eta_then_the_final_line():
    stream = io.StringIO()
    bar = Progbar(target=4, stream=stream, interval=0.0)
    bar.update(1, [("loss", 0.5), ("accuracy", 0.25)])
    bar.update(4, [("loss", 0.25), ("accuracy", 0.5)])
    first, final = stream.getvalue().split("\r")[1:]
    assert first.startswith("\x1b[1m1/4\x1b[0m \x1b[32m━━━━━\x1b[0m\x1b[37m" + "━" * 15 + "\x1b[0m \x1b[1m")
    assert "step - accuracy: 0.2500 - loss: 0.5000" in first  # Keras 3's order: sorted
    # The final line is padded to cover a longer one before it, then ends the line.
    assert final.endswith("\n") and final.rstrip().endswith("step - accuracy: 0.5000 - loss: 0.2500")
    # The redraw first backs over what the last draw showed (escape codes take no room).
    shown = re.sub(r"\x1b\[\d+m", "", first.rstrip("\b"))
    assert first.endswith("\b" * len(shown)) and not first.endswith("\b" * (len(shown) + 1))


def test_keras3_verbose_two_line():
    stream = io.StringIO()
    bar = Progbar(target=12, stream=stream, verbose=2)
    bar.update(12, [("val_loss", 0.5), ("loss", -0.25)])
    line = r"12/12 - \d+s - \d+(us|ms|s)/step - loss: -2\.5000e-01 - val_loss: 0\.5000\n"
    assert re.fullmatch(line, stream.getvalue())
