"""Process-wide Keras state: auto-naming, float type, data format, default device.

Keras keeps this state in one place so that `clear_session()` resets it all
at once; so do we.
"""

from __future__ import annotations

import collections
import os
import re
import threading

import torch

_name_counters: collections.Counter = collections.Counter()
_lock = threading.Lock()
_floatx = "float32"
_image_data_format = "channels_last"
_epsilon = 1e-7
_device_override: str | None = os.environ.get("KERASLITE_DEVICE") or None


def to_snake_case(name: str) -> str:
    """`Conv2DTranspose` -> `conv2d_transpose`, as Keras derives layer names."""
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return name if name[0] != "_" else "private" + name


def unique_name(base: str, zero_based: bool = True) -> str:
    """The next free auto name for `base`: `dense`, `dense_1`, ... (or `input_1`, `input_2`, ...
    when `zero_based` is False), as the seed guide shows them."""
    with _lock:
        count = _name_counters[base]
        _name_counters[base] += 1
    if zero_based:
        return base if count == 0 else f"{base}_{count}"
    return f"{base}_{count + 1}"


def clear_session(free_memory: bool = True) -> None:
    """Reset auto-naming (the next Dense is `dense` again) and free cached device memory."""
    _name_counters.clear()
    if free_memory:
        import gc

        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def floatx() -> str:
    return _floatx


def set_floatx(value: str) -> None:
    global _floatx
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(
            "Unknown `floatx` value. Expected one of 'float16', 'bfloat16', 'float32', "
            f"'float64'. Received: value={value!r}"
        )
    _floatx = value


def epsilon() -> float:
    return _epsilon


def set_epsilon(value: float) -> None:
    global _epsilon
    _epsilon = float(value)


def image_data_format() -> str:
    return _image_data_format


def set_image_data_format(data_format: str) -> None:
    global _image_data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            f"`data_format` must be 'channels_last' or 'channels_first'. Received: data_format={data_format!r}"
        )
    _image_data_format = data_format


def backend() -> str:
    """The Keras backend name. keraslite has one backend."""
    return "torch"


def get_device() -> torch.device:
    """Where new weights and converted inputs go: the set device, else CUDA when present
    (as Keras does), else CPU. Choose with `set_device()` or `KERASLITE_DEVICE`."""
    if _device_override is not None:
        return torch.device(_device_override)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def set_device(device: str | torch.device | None) -> None:
    """Set the default device (`"cpu"`, `"cuda"`, `"cuda:1"`); `None` restores auto-choice."""
    global _device_override
    if device is not None:
        torch.device(device)  # validates the string, raising torch's clear error if malformed
        device = str(device)
    _device_override = device
