"""`tf2_defaults`: one signature with Keras 3's defaults, tf.keras 2's under the "tf2" dialect.

A few functions kept their names but changed defaults between tf.keras 2 and Keras 3
(`plot_model(show_layer_names=, dpi=)`, `Progbar(width=)`). Their signatures show Keras 3's
values, as `inspect.signature` and `help()` report them in Keras 3; TF-2-era code (the
"tf2" dialect, docs/ARCHITECTURE.md decision 10) that leaves such an argument out gets
tf.keras 2's value instead. An argument passed explicitly is always kept.
"""

from __future__ import annotations

import functools
import inspect

from keraslite.backend import state


def tf2_defaults(**defaults):
    """Decorate a function (or `__init__`) so that, under the "tf2" dialect, each parameter
    named in `defaults` that the caller left out takes the value given here."""

    def decorate(function):
        parameters = inspect.signature(function).parameters
        unknown = sorted(set(defaults) - set(parameters))
        if unknown:
            raise TypeError(f"{function.__qualname__} has no parameters {unknown} to give tf.keras 2 defaults.")
        positional = [
            name
            for name, parameter in parameters.items()
            if parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        ]

        @functools.wraps(function)
        def with_dialect_defaults(*args, **kwargs):
            if state.dialect() == "tf2":
                given = set(positional[: len(args)])
                for name, value in defaults.items():
                    if name not in kwargs and name not in given:
                        kwargs[name] = value
            return function(*args, **kwargs)

        with_dialect_defaults.tf2_defaults = dict(defaults)
        return with_dialect_defaults

    return decorate
