"""`Progbar` output: on its stream, or through Python's `logging` with interactive logging off."""

import io
import logging

import pytest

import keraslite as keras
from keraslite.utils.progbar import Progbar


def test_final_line_goes_to_the_stream():
    stream = io.StringIO()
    bar = Progbar(target=2, stream=stream, interval=0.0)
    bar.update(1, [("loss", 0.5)])
    bar.update(2, [("loss", 0.25)])
    text = stream.getvalue()
    assert text.startswith("2/2 [") and text.endswith(" - loss: 0.2500\n")


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
