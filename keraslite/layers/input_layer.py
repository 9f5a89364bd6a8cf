"""`InputLayer` and `keras.Input`: where a functional graph starts."""

from __future__ import annotations

from keraslite.backend import dtypes, state
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.graph.node import Node
from keraslite.layers.base_layer import Layer


def _standardize_shape(shape, argument: str):
    if isinstance(shape, int):
        return (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise ValueError(f"Cannot convert '{shape!r}' to a shape. Received: {argument}={shape!r}") from None
    for dim in shape:
        if dim is not None and (not isinstance(dim, int) or dim < 0):
            try:
                if int(dim) == dim and dim >= 0:
                    continue
            except (TypeError, ValueError):
                pass
            raise ValueError(
                f"Cannot convert '{shape}' to a shape: dimensions must be non-negative integers or None. "
                f"Received: {argument}={shape!r}"
            )
    return tuple(None if d is None else int(d) for d in shape)


def _reject_ragged(ragged):
    if ragged:
        raise ValueError(
            "`ragged=True` is not supported by keraslite (PyTorch has no ragged tensors; nor does Keras's "
            "torch backend). Pad the sequences (keras.utils.pad_sequences) and use masking instead. "
            f"Received: ragged={ragged!r}"
        )


class InputLayer(Layer):
    """The layer behind `keras.Input`: no weights, one node, one output KerasTensor."""

    def __init__(
        self,
        shape=None,
        batch_size=None,
        dtype=None,
        sparse=None,
        ragged=None,
        batch_shape=None,
        input_tensor=None,
        optional=False,
        name=None,
        **kwargs,
    ):
        # Legacy (tf.keras 2) configs spell the shape `batch_input_shape`/`input_shape`.
        if batch_shape is None and kwargs.get("batch_input_shape") is not None:
            batch_shape = kwargs.pop("batch_input_shape")
        if shape is None and kwargs.get("input_shape") is not None:
            shape = kwargs.pop("input_shape")
        _reject_ragged(ragged)
        if name is None:
            name = state.input_layer_name()
        super().__init__(name=name, **{k: v for k, v in kwargs.items() if k in ("trainable",)})
        if shape is not None and batch_shape is not None:
            raise ValueError(
                "You cannot pass both `shape` and `batch_shape` at the same time. "
                f"Received: shape={shape}, batch_shape={batch_shape}"
            )
        if input_tensor is not None:
            batch_shape = tuple(input_tensor.shape)
            dtype = input_tensor.dtype
        elif batch_shape is not None:
            batch_shape = _standardize_shape(batch_shape, "batch_shape")
        elif shape is not None:
            batch_shape = (batch_size,) + _standardize_shape(shape, "shape")
        else:
            raise ValueError("You must pass a `shape` argument to `keras.Input` (e.g. `shape=(784,)`).")
        self._batch_shape = batch_shape
        self.sparse = bool(sparse)
        self.optional = optional
        self.built = True
        self._dtype_name = dtypes.standardize_dtype(dtype)
        Node(self, outputs=KerasTensor(batch_shape, self._dtype_name, name=self.name, sparse=self.sparse))

    @classmethod
    def _auto_name_base(cls) -> str:
        return "input"

    @property
    def batch_shape(self):
        return self._batch_shape

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {
            "batch_shape": list(self._batch_shape),
            "dtype": self._dtype_name,
            "sparse": self.sparse,
            "ragged": False,
            "name": self.name,
            "optional": self.optional,
        }


def Input(
    shape=None,
    batch_size=None,
    dtype=None,
    sparse=None,
    ragged=None,
    batch_shape=None,
    name=None,
    tensor=None,
    optional=False,
) -> KerasTensor:
    """A symbolic input: `keras.Input(shape=(784,))` -> KerasTensor of shape (None, 784).

    Args:
        shape: shape of one sample, without the batch dimension (None for unknown dims).
        batch_size: fixed batch size, if any.
        dtype: dtype of the input (default `floatx()`, i.e. "float32").
        sparse, ragged: accepted for Keras compatibility; `ragged=True` is an error.
        batch_shape: full shape including the batch dimension (instead of `shape`).
        name: a unique name (default `input_1`, `input_2`, ...).
    """
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        ragged=ragged,
        batch_shape=batch_shape,
        input_tensor=tensor,
        optional=optional,
        name=name,
    )
    return layer.output
