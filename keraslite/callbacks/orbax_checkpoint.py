"""`keras.callbacks.OrbaxCheckpoint`: Keras 3's callback that saves through Orbax, Google's
JAX checkpointing library (`orbax-checkpoint`).

Keras needs that package for it on every backend and refuses without it; keraslite does the
same, with Keras's message. Orbax's checkpoint format is JAX's; keraslite does not write it, so
with the package present the callback says so and names what keraslite offers instead.
"""

from __future__ import annotations

import importlib.util

from keraslite.callbacks.callback import Callback

_INSTEAD = (
    "Use `keras.callbacks.ModelCheckpoint` (the `.keras` or `.weights.h5` files Keras reads) or "
    "`keras.callbacks.BackupAndRestore` (resumable training) instead."
)


class OrbaxCheckpoint(Callback):
    """Saves the model's state with Orbax (see the module docstring). Keras's arguments:
    `directory`, `monitor`, `verbose`, `save_best_only`, `mode`, `save_freq`,
    `initial_value_threshold`, `max_to_keep`, `save_on_background`, `save_weights_only`."""

    def __init__(
        self,
        directory,
        monitor="val_loss",
        verbose=0,
        save_best_only=False,
        mode="auto",
        save_freq="epoch",
        initial_value_threshold=None,
        max_to_keep=1,
        save_on_background=True,
        save_weights_only=False,
    ):
        if importlib.util.find_spec("orbax") is None:
            raise ImportError(
                "OrbaxCheckpoint requires the 'orbax-checkpoint' package. You can install it via pip install "
                f"orbax-checkpoint. {_INSTEAD}"
            )
        raise NotImplementedError(
            "keras.callbacks.OrbaxCheckpoint writes JAX's Orbax checkpoint format, which keraslite (on PyTorch) "
            f"does not write. {_INSTEAD}"
        )
