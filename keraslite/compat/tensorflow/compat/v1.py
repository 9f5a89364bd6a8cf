"""`tf.compat.v1`: the TensorFlow 1 names that make sense in eager code (logging, eager
switches, the v2 functions TF1 also had); graph-mode APIs (sessions, placeholders) raise
the shim's error naming what to use instead."""

from __future__ import annotations

import importlib
import logging as _logging

from keraslite.compat.tensorflow.missing import MissingFunctionError

_GRAPH_MODE = {
    "Session",
    "InteractiveSession",
    "placeholder",
    "ConfigProto",
    "GraphDef",
    "get_default_graph",
    "global_variables_initializer",
    "disable_eager_execution",
    "disable_v2_behavior",
    "variable_scope",
    "get_variable",
}


def enable_eager_execution(config=None, device_policy=None, execution_mode=None) -> None:
    """Eager execution is the only mode: nothing to do."""


def enable_v2_behavior() -> None:
    """TensorFlow 2 behaviour is the only behaviour: nothing to do."""


def executing_eagerly() -> bool:
    return True


class logging:  # noqa: N801  (TensorFlow's name)
    """`tf.compat.v1.logging`: Python logging with TensorFlow's level names."""

    DEBUG, INFO, WARN, ERROR, FATAL = _logging.DEBUG, _logging.INFO, _logging.WARNING, _logging.ERROR, _logging.FATAL

    @staticmethod
    def set_verbosity(level) -> None:
        _logging.getLogger("tensorflow").setLevel(level)

    @staticmethod
    def get_verbosity() -> int:
        return _logging.getLogger("tensorflow").level

    info = staticmethod(_logging.getLogger("tensorflow").info)
    warning = staticmethod(_logging.getLogger("tensorflow").warning)
    warn = warning
    error = staticmethod(_logging.getLogger("tensorflow").error)
    debug = staticmethod(_logging.getLogger("tensorflow").debug)


def __getattr__(name: str):
    if name in _GRAPH_MODE:
        raise MissingFunctionError(
            f"`tf.compat.v1.{name}` is TensorFlow 1 graph mode, which keraslite does not have "
            "(it runs eagerly on PyTorch). Use eager code: call functions and models directly."
        )
    return getattr(importlib.import_module("keraslite.compat.tensorflow"), name)
