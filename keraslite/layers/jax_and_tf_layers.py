"""`JaxLayer`, `FlaxLayer` and `TFSMLayer`: the layers Keras 3 offers to run JAX, Flax and
TensorFlow SavedModel code inside a model.

They exist with Keras's signatures so that code naming them reads the same, but they need
an engine keraslite does not have: constructing one raises, as real Keras does under its
torch backend (`JaxLayer`, `FlaxLayer`: ValueError; `TFSMLayer`: NotImplementedError), with
a message that says what the layer needs and what to use instead.
"""

from __future__ import annotations

from keraslite.backend import state
from keraslite.layers.base_layer import Layer

_INSTEAD = (
    "keraslite runs on PyTorch only; to use PyTorch code in a model, wrap a `torch.nn.Module` with "
    "`keras.layers.TorchModuleWrapper`."
)


class JaxLayer(Layer):
    """Keras 3's layer around a JAX function `call_fn(params, inputs)` (with `init_fn`,
    `params`, `state`). Needs JAX: not available on keraslite's PyTorch engine, so the
    constructor raises a `ValueError`, as Keras does under its torch backend."""

    def __init__(
        self,
        call_fn,
        init_fn=None,
        params=None,
        state=None,
        seed=None,
        native_serialization_platforms=None,
        **kwargs,
    ):
        raise ValueError(
            f"JaxLayer is only supported with the JAX or Tensorflow backend. Current backend: {_backend()}. "
            f"It runs JAX functions (`call_fn={_describe(call_fn)}`), which need JAX. {_INSTEAD}"
        )


class FlaxLayer(JaxLayer):
    """Keras 3's layer around a Flax `flax.linen.Module` (its `method` and `variables`).
    Needs JAX and Flax: not available on keraslite's PyTorch engine, so the constructor
    raises a `ValueError`, as Keras does under its torch backend."""

    def __init__(self, module, method=None, variables=None, **kwargs):
        raise ValueError(
            f"FlaxLayer is only supported with the JAX or Tensorflow backend. Current backend: {_backend()}. "
            f"It runs a Flax module (`module={_describe(module)}`), which needs JAX and Flax. {_INSTEAD}"
        )


class TFSMLayer(Layer):
    """Keras 3's layer that reloads a TensorFlow SavedModel (`filepath`, its
    `call_endpoint` and `call_training_endpoint`) for inference or training. Needs
    TensorFlow: not available on keraslite's PyTorch engine, so the constructor raises a
    `NotImplementedError`, as Keras does under its torch backend."""

    def __init__(
        self,
        filepath,
        call_endpoint="serve",
        call_training_endpoint=None,
        trainable=True,
        name=None,
        dtype=None,
    ):
        raise NotImplementedError(
            "The TFSMLayer is only currently supported with the TensorFlow backend. "
            f"It reloads a TensorFlow SavedModel (`filepath={filepath!r}`), which needs TensorFlow. A model saved "
            "by keraslite or Keras 3 in the `.keras` format loads with `keras.models.load_model`. " + _INSTEAD
        )


def _backend() -> str:
    return state.backend()


def _describe(value) -> str:
    return getattr(value, "__qualname__", None) or type(value).__name__
