"""Where Keras's messages go: standard output (interactive logging, the default) or Python's
`logging`, for jobs on a server whose output is a log.

Keras sends them to `absl.logging` at INFO when interactive logging is off; keraslite uses
the standard library's logger named `"keraslite"` at INFO, so they are hidden unless the
program configures logging (`logging.basicConfig(level=logging.INFO)`).
"""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("keraslite")
_interactive_logging = True


def enable_interactive_logging() -> None:
    """Turn interactive logging on: progress bars and messages are written to stdout."""
    global _interactive_logging
    _interactive_logging = True


def disable_interactive_logging() -> None:
    """Turn interactive logging off: progress bars and messages go to the `"keraslite"`
    logger of Python's `logging` at INFO level instead of stdout."""
    global _interactive_logging
    _interactive_logging = False


def is_interactive_logging_enabled() -> bool:
    """Whether messages are written to stdout (`True`, the default) or logged (`False`)."""
    return _interactive_logging


def print_msg(message, line_break: bool = True, stream=None) -> None:
    """Write `message` to `stream` (stdout by default) when interactive logging is on;
    otherwise log it at INFO, without the control characters a terminal redraw uses."""
    message = str(message)
    if _interactive_logging:
        out = stream if stream is not None else sys.stdout
        out.write(message + "\n" if line_break else message)
        out.flush()
    else:
        logger.info(message.strip("\r\n\b").rstrip())
