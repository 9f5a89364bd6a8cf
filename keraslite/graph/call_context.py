"""The `training` flag seen by nested layer calls.

Keras passes `training` down implicitly: a layer called inside another layer's
`call` without an explicit `training` uses its caller's. A thread-local stack holds
the caller's value for the duration of a call.
"""

from __future__ import annotations

import threading

_state = threading.local()


def current_training():
    stack = getattr(_state, "stack", None)
    return stack[-1] if stack else None


def push_training(value) -> None:
    stack = getattr(_state, "stack", None)
    if stack is None:
        stack = _state.stack = []
    stack.append(value)


def pop_training() -> None:
    _state.stack.pop()


# What the outermost eager layer call hands back. None: its outputs as they are. The
# TensorFlow shim installs one when a script imports it as `tensorflow`, so that what a
# TF-2-era script gets from `model(x)` behaves as TensorFlow's eager tensors do
# (`.numpy()` on outputs that require grad, NumPy functions, lists as operands).
_outermost_output_wrapper = None


def set_outermost_output_wrapper(wrapper) -> None:
    """Install `wrapper(outputs) -> outputs` for outermost eager calls (None removes it)."""
    global _outermost_output_wrapper
    _outermost_output_wrapper = wrapper


def wrap_outermost_outputs(outputs):
    """`outputs` through the installed wrapper when no layer call encloses this one."""
    if _outermost_output_wrapper is None or getattr(_state, "stack", None):
        return outputs
    return _outermost_output_wrapper(outputs)
