"""`tf.train`: object-based checkpoints (`Checkpoint`, `CheckpointManager`,
`latest_checkpoint`) and the optimizers TF1 kept there.

A checkpoint holds the variables reachable from the objects given to `Checkpoint(...)`
by attribute path (`model/layer_with_weights-0/kernel`-style keys are not reproduced:
keys are `name/variable path`), in TensorFlow's file layout (`<prefix>-<n>.index`,
`.data-00000-of-00001`, the folder's `checkpoint` state file: `saving/tf_checkpoint.py`),
so `latest_checkpoint(dir)` and `restore(path)` work as in TensorFlow.
"""

from __future__ import annotations

import os
import re

import torch

from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.layers.base_layer import Layer
from keraslite.optimizers.base_optimizer import Optimizer
from keraslite.saving import tf_checkpoint
from keraslite.saving.tf_checkpoint import latest_checkpoint as latest_checkpoint

__getattr__ = module_getattr("tf.train")


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
        arrays = {key: v.detach().cpu().numpy() for key, v in self._variables().items()}
        tf_checkpoint.write(str(file_prefix), arrays)
        return str(file_prefix)

    def save(self, file_prefix, options=None) -> str:
        """Write `<file_prefix>-<n>` (n counts saves) and record it as the latest."""
        self._save_counter += 1
        path = self.write(f"{file_prefix}-{self._save_counter}")
        tf_checkpoint.record_latest(path)
        return path

    def read(self, save_path, options=None) -> CheckpointLoadStatus:
        return self.restore(save_path)

    def restore(self, save_path, options=None) -> CheckpointLoadStatus:
        """Load the values saved at `save_path` into the variables with the same keys
        (None: nothing to restore). Every shape is checked before anything is assigned."""
        variables = self._variables()
        if save_path is None:
            return CheckpointLoadStatus([], [])
        values = tf_checkpoint.read(str(save_path))
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


class CheckpointManager:
    """Numbered checkpoints in `directory`, keeping the newest `max_to_keep`."""

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None, checkpoint_name="ckpt",
                 step_counter=None, checkpoint_interval=None, init_fn=None):  # fmt: skip
        self._checkpoint = checkpoint
        self._directory = str(directory)
        self._max_to_keep = max_to_keep
        self._prefix = os.path.join(self._directory, checkpoint_name)
        os.makedirs(self._directory, exist_ok=True)
        self._paths = [p for p in tf_checkpoint.all_checkpoints(self._directory) if tf_checkpoint.exists(p)]
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
                tf_checkpoint.remove(self._paths.pop(0))
        tf_checkpoint.record_latest(path, self._paths)
        return path

    def restore_or_initialize(self):
        if self.latest_checkpoint:
            self._checkpoint.restore(self.latest_checkpoint)
            return self.latest_checkpoint
        return None
