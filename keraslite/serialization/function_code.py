"""Python lambdas in configs: Keras's `__lambda__` entry (marshalled bytecode).

`dump_function` writes a lambda as real Keras does (base64 marshalled code, defaults,
closure values), so the two read each other's files on the same Python version;
`load_function` rebuilds it. Loading runs no code, but the function it returns is code
from the file: callers check `safe_mode` first.
"""

from __future__ import annotations

import base64
import marshal
import sys
import types

import numpy as np
import torch


def is_python_lambda(fn) -> bool:
    """Whether `fn` is a `lambda` (saved as code), not a named function (saved by name)."""
    return isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>"


def dump_function(fn) -> dict:
    """A Python lambda -> Keras's `__lambda__` config (base64 marshalled code, defaults,
    closure values), readable by real Keras on the same Python version."""
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(cell.cell_contents for cell in fn.__closure__) if fn.__closure__ else None
    return {"class_name": "__lambda__", "config": {"code": code, "defaults": fn.__defaults__, "closure": closure}}


def load_function(config: dict):
    """Keras's `__lambda__` config -> the function (runs no code but builds it; callers
    must have checked safe mode)."""
    # The package itself (loaded before any of its modules): the globals a saved lambda
    # usually refers to (`keras.layers...`, `K`, `ops`) resolve against it.
    keraslite = sys.modules["keraslite"]
    code = marshal.loads(base64.decodebytes(config["code"].encode("ascii")))
    defaults = tuple(config["defaults"]) if isinstance(config.get("defaults"), list) else config.get("defaults")
    closure = config.get("closure")
    if closure is not None:
        closure = tuple(types.CellType(value) for value in closure)
    namespace = {"__builtins__": __builtins__, "keras": keraslite, "K": keraslite.backend, "np": np, "torch": torch}
    if hasattr(keraslite, "ops"):
        namespace["ops"] = keraslite.ops
    return types.FunctionType(code, namespace, code.co_name, defaults, closure)
