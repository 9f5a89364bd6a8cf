"""`keras.saving.save_model` / `load_model` and the weights-file entry points: the file
name picks the format.

    m.keras              Keras 3 zip archive (config, weights, optimizer state)
    m.h5 / m.hdf5        tf.keras 2 whole-model HDF5 file
    my_model (no ext.)   directory: config.json, metadata.json, *.safetensors
    zipped=False         directory in Keras 3's unzipped layout (model.weights.h5)
    m.weights.h5         Keras 3 weights file          (save_weights / load_weights)
    m.weights.json       Keras 3 sharded weights: the map of m_00000.weights.h5, ... (max_shard_size=)
    m.safetensors        weights by Keras weight path  (save_weights / load_weights)
    m.h5                 tf.keras 2 weights file       (save_weights / load_weights)
"""

from __future__ import annotations

import json
import os
import warnings

from keraslite.backend import state
from keraslite.distribution import sharded_variables
from keraslite.saving import (
    dir_format,
    h5_weights,
    keras_archive,
    keras_layout,
    legacy_h5,
    safetensors_weights,
    sharded_weights,
    tf_checkpoint,
)
from keraslite.saving.atomic import atomic_file
from keraslite.saving.optimizer_state import load_optimizer_state
from keraslite.serialization import object_registry
from keraslite.serialization import serialization_lib as serialization


def _path(filepath) -> str:
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(
            f"The file path must be a string or os.PathLike. Received: filepath={filepath!r} (of type "
            f"{type(filepath).__name__})"
        )
    return os.fspath(filepath)


def _is_legacy_h5(path: str) -> bool:
    return path.endswith((".h5", ".hdf5")) and not path.endswith(".weights.h5")


def model_config_for_file(model) -> dict:
    """The top-level `config.json` content: Keras 3's serialized model."""
    return serialization.serialize_keras_object(model)


# ---------------------------------------------------------------------- whole models
def save_model(model, filepath, overwrite: bool = True, zipped=None, include_optimizer: bool = True, **kwargs) -> None:
    """Save `model` to `filepath`; the extension picks the format (see module docstring).
    In a multi-process run only rank 0 writes; every rank calls it, and under ModelParallel
    the other ranks give rank 0 their shards of each weight as it is written."""
    sharded_variables.write_from_primary(
        model, lambda: _save_model(model, filepath, overwrite, zipped, include_optimizer, **kwargs)
    )


def _save_model(model, filepath, overwrite: bool, zipped, include_optimizer: bool, **kwargs) -> None:
    path = _path(filepath)
    save_format = kwargs.pop("save_format", None)
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    if save_format == "tf":
        raise ValueError("save_format='tf' (TensorFlow SavedModel) is not available in keraslite. Use a `.keras` path.")
    if zipped is False and not _is_legacy_h5(path):
        dir_format.save_directory(
            model,
            path,
            model_config_for_file(model),
            include_optimizer=include_optimizer,
            overwrite=overwrite,
            keras_layout_h5=True,
        )
    elif path.endswith(".keras") or zipped is True:
        keras_archive.save_archive(
            model, path, model_config_for_file(model), include_optimizer=include_optimizer, overwrite=overwrite
        )
    elif _is_legacy_h5(path) or save_format == "h5":
        legacy_h5.save_model_h5(model, path, include_optimizer=include_optimizer, overwrite=overwrite)
    elif path.endswith(".weights.h5"):
        raise ValueError(
            f"The path '{path}' ends with `.weights.h5`, the extension of weights-only files. Use "
            "`model.save_weights(path)` to write weights, or a `.keras` path to save the whole model."
        )
    elif os.path.splitext(path)[1] in ("", ".tf") or os.path.isdir(path) or state.dialect() == "tf2":
        # tf.keras 2 saved every other path as a SavedModel directory: `ckpt-loss={loss:.2f}`
        # gives `ckpt-loss=0.65`, a directory name and not an extension. Keras 3 refuses those.
        dir_format.save_directory(
            model, path, model_config_for_file(model), include_optimizer=include_optimizer, overwrite=overwrite
        )
    else:
        raise ValueError(
            "Invalid filepath extension for saving. Please add a `.keras` extension (Keras 3 archive), `.h5` "
            f"(tf.keras 2 file) or no extension (a directory). Received: filepath={path}"
        )


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Load a model saved by keraslite or Keras (`.keras`, `.h5`, or a model directory).

    Args:
        custom_objects: `{"name": class_or_function}` for objects that are not built in.
        compile: restore the training configuration and optimizer state, if saved.
        safe_mode: refuse objects that carry code (e.g. `Lambda` layers); pass False
            only for files you trust.
    """
    path = _path(filepath)
    if not os.path.exists(path):
        raise ValueError(
            f"File not found: filepath={path}. Please ensure the file is an accessible `.keras` zip file, `.h5` file "
            "or model directory."
        )
    if dir_format.is_model_directory(path) or os.path.isdir(path):
        config, stored = dir_format.read_directory(path)
        return _build_and_load(config, stored, path, custom_objects, compile, safe_mode)
    if _is_legacy_h5(path):
        return legacy_h5.load_model_h5(path, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
    if path.endswith(".keras") or _looks_like_zip(path):
        config, _ = keras_archive.read_archive(path)
        stored = keras_archive.read_weights(path)
        return _build_and_load(config, stored, path, custom_objects, compile, safe_mode)
    raise ValueError(
        f"File format not supported: filepath={path}. keraslite loads `.keras` files, legacy `.h5` files "
        "and model directories written by `model.save('dirname')`."
    )


def _looks_like_zip(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def _build_and_load(config, stored: dict, source: str, custom_objects, compile: bool, safe_mode: bool):
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"Cannot load '{source}': its config is not a Keras model config (no 'class_name'). Received: "
            f"{str(config)[:200]}"
        )
    model = serialization.deserialize_keras_object(config, custom_objects=custom_objects, safe_mode=safe_mode)
    if not hasattr(model, "layers"):
        raise ValueError(f"Cannot load '{source}': its config describes a {type(model).__name__}, not a model.")
    compile_config = config.get("compile_config")
    if compile and compile_config:
        compile_from_config(model, compile_config, custom_objects)
    load_stored_weights(model, stored, source, include_optimizer=compile)
    return model


def compile_from_config(model, compile_config: dict, custom_objects=None) -> None:
    """Re-compile a loaded model from its saved `compile_config` (the training helper's hook)."""
    hook = getattr(model, "_compile_from_config", None) or getattr(model, "compile_from_config", None)
    if hook is None or not hasattr(model, "compile"):
        warnings.warn(
            "The saved model has a training configuration, but this keraslite build cannot compile models; it was "
            "loaded uncompiled."
        )
        return
    with object_registry.custom_object_scope(custom_objects or {}):
        hook(compile_config)


def load_stored_weights(
    model, stored: dict, source: str, include_optimizer: bool = True, skip_mismatch: bool = False
) -> None:
    """Assign stored arrays ({group path: [arrays]}) to the model and, if it has one, its optimizer."""
    stored = dict(stored)
    optimizer_arrays = stored.pop("optimizer", None)
    groups = keras_layout.weight_groups(model, include_optimizer=False)
    keras_layout.assign_groups(groups, stored, source, skip_mismatch=skip_mismatch)
    if optimizer_arrays is not None and include_optimizer:
        load_optimizer_state(model, optimizer_arrays, source)


def model_from_json(json_string: str, custom_objects=None):
    """A model (uncompiled, freshly initialized) from `model.to_json()` (or Keras's)."""
    try:
        config = json.loads(json_string)
    except json.JSONDecodeError as error:
        raise ValueError(f"`model_from_json` received a string that is not valid JSON: {error}") from error
    return serialization.deserialize_keras_object(config, custom_objects=custom_objects)


# ---------------------------------------------------------------------- weights
def save_weights(model, filepath, overwrite: bool = True, max_shard_size=None, **kwargs) -> None:
    """Save the model's weights: `.weights.h5` (Keras 3), sharded `.weights.json` with
    `max_shard_size` (in GB: Keras 3's sharded files), `.safetensors`, `.h5` (tf.keras 2).
    In a multi-process run only rank 0 writes; every rank calls it (see `save_model`)."""
    sharded_variables.write_from_primary(
        model, lambda: _save_weights(model, filepath, overwrite, max_shard_size, **kwargs)
    )


def _save_weights(model, filepath, overwrite: bool, max_shard_size, **kwargs) -> None:
    path = _path(filepath)
    kwargs.pop("save_format", None)
    if max_shard_size is not None:
        if not path.endswith(("weights.h5", "weights.json")):
            raise ValueError(
                "The filename must end in `.weights.json` when `max_shard_size` is specified. "
                f"Received: filepath={path}"
            )
        if not overwrite and os.path.exists(sharded_weights.map_path_for(path)):
            raise FileExistsError(f"File '{path}' already exists and overwrite=False.")
        groups = keras_layout.weight_groups(model, include_optimizer=False)
        sharded_weights.write_sharded(groups, path, max_shard_size, overwrite=overwrite)
        return
    if path.endswith(".weights.json"):
        raise ValueError(
            "The filename must end in `.weights.h5` unless `max_shard_size` is given (then `.weights.json`, "
            f"Keras 3's sharded weights). Received: filepath={path}"
        )
    if path.endswith(".weights.h5"):
        with atomic_file(path, overwrite=overwrite) as handle:
            h5_weights.save_h5_weights_file(model, handle, include_optimizer=False)
    elif path.endswith(".safetensors"):
        groups = keras_layout.weight_groups(model, include_optimizer=False)
        with atomic_file(path, overwrite=overwrite) as handle:
            handle.write(safetensors_weights.groups_bytes(groups))
    elif _is_legacy_h5(path):
        legacy_h5.save_weights_h5(model, path, overwrite=overwrite)
    elif not path.endswith(".keras") and state.dialect() == "tf2":
        # tf.keras 2's "tf" format: any other path is a checkpoint prefix (`cp.ckpt`).
        # (Keras 3 refuses such paths, and so does the Keras 3 dialect.)
        if not overwrite and tf_checkpoint.exists(path):
            raise FileExistsError(f"Checkpoint '{path}' already exists and overwrite=False.")
        groups = keras_layout.weight_groups(model, include_optimizer=False)
        arrays = {
            f"{group or '<root>'}/{index}": keras_layout.to_numpy(variable)
            for group, _, variables in groups
            for index, variable in enumerate(variables)
        }
        tf_checkpoint.write(path, arrays)
        tf_checkpoint.record_latest(path)
    else:
        raise ValueError(
            "The filename must end in `.weights.h5` (Keras 3 layout), `.safetensors`, or `.h5` (tf.keras 2 layout); "
            "a checkpoint prefix such as `cp.ckpt` is tf.keras 2's format, written under the tf2 dialect "
            f"(`keraslite.config.set_dialect('tf2')`). Received: filepath={path}"
        )


def _load_tf_checkpoint(model, path: str, skip_mismatch: bool) -> None:
    """Weights from a checkpoint `save_weights` wrote at a prefix (tf.keras 2's tf format)."""
    arrays = tf_checkpoint.read(path)
    stored: dict = {}
    for key, array in arrays.items():
        group, _, index = key.rpartition("/")
        stored.setdefault("" if group == "<root>" else group, []).append((int(index), array))
    stored = {group: [a for _, a in sorted(items, key=lambda item: item[0])] for group, items in stored.items()}
    groups = keras_layout.weight_groups(model, include_optimizer=False)
    keras_layout.assign_groups(groups, stored, path, skip_mismatch=skip_mismatch)


def load_weights(model, filepath, skip_mismatch: bool = False, by_name: bool = False, **kwargs) -> None:
    path = _path(filepath)
    if not os.path.exists(path) and tf_checkpoint.exists(path):
        _load_tf_checkpoint(model, path, skip_mismatch)
        return
    if not os.path.exists(path):
        raise FileNotFoundError(f"Weights file not found: filepath={path}")
    if by_name and not _is_legacy_h5(path):
        raise ValueError(
            "`by_name=True` is only supported for legacy `.h5` weights files (as in Keras). Received: filepath=" + path
        )
    if path.endswith(".keras"):
        keras_layout.assign_groups(
            keras_layout.weight_groups(model, include_optimizer=False),
            _without_optimizer(keras_archive.read_weights(path)),
            path,
            skip_mismatch=skip_mismatch,
        )
    elif path.endswith(".weights.h5") or path.endswith(".weights.json"):
        if path.endswith(".weights.json"):
            stored = sharded_weights.read_sharded(path, path)
        else:
            stored = h5_weights.read_h5_weights(path, path)
        keras_layout.assign_groups(
            keras_layout.weight_groups(model, include_optimizer=False),
            _without_optimizer(stored),
            path,
            skip_mismatch=skip_mismatch,
        )
    elif path.endswith(".safetensors"):
        safetensors_weights.load_into(model, path, skip_mismatch=skip_mismatch)
    elif _is_legacy_h5(path):
        legacy_h5.load_weights_h5(model, path, by_name=by_name, skip_mismatch=skip_mismatch)
    elif os.path.isdir(path):
        _, stored = dir_format.read_directory(path)
        keras_layout.assign_groups(
            keras_layout.weight_groups(model, include_optimizer=False),
            _without_optimizer(stored),
            path,
            skip_mismatch=skip_mismatch,
        )
    else:
        raise ValueError(
            "File format not supported for `load_weights`: use `.weights.h5`, `.keras`, `.safetensors` or `.h5`. "
            f"Received: filepath={path}"
        )


def _without_optimizer(stored: dict) -> dict:
    return {k: v for k, v in stored.items() if k != "optimizer" and not k.startswith("optimizer/")}
