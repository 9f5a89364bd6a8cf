"""The directory format (`model.save("path_to_my_model")`, no extension):

    path_to_my_model/
        config.json            the model config, as in a `.keras` archive
        metadata.json          versions and date
        model.safetensors      the weights, keyed by Keras weight path (layers/dense/vars/0)
        optimizer.safetensors  the optimizer state (optimizer/vars/0 ...), when there is one

`model.save(path, zipped=False)` writes Keras 3's unzipped layout instead (config.json,
metadata.json, model.weights.h5), which real Keras 3 loads; `load_model` reads both.
"""

from __future__ import annotations

import json
import os

from keraslite.saving import h5_weights, keras_archive, keras_layout, safetensors_weights
from keraslite.saving.atomic import atomic_directory
from keraslite.saving.errors import corrupt_file_error

MODEL_WEIGHTS = "model.safetensors"
OPTIMIZER_WEIGHTS = "optimizer.safetensors"


def save_directory(
    model,
    path: str,
    config: dict,
    include_optimizer: bool = True,
    overwrite: bool = True,
    keras_layout_h5: bool = False,
) -> None:
    """`keras_layout_h5=True` writes Keras 3's unzipped layout instead (`model.save(path,
    zipped=False)`): the same files as inside a `.keras` archive, which Keras 3 loads."""
    config_json = json.dumps(config, indent=2)
    if keras_layout_h5:
        weights = h5_weights.h5_bytes(model, include_optimizer=include_optimizer)
        with atomic_directory(path, overwrite=overwrite) as tmp_dir:
            with open(os.path.join(tmp_dir, keras_archive.CONFIG_FILENAME), "w") as f:
                f.write(config_json)
            with open(os.path.join(tmp_dir, keras_archive.METADATA_FILENAME), "w") as f:
                json.dump(keras_archive.metadata(), f)
            with open(os.path.join(tmp_dir, keras_archive.WEIGHTS_FILENAME), "wb") as f:
                f.write(weights)
        return
    groups = keras_layout.weight_groups(model, include_optimizer=include_optimizer)
    model_groups = [g for g in groups if g[0] != "optimizer"]
    optimizer_groups = [g for g in groups if g[0] == "optimizer"]
    with atomic_directory(path, overwrite=overwrite) as tmp_dir:
        with open(os.path.join(tmp_dir, keras_archive.CONFIG_FILENAME), "w") as f:
            f.write(config_json)
        with open(os.path.join(tmp_dir, keras_archive.METADATA_FILENAME), "w") as f:
            json.dump(keras_archive.metadata(), f)
        safetensors_weights.save_groups(model_groups, os.path.join(tmp_dir, MODEL_WEIGHTS))
        if optimizer_groups:
            safetensors_weights.save_groups(optimizer_groups, os.path.join(tmp_dir, OPTIMIZER_WEIGHTS))


def is_model_directory(path: str) -> bool:
    return os.path.isdir(path) and os.path.exists(os.path.join(path, keras_archive.CONFIG_FILENAME))


def read_directory(path: str) -> tuple[dict, dict]:
    """(config, stored weights {group path: [arrays]}) of a model directory."""
    config_path = os.path.join(path, keras_archive.CONFIG_FILENAME)
    if not os.path.exists(config_path):
        if os.path.exists(os.path.join(path, "saved_model.pb")):
            raise ValueError(
                f"'{path}' is a TensorFlow SavedModel directory. keraslite cannot read SavedModels (they hold "
                "TensorFlow graphs); save the model as `.keras` or `.h5` from TensorFlow and load that file."
            )
        raise ValueError(f"'{path}' is not a keraslite model directory: it has no {keras_archive.CONFIG_FILENAME}.")
    try:
        with open(config_path) as f:
            config = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise corrupt_file_error(config_path, "it is not valid JSON", error) from error
    stored: dict = {}
    keras_weights = os.path.join(path, keras_archive.WEIGHTS_FILENAME)
    if os.path.exists(keras_weights):
        # Keras 3's own unzipped layout (`model.save(dirname, zipped=False)`).
        stored.update(h5_weights.read_h5_weights(keras_weights, keras_weights))
    for filename in (MODEL_WEIGHTS, OPTIMIZER_WEIGHTS):
        file_path = os.path.join(path, filename)
        if os.path.exists(file_path):
            grouped = safetensors_weights.grouped(safetensors_weights.load_file(file_path))
            if grouped is None:
                raise corrupt_file_error(file_path, "its keys are not Keras weight paths (layers/.../vars/N)")
            stored.update(grouped)
    return config, stored
