"""Weights as safetensors: the keys are Keras 3 weight paths (`layers/dense/vars/0`),
so the same walk as the `.keras` format addresses them. A file of `state_dict()` keys
(as `safetensors.torch.save_file(model.state_dict(), ...)` writes) loads too."""

from __future__ import annotations

import json
import re

import torch
from safetensors import SafetensorError
from safetensors.numpy import load_file as np_load
from safetensors.torch import save

from keraslite.saving import keras_layout
from keraslite.saving.errors import corrupt_file_error

_PATH_KEY = re.compile(r"^(.*?)/?vars/(\d+)$")


def _tensors(groups) -> dict:
    tensors = {}
    for path, _, variables in groups:
        prefix = f"{path}/vars" if path else "vars"
        for index, variable in enumerate(variables):
            tensors[f"{prefix}/{index}"] = (
                variable.detach().to("cpu", copy=True).contiguous()
                if isinstance(variable, torch.Tensor)
                else torch.as_tensor(variable)
            )
    return tensors


def save_groups(groups, path: str) -> None:
    # Through `open()`, not safetensors' `save_file` (which creates files 0600 whatever the umask).
    with open(path, "wb") as handle:
        handle.write(groups_bytes(groups))


def groups_bytes(groups) -> bytes:
    """The safetensors file `save_groups` writes, as bytes (for a file opened elsewhere)."""
    names = {(p or "<root>"): name for p, name, _ in groups}
    return save(_tensors(groups), metadata={"format": "keras_layout", "layer_names": json.dumps(names)})


def load_file(path: str) -> dict:
    try:
        return np_load(path)
    except (SafetensorError, OSError, ValueError, TypeError) as error:
        raise corrupt_file_error(path, "it is not a readable safetensors file", error) from error
    except Exception as error:  # safetensors raises its own error types for bad headers
        if type(error).__name__ in ("SafetensorError", "PanicException"):
            raise corrupt_file_error(path, "it is not a readable safetensors file", error) from error
        raise


def grouped(arrays: dict) -> dict | None:
    """{group path: [arrays]} if the keys are Keras weight paths, else None."""
    groups: dict = {}
    for key, value in arrays.items():
        match = _PATH_KEY.match(key)
        if match is None:
            return None
        groups.setdefault(match.group(1), {})[int(match.group(2))] = value
    return {path: [items[i] for i in sorted(items)] for path, items in groups.items()}


def load_into(model, path: str, skip_mismatch: bool = False, include_optimizer: bool = False) -> list[str]:
    arrays = load_file(path)
    stored = grouped(arrays)
    if stored is None:
        return _load_state_dict_keys(model, arrays, path, skip_mismatch)
    groups = keras_layout.weight_groups(model, include_optimizer=include_optimizer)
    return keras_layout.assign_groups(groups, stored, path, skip_mismatch=skip_mismatch)


def _load_state_dict_keys(model, arrays: dict, source: str, skip_mismatch: bool) -> list[str]:
    """A safetensors file keyed like `model.state_dict()`: by structure (keraslite's keys) or,
    for files written before those, by the submodules' own names (`named_parameters()`)."""
    state = model.state_dict(keep_vars=True)
    if not set(arrays) <= set(state):
        by_module_name = dict(model.named_parameters(remove_duplicate=False))
        by_module_name.update(model.named_buffers(remove_duplicate=False))
        if set(arrays) <= set(by_module_name):
            state = by_module_name
    groups = [(key, key, [state[key]]) for key in state]
    stored = {key: [value] for key, value in arrays.items()}
    return keras_layout.assign_groups(groups, stored, source, skip_mismatch=skip_mismatch)
