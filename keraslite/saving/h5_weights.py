"""Keras 3's `model.weights.h5`: one group per layer path holding a `vars` group
(attribute `name`) whose datasets `0`, `1`, ... are the layer's own variables (a
TorchModuleWrapper's are named by their `state_dict` keys instead, as Keras names them)."""

from __future__ import annotations

import io

import numpy as np

from keraslite.saving import keras_layout
from keraslite.saving.errors import corrupt_file_error


def write_h5_weights(fileobj, groups) -> None:
    """Write `keras_layout.weight_groups(...)` to an open binary file (or path)."""
    import h5py  # on first use: 30 ms of import time most programs never spend

    with h5py.File(fileobj, "w") as h5:
        for path, name, variables in groups:
            parent = h5.require_group(path) if path else h5
            group = parent.create_group("vars")
            group.attrs["name"] = name
            for index, variable in enumerate(variables):
                group.create_dataset(keras_layout.storage_key(variable, index), data=keras_layout.to_numpy(variable))


def read_h5_weights(fileobj, source: str) -> dict:
    """{group path: [arrays in order]} for every `vars` group of a Keras 3 weights file."""
    import h5py  # on first use: 30 ms of import time most programs never spend

    stored: dict = {}
    try:
        h5 = h5py.File(fileobj, "r")
    except (OSError, ValueError) as error:
        raise corrupt_file_error(source, "it is not a readable HDF5 file", error) from error
    with h5:
        if "model_weights" in h5 or "layer_names" in h5.attrs:
            raise ValueError(
                f"'{source}' is a legacy tf.keras (Keras 2) weights file, not a Keras 3 `.weights.h5` file. "
                "Give it the `.h5` extension to load it in the legacy layout."
            )

        def visit(name, obj):
            if isinstance(obj, h5py.Group) and name.split("/")[-1] == "vars":
                path = name[: -len("vars")].rstrip("/")
                keys = sorted(obj.keys(), key=lambda k: int(k) if k.isdigit() else k)
                try:
                    arrays = [np.asarray(obj[k][()]) for k in keys]
                except (OSError, ValueError, KeyError) as error:
                    raise corrupt_file_error(source, f"the weights under '{name}' cannot be read", error) from error
                # Variables stored under names (a TorchModuleWrapper's state_dict keys) keep them.
                stored[path] = arrays if all(k.isdigit() for k in keys) else keras_layout.NamedArrays(keys, arrays)

        try:
            h5.visititems(visit)
        except (OSError, RuntimeError) as error:
            raise corrupt_file_error(source, "its HDF5 structure is damaged", error) from error
    if not stored:
        raise ValueError(f"'{source}' holds no Keras 3 weights (no `vars` groups): it is not a Keras weights file.")
    return stored


def save_h5_weights_file(model, fileobj, include_optimizer: bool = False) -> None:
    write_h5_weights(fileobj, keras_layout.weight_groups(model, include_optimizer=include_optimizer))


def h5_bytes(model, include_optimizer: bool = True) -> bytes:
    buffer = io.BytesIO()
    save_h5_weights_file(model, buffer, include_optimizer=include_optimizer)
    return buffer.getvalue()
