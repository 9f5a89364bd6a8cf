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
