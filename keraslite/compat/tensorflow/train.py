"""`tf.train`: object-based checkpoints (`Checkpoint`, `CheckpointManager`,
`latest_checkpoint`) and the optimizers TF1 kept there.

A checkpoint holds the variables reachable from the objects given to `Checkpoint(...)`
by attribute path (`model/layer_with_weights-0/kernel`-style keys are not reproduced:
keys are `name/variable path`), written as `<prefix>-<n>.index` (a JSON table of keys and
shapes) and `<prefix>-<n>.data-00000-of-00001` (the values, NumPy `.npz`, no pickle), with
TensorFlow's `checkpoint` state file beside them, so `latest_checkpoint(dir)` and
`restore(path)` work as in TensorFlow. Files are written to a temporary name first: a
failed save leaves the previous checkpoint intact.
"""

from __future__ import annotations

import io
import json
import os
import re

import numpy as np
import torch

from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.layers.base_layer import Layer
from keraslite.optimizers.base_optimizer import Optimizer

__getattr__ = module_getattr("tf.train")

_STATE_FILE = "checkpoint"


def _variables_of(prefix: str, value, out: dict, seen: set) -> None:
    if id(value) in seen:
        return
    if isinstance(value, torch.nn.Parameter):
        seen.add(id(value))
        out[prefix] = value
        return
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _variables_of(f"{prefix}/{index}", item, out, seen)
        return
    if isinstance(value, dict):
        for key in sorted(value, key=str):
            _variables_of(f"{prefix}/{key}", value[key], out, seen)
        return
    seen.add(id(value))
    if isinstance(value, (Layer, Optimizer)):
        for variable in value.variables:
            key = getattr(variable, "path", None) or getattr(variable, "name", "variable")
            if id(variable) not in seen:
                seen.add(id(variable))
                out[f"{prefix}/{key}"] = variable
        return
    if isinstance(value, Checkpoint) or hasattr(value, "__dict__") and type(value).__module__ != "builtins":
        for key in sorted(vars(value)):
            if not key.startswith("_"):
                _variables_of(f"{prefix}/{key}", vars(value)[key], out, seen)


def _atomic_write(path: str, data: bytes) -> None:
    temporary = path + ".tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def _write_state(directory: str, latest: str, all_paths: list) -> None:
    lines = [f'model_checkpoint_path: "{os.path.basename(latest)}"']
    lines += [f'all_model_checkpoint_paths: "{os.path.basename(p)}"' for p in all_paths]
    _atomic_write(os.path.join(directory, _STATE_FILE), ("\n".join(lines) + "\n").encode())


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint in `checkpoint_dir`, or None."""
    state = os.path.join(checkpoint_dir, latest_filename or _STATE_FILE)
    if not os.path.exists(state):
        return None
    with open(state) as handle:
        match = re.search(r'^model_checkpoint_path: "(.*)"', handle.read(), re.M)
    if not match:
        return None
    path = match.group(1)
    path = path if os.path.isabs(path) else os.path.join(checkpoint_dir, path)
    return path if os.path.exists(path + ".index") else None


class CheckpointLoadStatus:
    """What `restore` returns: which saved values found a variable, and which did not."""

    def __init__(self, unused_keys, unmatched_keys):
        self._unused = sorted(unused_keys)
        self._unmatched = sorted(unmatched_keys)

    def assert_consumed(self):
        if self._unused or self._unmatched:
            raise AssertionError(
                f"Unresolved objects in the checkpoint: saved values not restored {self._unused}, "
                f"variables with no saved value {self._unmatched}"
            )
        return self

    def assert_existing_objects_matched(self):
        if self._unmatched:
            raise AssertionError(f"Variables with no saved value in the checkpoint: {self._unmatched}")
        return self

    def assert_nontrivial_match(self):
        return self

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None):
        return None


class Checkpoint:
    """`tf.train.Checkpoint(**objects)`: saves and restores their variables."""

    def __init__(self, root=None, **kwargs):
        if root is not None:
            kwargs["root"] = root
        for key, value in kwargs.items():
            setattr(self, key, value)
        self._save_counter = 0

    @property
    def save_counter(self):
        return self._save_counter

    def _variables(self) -> dict:
        out: dict = {}
        seen: set = {id(self)}
        for key in sorted(vars(self)):
            if not key.startswith("_"):
                _variables_of(key, vars(self)[key], out, seen)
        return out

    def write(self, file_prefix, options=None) -> str:
        """Write the checkpoint at exactly `file_prefix`; returns it."""
        variables = self._variables()
        arrays = {f"v{i}": v.detach().cpu().numpy() for i, v in enumerate(variables.values())}
        index = {key: {"array": f"v{i}", "shape": list(v.shape)} for i, (key, v) in enumerate(variables.items())}
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        directory = os.path.dirname(os.path.abspath(file_prefix))
        os.makedirs(directory, exist_ok=True)
        _atomic_write(f"{file_prefix}.data-00000-of-00001", buffer.getvalue())
        _atomic_write(
            f"{file_prefix}.index", json.dumps({"format": "keraslite-checkpoint-1", "variables": index}).encode()
        )
        return str(file_prefix)

    def save(self, file_prefix, options=None) -> str:
        """Write `<file_prefix>-<n>` (n counts saves) and record it as the latest."""
        self._save_counter += 1
        path = self.write(f"{file_prefix}-{self._save_counter}")
        directory = os.path.dirname(os.path.abspath(path))
        previous = _all_paths(directory)
        _write_state(directory, path, [p for p in previous if p != path] + [path])
        return path

    def read(self, save_path, options=None) -> CheckpointLoadStatus:
        return self.restore(save_path)

    def restore(self, save_path, options=None) -> CheckpointLoadStatus:
        """Load the values saved at `save_path` into the variables with the same keys
        (None: nothing to restore). Every shape is checked before anything is assigned."""
        variables = self._variables()
        if save_path is None:
            return CheckpointLoadStatus([], [])
        index_path = f"{save_path}.index"
        if not os.path.exists(index_path):
            raise FileNotFoundError(f"No checkpoint at {save_path!r} (expected {index_path}).")
        with open(index_path) as handle:
            index = json.load(handle)["variables"]
        with np.load(f"{save_path}.data-00000-of-00001", allow_pickle=False) as data:
            values = {key: data[entry["array"]] for key, entry in index.items()}
        for key, variable in variables.items():
            if key in values and tuple(values[key].shape) != tuple(variable.shape):
                raise ValueError(
                    f"Checkpoint {save_path}: the saved value of {key!r} has shape {values[key].shape}, "
                    f"the variable has shape {tuple(variable.shape)}."
                )
        with torch.no_grad():
            for key, variable in variables.items():
                if key in values:
                    variable.copy_(torch.as_tensor(values[key], dtype=variable.dtype))
        match = re.search(r"-(\d+)$", str(save_path))
        if match:
            self._save_counter = max(self._save_counter, int(match.group(1)))
        return CheckpointLoadStatus(set(values) - set(variables), set(variables) - set(values))


def _all_paths(directory: str) -> list:
    state = os.path.join(directory, _STATE_FILE)
    if not os.path.exists(state):
        return []
    with open(state) as handle:
        names = re.findall(r'^all_model_checkpoint_paths: "(.*)"', handle.read(), re.M)
    return [n if os.path.isabs(n) else os.path.join(directory, n) for n in names]


class CheckpointManager:
    """Numbered checkpoints in `directory`, keeping the newest `max_to_keep`."""

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None, checkpoint_name="ckpt",
                 step_counter=None, checkpoint_interval=None, init_fn=None):  # fmt: skip
        self._checkpoint = checkpoint
        self._directory = str(directory)
        self._max_to_keep = max_to_keep
        self._prefix = os.path.join(self._directory, checkpoint_name)
        os.makedirs(self._directory, exist_ok=True)
        self._paths = [p for p in _all_paths(self._directory) if os.path.exists(p + ".index")]
        latest = latest_checkpoint(self._directory)
        if latest:
            match = re.search(r"-(\d+)$", latest)
            if match:
                checkpoint._save_counter = max(checkpoint._save_counter, int(match.group(1)))

    @property
    def directory(self) -> str:
        return self._directory

    @property
    def checkpoints(self) -> list:
        return list(self._paths)

    @property
    def latest_checkpoint(self):
        return self._paths[-1] if self._paths else None

    def save(self, checkpoint_number=None, check_interval=True, options=None) -> str:
        if checkpoint_number is not None:
            self._checkpoint._save_counter = int(checkpoint_number) - 1
        self._checkpoint._save_counter += 1
        path = self._checkpoint.write(f"{self._prefix}-{self._checkpoint._save_counter}")
        self._paths = [p for p in self._paths if p != path] + [path]
        if self._max_to_keep is not None:
            while len(self._paths) > self._max_to_keep:
                old = self._paths.pop(0)
                for suffix in (".index", ".data-00000-of-00001"):
                    if os.path.exists(old + suffix):
                        os.remove(old + suffix)
        _write_state(self._directory, path, self._paths)
        return path

    def restore_or_initialize(self):
        if self.latest_checkpoint:
            self._checkpoint.restore(self.latest_checkpoint)
            return self.latest_checkpoint
        return None
