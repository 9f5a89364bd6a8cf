"""Legacy tf.keras 2 HDF5 files.

Whole model (`model.save("m.h5")`): root attributes `model_config` (JSON), `training_config`
(JSON, when compiled), `keras_version`, `backend`; group `model_weights` with attribute
`layer_names`, one group per layer with attribute `weight_names` and the arrays stored
under those names. Weights only (`save_weights("w.h5")`): the `model_weights` content
at the root. Weights are matched layer by layer (or by layer name with `by_name=True`),
each layer's in tf.keras 2's order: trainable weights, then non-trainable.
"""

from __future__ import annotations

import json
import warnings

import numpy as np

from keraslite.distribution.sharded_variables import keras_variables
from keraslite.optimizers import deserialize as deserialize_optimizer
from keraslite.saving import keras_layout, legacy_config
from keraslite.saving.atomic import atomic_file
from keraslite.saving.errors import corrupt_file_error
from keraslite.saving.op_config import op_function
from keraslite.saving.optimizer_state import load_optimizer_state
from keraslite.serialization import serialization_lib as serialization

# What tf.keras 2 would record; files are meant to be read by tf.keras 2.x.
LEGACY_KERAS_VERSION = "2.15.0"


def _legacy_weights(layer) -> list:
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _weight_names(layer) -> list[str]:
    """`dense/kernel:0`-style names; sublayer weights are prefixed with their path."""
    names = {}

    def visit(sub, prefix):
        for variable in keras_layout.own_variables(sub):
            names.setdefault(id(variable), f"{prefix}/{getattr(variable, 'name', 'variable')}:0")
        for child in sub._flat_sublayers():
            visit(child, child.name if keras_layout.is_model(sub) else f"{prefix}/{child.name}")

    visit(layer, layer.name)
    return [names.get(id(w), f"{layer.name}/weight_{i}:0") for i, w in enumerate(_legacy_weights(layer))]


def _write_layers(group, layers) -> None:
    group.attrs["layer_names"] = [layer.name.encode("utf8") for layer in layers]
    group.attrs["backend"] = "tensorflow".encode("utf8")
    group.attrs["keras_version"] = LEGACY_KERAS_VERSION.encode("utf8")
    for layer in layers:
        layer_group = group.create_group(layer.name)
        weights = _legacy_weights(layer)
        names = _weight_names(layer)
        layer_group.attrs["weight_names"] = [n.encode("utf8") for n in names]
        for name, weight in zip(names, weights):
            layer_group.create_dataset(name, data=keras_layout.to_numpy(weight))


def _top_layers(model) -> list:
    return [layer for layer in model.layers if op_function(layer) is None]


def save_model_h5(model, path: str, include_optimizer: bool = True, overwrite: bool = True) -> None:
    import h5py  # on first use: 30 ms of import time most programs never spend

    config_json = json.dumps(model._legacy_config())
    training_config = _training_config(model) if include_optimizer else None
    with atomic_file(path, overwrite=overwrite) as handle:
        with h5py.File(handle, "w") as h5:
            h5.attrs["keras_version"] = LEGACY_KERAS_VERSION.encode("utf8")
            h5.attrs["backend"] = "tensorflow".encode("utf8")
            h5.attrs["model_config"] = config_json.encode("utf8")
            if training_config is not None:
                h5.attrs["training_config"] = json.dumps(training_config).encode("utf8")
            _write_layers(h5.create_group("model_weights"), _top_layers(model))
            if training_config is not None:
                _write_optimizer_weights(h5, getattr(model, "optimizer", None))


def _write_optimizer_weights(h5, optimizer) -> None:
    """Keras 3's `optimizer_weights` group: attribute `weight_names` (the variables' paths,
    in `optimizer.variables` order) and one dataset per name. Keras reads it back with
    `optimizer.set_weights(values in weight_names order)`."""
    variables = keras_variables(getattr(optimizer, "variables", None) or [])
    if not variables:
        return
    group = h5.create_group("optimizer_weights")
    names: list[str] = []
    for index, variable in enumerate(variables):
        name = str(getattr(variable, "path", None) or getattr(variable, "name", None) or f"variable_{index}")
        names.append(name if name not in names else f"{name}_{index}")
    group.attrs["weight_names"] = [n.encode("utf8") for n in names]
    for name, variable in zip(names, variables):
        group.create_dataset(name, data=keras_layout.to_numpy(variable))


def _is_keras3_optimizer_layout(h5, names: list[str]) -> bool:
    """Keras 3 names optimizer variables by path (`adam/iteration`); tf.keras 2 by
    TensorFlow variable name (`Adam/iter:0`), grouped by slot in an order not reproduced here."""
    return _text(h5.attrs.get("keras_version", "")).startswith("3.") or not any(n.endswith(":0") for n in names)


def save_weights_h5(model, path: str, overwrite: bool = True) -> None:
    import h5py  # on first use: 30 ms of import time most programs never spend

    with atomic_file(path, overwrite=overwrite) as handle:
        with h5py.File(handle, "w") as h5:
            _write_layers(h5, _top_layers(model))


def _training_config(model):
    """tf.keras 2's `training_config` from the model's compile config, if compiled."""
    getter = getattr(model, "_get_compile_config", None) or getattr(model, "get_compile_config", None)
    config = getter() if getter is not None else None
    if not config:
        return None
    config = legacy_config.strip_new_format(dict(config))
    optimizer = config.pop("optimizer", None)
    if optimizer is not None:
        config["optimizer_config"] = (
            optimizer if isinstance(optimizer, dict) else {"class_name": str(optimizer), "config": {}}
        )
    return config


# ---------------------------------------------------------------------- reading
def _text(value) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def _names(attr) -> list[str]:
    return [_text(n) for n in np.asarray(attr).tolist()] if attr is not None and len(np.asarray(attr).shape) else []


def _open(path):
    import h5py  # on first use: 30 ms of import time most programs never spend

    try:
        return h5py.File(path, "r")
    except (OSError, ValueError) as error:
        raise corrupt_file_error(path, "it is not a readable HDF5 file", error) from error


def read_layer_weights(group, source: str) -> dict:
    """{layer name: [arrays in weight_names order]} for the layers that have weights."""
    if "layer_names" not in group.attrs:
        raise corrupt_file_error(source, "it has no `layer_names` attribute: not a tf.keras weights file")
    stored = {}
    try:
        for name in _names(group.attrs["layer_names"]):
            layer_group = group[name]
            weight_names = _names(layer_group.attrs.get("weight_names"))
            stored[name] = [np.asarray(layer_group[w][()]) for w in weight_names]
    except (KeyError, OSError, ValueError) as error:
        raise corrupt_file_error(source, "its weight groups are incomplete", error) from error
    return stored


def assign_layer_weights(model, stored: dict, source: str, by_name: bool = False, skip_mismatch: bool = False) -> None:
    layers = [layer for layer in _top_layers(model) if _legacy_weights(layer)]
    groups = []
    if by_name:
        files = {name: arrays for name, arrays in stored.items()}
        for layer in layers:
            if layer.name in files:
                groups.append((layer.name, layer.name, _legacy_weights(layer)))
        mapping = {layer.name: files[layer.name] for layer in layers if layer.name in files}
        keras_layout.assign_groups(groups, mapping, source, skip_mismatch=skip_mismatch)
        return
    file_layers = [(name, arrays) for name, arrays in stored.items() if arrays]
    if len(file_layers) != len(layers):
        raise ValueError(
            f"Cannot load weights from '{source}': the file has weights for {len(file_layers)} layers "
            f"({[n for n, _ in file_layers]}) but the model has {len(layers)} layers with weights "
            f"({[layer.name for layer in layers]}). The model was left unchanged. Pass `by_name=True` to match "
            "layers by name."
        )
    mapping = {}
    for layer, (name, arrays) in zip(layers, file_layers):
        groups.append((layer.name, layer.name, _legacy_weights(layer)))
        mapping[layer.name] = arrays
    keras_layout.assign_groups(groups, mapping, source, skip_mismatch=skip_mismatch)


def load_weights_h5(model, path: str, by_name: bool = False, skip_mismatch: bool = False) -> None:
    with _open(path) as h5:
        group = h5["model_weights"] if "model_weights" in h5 else h5
        if "layer_names" not in group.attrs and ("vars" in h5 or "layers" in h5):
            raise ValueError(f"'{path}' is a Keras 3 weights file; name it `*.weights.h5` to load it.")
        stored = read_layer_weights(group, path)
    assign_layer_weights(model, stored, path, by_name=by_name, skip_mismatch=skip_mismatch)


def load_model_h5(path: str, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    with _open(path) as h5:
        if "model_config" not in h5.attrs:
            raise ValueError(
                f"No model config found in the file at '{path}': it holds weights only. Use `model.load_weights()`."
            )
        try:
            config = json.loads(_text(h5.attrs["model_config"]))
        except json.JSONDecodeError as error:
            raise corrupt_file_error(path, "its `model_config` attribute is not valid JSON", error) from error
        training = h5.attrs.get("training_config")
        stored = read_layer_weights(h5["model_weights"], path) if "model_weights" in h5 else {}
        optimizer_arrays = None
        if "optimizer_weights" in h5:
            group = h5["optimizer_weights"]
            names = _names(group.attrs.get("weight_names"))
            if _is_keras3_optimizer_layout(h5, names):
                try:
                    optimizer_arrays = [np.asarray(group[n][()]) for n in names]
                except (KeyError, OSError, ValueError) as error:
                    raise corrupt_file_error(path, "its `optimizer_weights` group is incomplete", error) from error
    model = serialization.deserialize_keras_object(config, custom_objects=custom_objects, safe_mode=safe_mode)
    assign_layer_weights(model, stored, path)
    if compile and training is not None:
        _compile_from_training_config(model, json.loads(_text(training)), custom_objects)
        if optimizer_arrays and getattr(model, "optimizer", None) is not None:
            load_optimizer_state(model, optimizer_arrays, path)
    return model


def _compile_from_training_config(model, training: dict, custom_objects) -> None:
    if not hasattr(model, "compile"):
        return
    optimizer_config = training.get("optimizer_config")
    optimizer = None
    if optimizer_config is not None:
        optimizer = deserialize_optimizer(optimizer_config, custom_objects=custom_objects)
    try:
        model.compile(
            optimizer=optimizer or "rmsprop",
            loss=_plain(training.get("loss"), custom_objects),
            metrics=_plain(training.get("metrics"), custom_objects),
            loss_weights=training.get("loss_weights"),
            weighted_metrics=_plain(training.get("weighted_metrics"), custom_objects),
        )
    except Exception as error:  # an unknown loss must not make the weights unreadable
        warnings.warn(f"The model was loaded but could not be compiled from its saved training config: {error}")


def _plain(value, custom_objects):
    """Losses/metrics as tf.keras 2 stored them (names or `{"class_name", "config"}`)."""
    if isinstance(value, dict) and "class_name" in value:
        return serialization.deserialize_keras_object(value, custom_objects)
    if isinstance(value, list):
        return [_plain(v, custom_objects) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v, custom_objects) for k, v in value.items()}
    return value
