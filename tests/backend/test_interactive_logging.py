"""Interactive logging: messages on stdout, or through Python's `logging` when it is off."""

import io
import logging

import pytest

from keraslite.backend import interactive_logging


@pytest.fixture
def logging_off():
    interactive_logging.disable_interactive_logging()
    yield
    interactive_logging.enable_interactive_logging()


def test_print_msg_writes_to_stdout_by_default(capsys):
    assert interactive_logging.is_interactive_logging_enabled()
    interactive_logging.print_msg("first")
    interactive_logging.print_msg("second", line_break=False)
    assert capsys.readouterr().out == "first\nsecond"


def test_print_msg_writes_to_a_given_stream():
    stream = io.StringIO()
    interactive_logging.print_msg("line", stream=stream)
    assert stream.getvalue() == "line\n"


def test_print_msg_logs_at_info_when_interactive_logging_is_off(logging_off, capsys, caplog):
    stream = io.StringIO()
    with caplog.at_level(logging.INFO, logger="keraslite"):
        interactive_logging.print_msg("\r3/3 [===] - loss: 0.1   \n", line_break=False, stream=stream)
        interactive_logging.print_msg("Epoch 1/2")
    assert stream.getvalue() == "" and capsys.readouterr().out == ""
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("keraslite", logging.INFO, "3/3 [===] - loss: 0.1"),
        ("keraslite", logging.INFO, "Epoch 1/2"),
    ]
