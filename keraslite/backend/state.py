"""Process-wide Keras state: auto-naming, float type, data format, default device, and the
switches of `keras.config` (traceback filtering, flash attention, the debugging caps on
epochs and steps), and the dialect: which era of Keras the running code was written for.

Keras keeps this state in one place so that `clear_session()` resets it all
at once; so do we. Scopes that a `with` block opens (`keras.device`) are per thread, as
Keras's global state is.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import os
import re
import threading
from collections.abc import Iterator

import torch

_name_counters: collections.Counter = collections.Counter()
_lock = threading.Lock()
_floatx = "float32"
_image_data_format = "channels_last"
_epsilon = 1e-7
_device_override: str | None = os.environ.get("KERASLITE_DEVICE") or None
_scopes = threading.local()  # `device_stack`: the devices of open `keras.device(...)` blocks
_traceback_filtering = True
# None means "use flash attention where the inputs allow it" (Keras's default); False means off.
_flash_attention: bool | None = None
# Debugging caps on every fit/evaluate/predict, also set by Keras's environment variables so that
# a script runs quickly without editing it.
_max_epochs: int | None = int(os.environ["KERAS_MAX_EPOCHS"]) if "KERAS_MAX_EPOCHS" in os.environ else None
_max_steps_per_epoch: int | None = (
    int(os.environ["KERAS_MAX_STEPS_PER_EPOCH"]) if "KERAS_MAX_STEPS_PER_EPOCH" in os.environ else None
)
_KERAS_BACKENDS = ("tensorflow", "jax", "torch", "numpy", "openvino")
# The two eras of Keras whose printed output and auto names differ (docs/ARCHITECTURE.md,
# decision 10): "keras3" (`import keras`, keraslite's own API) and "tf2" (tf.keras 2.x, reached
# through `tensorflow`). A choice made with `set_dialect()` or `KERASLITE_DIALECT` wins over the
# one the import aliases make from how a script reached Keras.
DIALECTS = ("keras3", "tf2")
_chosen_dialect: str | None = None
_import_dialect = "keras3"


def to_snake_case(name: str) -> str:
    """`Conv2DTranspose` -> `conv2d_transpose`, as Keras derives layer names (a leading
    underscore becomes `private_` in tf.keras 2; Keras 3 keeps it)."""
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return name if name[0] != "_" or dialect() == "keras3" else "private" + name


def _check_dialect(name, source: str) -> str:
    if name not in DIALECTS:
        raise ValueError(f"Unknown Keras dialect. Expected one of {DIALECTS}. Received: {source}={name!r}")
    return name


def dialect() -> str:
    """The Keras era keraslite behaves as where the two differ: `"keras3"` or `"tf2"`.

    They differ in what is printed and named, never in which names exist: `model.summary()`
    (Keras 3's box table or tf.keras 2's ruled one), the `fit` progress bar, `plot_model`'s
    defaults and auto names (`input_layer`/`functional` or `input_1`/`model`). The choice, in
    order: `set_dialect()`; the `KERASLITE_DIALECT` environment variable; else how the code
    reached Keras under the import aliases (`keraslite run`): through `tensorflow`
    (`tf.keras`, `from tensorflow import keras`) or `tf_keras` it is `"tf2"`, through
    `import keras` it is `"keras3"`; else (plain `import keraslite`) `"keras3"`.
    """
    return _chosen_dialect or _import_dialect


def set_dialect(name: str | None) -> None:
    """Choose the Keras era keraslite behaves as: `"keras3"`, `"tf2"`, or `None` to go back to
    the automatic choice (see `dialect()`).

    Example:

    ```python
    keras.config.set_dialect("tf2")
    model.summary()  # tf.keras 2's table, as a TensorFlow 2.x tutorial printed it
    ```
    """
    global _chosen_dialect
    _chosen_dialect = None if name is None else _check_dialect(name, "name")


def set_import_dialect(name: str) -> None:
    """The dialect the import aliases infer from how a script reached Keras (overridden by
    `set_dialect()` and `KERASLITE_DIALECT`)."""
    global _import_dialect
    _import_dialect = _check_dialect(name, "name")


def import_dialect() -> str:
    """The dialect the import aliases inferred (`"keras3"` until they infer another)."""
    return _import_dialect


def _dialect_from_environment() -> str | None:
    value = os.environ.get("KERASLITE_DIALECT") or None
    return None if value is None else _check_dialect(value, "KERASLITE_DIALECT")


_chosen_dialect = _dialect_from_environment()


def input_layer_name() -> str:
    """The next auto name of an input layer: `input_layer`, `input_layer_1`, ... as Keras 3
    names them, or `input_1`, `input_2`, ... as tf.keras 2 did."""
    if dialect() == "tf2":
        return unique_name("input", zero_based=False)
    return unique_name("input_layer")


def functional_model_name_base() -> str:
    """What an unnamed functional model is called: `functional` (Keras 3) or `model` (tf.keras 2)."""
    return "model" if dialect() == "tf2" else "functional"


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


def set_backend(backend: str) -> None:
    """Keras reloads itself on another backend; keraslite is PyTorch only, so `"torch"` is
    accepted (nothing to reload) and any other backend is refused with the reason."""
    if backend == "torch":
        return
    if backend in _KERAS_BACKENDS:
        raise ValueError(
            "keraslite runs Keras on PyTorch only and cannot switch to another backend. "
            f"Expected backend='torch'. Received: backend={backend!r}"
        )
    raise ValueError(f"Available backends are {_KERAS_BACKENDS}. Received: backend={backend!r}")


def get_device() -> torch.device:
    """Where new weights and converted inputs go: the device of the innermost open
    `keras.device(...)` block, else the set device, else CUDA when present (as Keras does),
    else CPU. Choose with `keras.device()`, `set_device()` or `KERASLITE_DEVICE`."""
    stack = getattr(_scopes, "device_stack", None)
    if stack:
        return stack[-1]
    if _device_override is not None:
        return torch.device(_device_override)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@contextlib.contextmanager
def device(device_name: str) -> Iterator[torch.device]:
    """A block in which new tensors and variables are placed on `device_name`.

    Args:
        device_name: `"device_type:device_index"`, e.g. `"cpu"`, `"cpu:0"`, `"gpu:0"`
            (`"gpu"` means `"cuda"`), `"cuda:1"`, `"mps"`.

    Example:

    ```python
    with keras.device("cpu"):
        x = keras.ops.ones((2, 2))  # on the CPU, even where a GPU is present
    ```
    """
    if not isinstance(device_name, str):
        raise ValueError(
            "Invalid value for argument `device_name`. Expected a string like 'gpu:0' or 'cpu'. "
            f"Received: device_name={device_name!r}"
        )
    placed = torch.device(device_name.lower().replace("gpu", "cuda"))
    stack = _scopes.__dict__.setdefault("device_stack", [])
    stack.append(placed)
    try:
        yield placed
    finally:
        stack.pop()


def set_device(device: str | torch.device | None) -> None:
    """Set the default device (`"cpu"`, `"cuda"`, `"cuda:1"`); `None` restores auto-choice."""
    global _device_override
    if device is not None:
        torch.device(device)  # validates the string, raising torch's clear error if malformed
        device = str(device)
    _device_override = device


def enable_traceback_filtering() -> None:
    """Turn traceback filtering on (the default).

    Keras drops its own frames from the tracebacks of errors raised in its entry points;
    keraslite keeps the switch so that code which sets it runs, and its tracebacks stay whole.
    """
    global _traceback_filtering
    _traceback_filtering = True


def disable_traceback_filtering() -> None:
    """Turn traceback filtering off: tracebacks show every frame."""
    global _traceback_filtering
    _traceback_filtering = False


def is_traceback_filtering_enabled() -> bool:
    """Whether traceback filtering is on (`enable_traceback_filtering()`)."""
    return _traceback_filtering


def enable_flash_attention() -> None:
    """Let attention layers use flash attention where the inputs allow it (the default).

    As in Keras, this restores the automatic choice: `is_flash_attention_enabled()` then
    returns `None`, not `True`.
    """
    global _flash_attention
    _flash_attention = None


def disable_flash_attention() -> None:
    """Stop attention layers created from now on from asking for flash attention."""
    global _flash_attention
    _flash_attention = False


def is_flash_attention_enabled() -> bool | None:
    """`False` after `disable_flash_attention()`; otherwise `None` (use it where possible)."""
    return _flash_attention


def is_nnx_enabled() -> bool:
    """Whether Flax NNX features are on: they belong to the JAX backend, so never here."""
    return False


def set_max_epochs(max_epochs: int | None) -> None:
    """Cap the number of epochs of every `fit()` (for debugging); `None` removes the cap.
    Also read from the `KERAS_MAX_EPOCHS` environment variable."""
    global _max_epochs
    _max_epochs = max_epochs


def max_epochs() -> int | None:
    """The cap on epochs set by `set_max_epochs()` or `KERAS_MAX_EPOCHS`, or `None`."""
    return _max_epochs


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Cap the steps of one epoch of `fit()` and of `evaluate()`/`predict()` (for
    debugging); `None` removes the cap. Also read from `KERAS_MAX_STEPS_PER_EPOCH`."""
    global _max_steps_per_epoch
    _max_steps_per_epoch = max_steps_per_epoch


def max_steps_per_epoch() -> int | None:
    """The cap on steps set by `set_max_steps_per_epoch()` or `KERAS_MAX_STEPS_PER_EPOCH`, or `None`."""
    return _max_steps_per_epoch


def get_uid(prefix: str = "") -> int:
    """Count one more use of `prefix` and return the count (1, 2, ...). Layer auto-names draw
    from the same counters, as in Keras: after one `Dense`, `get_uid("dense")` is 2."""
    with _lock:
        _name_counters[prefix] += 1
        return _name_counters[prefix]
