"""The `weights=` argument of the application models: `None`, a file path, or `"imagenet"`.

Keras's published ImageNet weights are tf.keras HDF5 files in the legacy layout: the root
attribute `layer_names` lists the layers in order; each layer's group has a
`weight_names` attribute naming its datasets, in the layer's weight order. They load by
position: the i-th layer that has weights in the file goes to the i-th layer that has
weights in the model (as tf.keras's `load_weights` did).
"""

from __future__ import annotations

import os

import numpy as np

from keraslite.utils.file_utils import get_file


def _read_attribute(group, name: str) -> list[str]:
    # Long attribute lists are split by tf.keras into `name0`, `name1`, ... chunks.
    if name in group.attrs:
        values = list(group.attrs[name])
    else:
        values, chunk = [], 0
        while f"{name}{chunk}" in group.attrs:
            values.extend(group.attrs[f"{name}{chunk}"])
            chunk += 1
    return [value.decode("utf8") if isinstance(value, bytes) else str(value) for value in values]


def is_legacy_h5(path: str) -> bool:
    """Whether `path` is an HDF5 file in the tf.keras 2 layout (`layer_names` attribute)."""
    import h5py  # on first use: 30 ms of import time most programs never spend

    if not h5py.is_hdf5(path):
        return False
    with h5py.File(path, "r") as file:
        return "layer_names" in file.attrs or ("model_weights" in file and "layer_names" in file["model_weights"].attrs)


def load_legacy_h5_weights(model, path: str) -> None:
    """Load a tf.keras 2 HDF5 weights file into `model`, layer by layer in order.

    All shapes are checked before any weight is assigned, so a mismatched file leaves
    the model unchanged.
    """
    import h5py  # on first use: 30 ms of import time most programs never spend

    with h5py.File(path, "r") as file:
        group = file["model_weights"] if "layer_names" not in file.attrs and "model_weights" in file else file
        saved = []
        for name in _read_attribute(group, "layer_names"):
            weight_names = _read_attribute(group[name], "weight_names")
            if weight_names:
                saved.append((name, [np.asarray(group[name][weight_name]) for weight_name in weight_names]))
    layers = [layer for layer in model.layers if layer.weights]
    if len(saved) != len(layers):
        raise ValueError(
            f"Layer count mismatch when loading weights from file {path}. Model expected {len(layers)} layers, "
            f"found {len(saved)} saved layers."
        )
    for index, (layer, (saved_name, values)) in enumerate(zip(layers, saved)):
        expected = [tuple(weight.shape) for weight in layer.weights]
        received = [value.shape for value in values]
        if len(expected) != len(received):
            raise ValueError(
                f"Weight count mismatch for layer #{index} (named {layer.name} in the current model, {saved_name} in "
                f"the save file). Layer expects {len(expected)} weight(s). Received {len(received)} saved weight(s)"
            )
        if expected != received:
            raise ValueError(
                f"Shape mismatch in layer #{index} (named {layer.name} in the current model, {saved_name} in the save "
                f"file): expected shapes {expected}. Received: shapes={received}"
            )
    for layer, (_, values) in zip(layers, saved):
        layer.set_weights(values)


def check_weights_argument(weights, include_top: bool, classes: int) -> None:
    """Keras's validation of `weights` and `classes`."""
    if not (weights in {"imagenet", None} or (isinstance(weights, (str, os.PathLike)) and os.path.exists(weights))):
        raise ValueError(
            "The `weights` argument should be either `None` (random initialization), 'imagenet' (pre-training on "
            f"ImageNet), or the path to the weights file to be loaded.  Received: weights={weights}"
        )
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(
            "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  Received "
            f"classes={classes}"
        )


def load_weights(model, weights, imagenet_file: tuple[str, str, str | None] | None = None) -> None:
    """Apply `weights` to a freshly built application model.

    Args:
        model: The model.
        weights: `None`, a file path, or `"imagenet"`.
        imagenet_file: `(file name, URL, hash)` of the published weights, fetched through
            `get_file` into `~/.keras/models/` (a clear error names the file when offline).
    """
    if weights is None:
        return
    if weights == "imagenet":
        if imagenet_file is None:
            raise ValueError(f"No ImageNet weights are published for {model.name} with these arguments.")
        fname, origin, file_hash = imagenet_file
        weights = get_file(fname, origin, cache_subdir="models", file_hash=file_hash)
    weights = os.fspath(weights)
    if is_legacy_h5(weights):
        load_legacy_h5_weights(model, weights)
    else:
        model.load_weights(weights)


def save_legacy_h5_weights(model, path: str) -> None:
    """Write `model`'s weights in the tf.keras 2 HDF5 layout that Keras's published
    application weights use (for tests and for making offline weight files).

    Written to a temporary file and renamed into place."""
    import h5py  # on first use: 30 ms of import time most programs never spend

    partial = f"{path}.part"
    try:
        with h5py.File(partial, "w") as file:
            names = [layer.name for layer in model.layers]
            file.attrs["layer_names"] = [name.encode("utf8") for name in names]
            file.attrs["backend"] = b"tensorflow"
            file.attrs["keras_version"] = b"2.15.0"
            for layer in model.layers:
                group = file.create_group(layer.name)
                weight_names = []
                for weight in layer.weights:
                    # tf.keras 2 names: "<layer>/<weight>:0", stored as nested groups.
                    weight_name = f"{layer.name}/{weight.name.split('/')[-1]}:0"
                    weight_names.append(weight_name.encode("utf8"))
                    group.create_dataset(weight_name, data=weight.detach().cpu().numpy())
                group.attrs["weight_names"] = weight_names
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
