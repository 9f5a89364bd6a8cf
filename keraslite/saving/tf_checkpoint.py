"""Checkpoints in TensorFlow's file layout: what `save_weights("dir/cp.ckpt")` (a path
without a weights extension, tf.keras 2's "tf" format) and `tf.train.Checkpoint` write.

A checkpoint at prefix `P` is two files, `P.index` (JSON: each key's array name and shape)
and `P.data-00000-of-00001` (the arrays, a NumPy `.npz`, no pickle), plus the `checkpoint`
state file of its folder naming the latest prefix, so `tf.train.latest_checkpoint(folder)`
finds it. The file contents are keraslite's own (TensorFlow's binary bundle format is not
reproduced): they are read back by keraslite. Every file is written to a temporary name and
renamed into place, so a failed save leaves the previous checkpoint intact.
"""

from __future__ import annotations

import io
import json
import os
import re

import numpy as np

from keraslite.saving.atomic import atomic_file

FORMAT = "keraslite-checkpoint-1"
STATE_FILE = "checkpoint"
DATA_SUFFIX = ".data-00000-of-00001"


def exists(prefix: str) -> bool:
    return os.path.exists(str(prefix) + ".index")


def write(prefix: str, arrays: dict) -> None:
    """Write `{key: array}` at `prefix` (index last: a checkpoint exists once it is there)."""
    prefix = str(prefix)
    names = {key: f"a{i}" for i, key in enumerate(arrays)}
    buffer = io.BytesIO()
    np.savez(buffer, **{names[key]: np.asarray(value) for key, value in arrays.items()})
    index = {
        "format": FORMAT,
        "arrays": {key: {"name": names[key], "shape": list(np.shape(value))} for key, value in arrays.items()},
    }
    with atomic_file(prefix + DATA_SUFFIX) as handle:
        handle.write(buffer.getvalue())
    with atomic_file(prefix + ".index") as handle:
        handle.write(json.dumps(index).encode("utf8"))


def read(prefix: str) -> dict:
    """`{key: array}` of the checkpoint at `prefix`."""
    prefix = str(prefix)
    if not exists(prefix):
        raise FileNotFoundError(f"No checkpoint at {prefix!r} (expected {prefix}.index).")
    with open(prefix + ".index") as handle:
        index = json.load(handle)
    if index.get("format") != FORMAT:
        raise ValueError(
            f"{prefix}.index is not a keraslite checkpoint (TensorFlow's own binary checkpoints cannot be read)."
        )
    with np.load(prefix + DATA_SUFFIX, allow_pickle=False) as data:
        return {key: data[entry["name"]] for key, entry in index["arrays"].items()}


def remove(prefix: str) -> None:
    for suffix in (".index", DATA_SUFFIX):
        if os.path.exists(str(prefix) + suffix):
            os.remove(str(prefix) + suffix)


def all_checkpoints(directory: str) -> list:
    """The prefixes the folder's state file lists, oldest first."""
    state = os.path.join(directory, STATE_FILE)
    if not os.path.exists(state):
        return []
    with open(state) as handle:
        names = re.findall(r'^all_model_checkpoint_paths: "(.*)"', handle.read(), re.M)
    return [n if os.path.isabs(n) else os.path.join(directory, n) for n in names]


def record_latest(prefix: str, keep: list | None = None) -> None:
    """Write the folder's state file: `prefix` is the latest; `keep` (default: the listed
    ones still present, plus `prefix`) are all the checkpoints."""
    prefix = str(prefix)
    directory = os.path.dirname(os.path.abspath(prefix))
    if keep is None:
        keep = [p for p in all_checkpoints(directory) if exists(p) and os.path.abspath(p) != os.path.abspath(prefix)]
        keep.append(prefix)
    lines = [f'model_checkpoint_path: "{os.path.basename(prefix)}"']
    lines += [f'all_model_checkpoint_paths: "{os.path.basename(p)}"' for p in keep]
    with atomic_file(os.path.join(directory, STATE_FILE)) as handle:
        handle.write(("\n".join(lines) + "\n").encode("utf8"))


def latest_checkpoint(directory: str, latest_filename: str | None = None):
    """The newest checkpoint prefix in `directory`, or None."""
    state = os.path.join(str(directory), latest_filename or STATE_FILE)
    if not os.path.exists(state):
        return None
    with open(state) as handle:
        match = re.search(r'^model_checkpoint_path: "(.*)"', handle.read(), re.M)
    if not match:
        return None
    path = match.group(1)
    path = path if os.path.isabs(path) else os.path.join(str(directory), path)
    return path if exists(path) else None
