"""What the shim says about a TensorFlow function it does not have."""

from __future__ import annotations

from keraslite import ops

# TensorFlow name -> the keras.ops (or other keraslite) equivalent to use instead.
EQUIVALENTS = {
    "gather_nd": "keras.ops.take_along_axis or tensor indexing",
    "map_fn": "keras.ops.map or keras.ops.vectorized_map",
    "vectorized_map": "keras.ops.vectorized_map",
    "while_loop": "keras.ops.while_loop",
    "cond": "keras.ops.cond",
    "case": "keras.ops.switch",
    "switch_case": "keras.ops.switch",
    "scan": "keras.ops.scan",
    "foldl": "keras.ops.fori_loop",
    "py_function": "a plain Python call (keraslite runs eagerly)",
    "numpy_function": "a plain Python call (keraslite runs eagerly)",
    "string": "Python strings (keraslite tensors hold numbers only)",
    "RaggedTensor": "padded dense tensors (keras.utils.pad_sequences)",
    "ragged": "padded dense tensors (keras.utils.pad_sequences)",
    "train": "keras.callbacks.ModelCheckpoint / model.save_weights",
    "summary": "keras.callbacks.TensorBoard (writes TensorBoard event files itself)",
    "einsum": "keras.ops.einsum",
    "signal": "keras.ops.stft / keras.ops.fft",
    "unique": "keras.ops.unique",
    "reduce_euclidean_norm": "keras.ops.norm",
    "reverse_sequence": "keras.ops.flip with masking",
    "segment_mean": "keras.ops.segment_sum divided by counts",
}


class MissingFunctionError(NotImplementedError, AttributeError):
    """A TensorFlow function the shim does not provide (also an AttributeError, so that
    `hasattr(tf, name)` is False)."""


def missing(namespace: str, name: str) -> MissingFunctionError:
    """The error for `namespace.name`, naming the keras.ops equivalent."""
    equivalent = EQUIVALENTS.get(name)
    if equivalent is None:
        base = name[len("reduce_") :] if name.startswith("reduce_") else name
        if hasattr(ops, base):
            equivalent = f"keras.ops.{base}"
        elif hasattr(ops.nn, base):
            equivalent = f"keras.ops.nn.{base}"
        else:
            equivalent = "torch inside a layer's `call` (layers receive torch tensors)"
    return MissingFunctionError(
        f"`{namespace}.{name}` is not part of keraslite's TensorFlow shim. Use {equivalent} instead."
    )


def module_getattr(namespace: str):
    """A module-level `__getattr__` raising the shim's error for unknown names."""

    def __getattr__(name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(f"module '{namespace}' has no attribute '{name}'")
        raise missing(namespace, name)

    return __getattr__
