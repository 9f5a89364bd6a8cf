"""Restoring a saved optimizer state into a loaded model's optimizer (Keras 3 order)."""

from __future__ import annotations

import warnings

from keraslite.distribution.sharded_variables import keras_variables
from keraslite.saving import keras_layout


def load_optimizer_state(model, optimizer_arrays: list, source: str) -> None:
    """Assign saved optimizer variables (Keras 3 order) to the model's optimizer, building
    its slots first; a count mismatch warns and keeps a fresh state (as Keras does)."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return
    if not getattr(optimizer, "built", False):
        optimizer.build(model.trainable_weights)
    variables = keras_variables(optimizer.variables)  # a slot kept per shard: its whole-shaped view
    if len(variables) != len(optimizer_arrays):
        warnings.warn(
            f"Skipping the optimizer state stored in '{source}': it has {len(optimizer_arrays)} variables, the "
            f"optimizer '{getattr(optimizer, 'name', '?')}' has {len(variables)}. Training resumes with a fresh "
            "optimizer state."
        )
        return
    keras_layout.assign_groups(
        [("optimizer", getattr(optimizer, "name", "optimizer"), variables)],
        {"optimizer": optimizer_arrays},
        source,
        what="optimizer state",
    )
