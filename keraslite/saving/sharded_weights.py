"""Keras 3's sharded weights: `save_weights("model.weights.json", max_shard_size=...)`.

The weights are split over `model_00000.weights.h5`, `model_00001.weights.h5`, ... (each
laid out as a `.weights.h5` file: a `vars` group per layer path, datasets `0`, `1`, ...),
beside `model.weights.json`, the map:

    {"metadata": {"total_size": <bytes>}, "weight_map": {"/layers/dense/vars": ["model_00000.weights.h5"], ...}}

Shards fill as Keras fills them, so the same model gives the same files: variables go in
order into the current shard until one would take it past `max_shard_size` (in GB, 1024**3
bytes), which then starts a new shard; a layer whose variables straddle two shards maps to
the list of both; a variable larger than a shard is an error. A layer's group (attribute
`name`) is made in the shard that is current when the layer comes up, even if it holds no
variables, as Keras's writer does.
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import warnings

import numpy as np

from keraslite.backend import dtypes
from keraslite.saving import keras_layout
from keraslite.saving.atomic import atomic_file
from keraslite.saving.errors import corrupt_file_error

# Bits per element, by Keras dtype name (Keras's `dtype_utils.DTYPE_TO_SIZE`).
_DTYPE_BITS = {
    **{f"float{i}": i for i in (16, 32, 64)},
    **{f"int{i}": i for i in (8, 16, 32, 64)},
    **{f"uint{i}": i for i in (8, 16, 32, 64)},
    "bfloat16": 16,
    "bool": 1,
}


def map_path_for(filepath: str) -> str:
    """The `.json` map path Keras uses for `filepath` (`m.weights.h5` -> `m.weights.json`)."""
    return str(pathlib.Path(filepath).with_suffix(".json"))


def sharded_map_path(filepath: str, writing: bool) -> str:
    """`map_path_for(filepath)`, warning as Keras does when the extension is not `.json`."""
    path = pathlib.Path(filepath)
    if path.suffix != ".json":
        new_path = pathlib.Path(map_path_for(filepath))
        warnings.warn(
            f"{'Saving' if writing else 'Loading'} sharded weights requires `*.json` as the extension. "
            f"The original path: {path} will be renamed to {new_path}.",
            stacklevel=3,
        )
        path = new_path
    return str(path)


def _shard_name(base_name: str, index: int) -> str:
    return f"{base_name}_{index:05}.weights.h5"


def _size_in_bytes(variable) -> float:
    name = dtypes.standardize_dtype(variable.dtype)
    if name not in _DTYPE_BITS:
        raise ValueError(f"Invalid dtype: {name}")
    return math.prod(tuple(variable.shape)) * _DTYPE_BITS[name] / 8


def _readable(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} TB"


def plan_shards(groups, max_shard_size) -> tuple[list[list], dict, float]:
    """Keras's placement of `weight_groups(...)` over shards.

    Returns `(shards, weight_map, total_size)`: `shards[i]` lists `(group path, name or None,
    [(index, variable)])` in write order (name set where the group is first made, which
    carries the `name` attribute), `weight_map` the JSON map's entries by shard index.
    """
    max_bytes = float(max_shard_size) * 1024**3
    shards: list[list] = [[]]
    weight_map: dict = {}
    total = 0.0
    current_size = 0.0
    for path, name, variables in groups:
        # The group is made (with its name) in the current shard as the layer comes up.
        entry = (path, name, [])
        shards[-1].append(entry)
        for index, variable in enumerate(variables):
            size = _size_in_bytes(variable)
            total += size
            if size > max_bytes:
                raise ValueError(
                    f"The size of {index} is {_readable(size)} which exceeds the maximum shard size "
                    f"{_readable(max_bytes)}. You can increase the `max_shard_size` parameter to accommodate the size."
                )
            current_size += size
            if current_size > max_bytes:
                shards.append([])
                current_size = size
                entry = (path, None, [])
                shards[-1].append(entry)
            entry[2].append((index, variable))
            key = f"/{path}/vars" if path else "/vars"
            shard_index = len(shards) - 1
            placed = weight_map.setdefault(key, [])
            if shard_index not in placed:
                placed.append(shard_index)
    return shards, weight_map, total


def write_sharded(groups, filepath: str, max_shard_size, overwrite: bool = True) -> str:
    """Write `groups` (`keras_layout.weight_groups(...)`) as Keras's sharded files; returns
    the map's path. Each file is written whole and renamed into place, the map last."""
    import h5py  # on first use, as for `.weights.h5`

    map_path = pathlib.Path(sharded_map_path(filepath, writing=True))
    base_name = map_path.stem.replace(".weights", "")
    shards, weight_map, total = plan_shards(groups, max_shard_size)
    for shard_index, entries in enumerate(shards):
        # `atomic_file` hands the temporary file to write: h5py takes it as a path or an open file.
        with atomic_file(str(map_path.with_name(_shard_name(base_name, shard_index))), overwrite=True) as target:
            with h5py.File(target, "w") as h5:
                for path, name, items in entries:
                    if name is None and not items:
                        continue
                    parent = h5.require_group(path) if path else h5
                    group = parent.require_group("vars")
                    if name is not None:
                        group.attrs["name"] = name
                    for index, variable in items:
                        group.create_dataset(str(index), data=keras_layout.to_numpy(variable))
    files = {key: [_shard_name(base_name, i) for i in indices] for key, indices in weight_map.items()}
    config = {
        "metadata": {"total_size": total},
        "weight_map": files,
    }
    with atomic_file(str(map_path), overwrite=overwrite) as target:
        _write_bytes(target, json.dumps(config, indent=4).encode("utf-8"))
    return str(map_path)


def _write_bytes(target, data: bytes) -> None:
    """Write `data` to what `atomic_file` handed over: a temporary path or an open binary file."""
    if isinstance(target, (str, os.PathLike)):
        with open(target, "wb") as handle:
            handle.write(data)
    else:
        target.write(data)


def read_sharded(filepath: str, source: str) -> dict:
    """{group path: [arrays in order]} from a sharded map and its shards (written here or by Keras)."""
    import h5py

    map_path = pathlib.Path(sharded_map_path(filepath, writing=False))
    try:
        with open(map_path) as handle:
            config = json.load(handle)
        weight_map = config["weight_map"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise corrupt_file_error(source, "its shard map is not Keras's `{metadata, weight_map}` JSON", error) from error
    shard_names = []
    for names in weight_map.values():
        for name in names if isinstance(names, list) else [names]:
            if name not in shard_names:
                shard_names.append(name)
    by_path: dict = {}
    for name in shard_names:
        shard_path = map_path.with_name(name)
        if not os.path.exists(shard_path):
            raise FileNotFoundError(f"Weights shard '{shard_path}' listed in '{map_path}' was not found.")
        try:
            h5 = h5py.File(shard_path, "r")
        except (OSError, ValueError) as error:
            raise corrupt_file_error(str(shard_path), "it is not a readable HDF5 file", error) from error
        with h5:

            def visit(group_name, obj):
                if isinstance(obj, h5py.Group) and group_name.split("/")[-1] == "vars":
                    path = group_name[: -len("vars")].rstrip("/")
                    values = by_path.setdefault(path, {})
                    for key in obj.keys():
                        values[key] = np.asarray(obj[key][()])

            h5.visititems(visit)
    return {
        path: [values[k] for k in sorted(values, key=lambda k: int(k) if k.isdigit() else k)]
        for path, values in by_path.items()
    }
