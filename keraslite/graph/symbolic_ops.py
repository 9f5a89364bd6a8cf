"""Operations on KerasTensors (`x + y`, `x[:, 0]`, `keras.ops.*` on symbolic inputs).

Each use records a node whose "layer" is an `OpLayer` wrapping a plain function; the fx
lowering turns it into a `call_function` node, so it costs nothing extra at run time.
"""
from __future__ import annotations

import operator

import torch

from keraslite.backend import state
from keraslite.layers.base_layer import Layer
from keraslite.graph import shape_inference
from keraslite.graph.node import Node


class OpLayer(Layer):
    """A function recorded in a functional graph (Keras's op node)."""

    def __init__(self, function, name=None, **kwargs):
        if name is None:
            # Ops share the layers' name counter, as Keras 3 operations do (`add`, `add_1`).
            name = state.unique_name(state.to_snake_case(getattr(function, "__name__", "op").strip("_") or "op"))
        super().__init__(name=name, **kwargs)
        self._keraslite_op_function = function
        self.built = True

    def call(self, *args, **kwargs):
        return self._keraslite_op_function(*args, **kwargs)

    def _eager_call(self, *args, **kwargs):
        kwargs.pop("training", None)
        return self._keraslite_op_function(*args, **kwargs)

    def _symbolic_call(self, *args, **kwargs):
        outputs = shape_inference.infer_output_spec(self, args, kwargs)
        return Node(self, call_args=args, call_kwargs=kwargs, outputs=outputs).outputs

    def __call__(self, *args, **kwargs):
        from keraslite.layers.base_layer import _any_keras_tensor

        if _any_keras_tensor(args, kwargs):
            return self._symbolic_call(*args, **kwargs)
        return self._eager_call(*args, **kwargs)

    def get_config(self):
        config = super().get_config()
        config["function"] = getattr(self._keraslite_op_function, "__name__", None)
        return config


def _name_op(name, fn):
    def op(*args, **kwargs):
        return fn(*args, **kwargs)

    op.__name__ = op.__qualname__ = name
    return op


_FUNCTIONS = {
    "add": _name_op("add", torch.add),
    "subtract": _name_op("subtract", torch.sub),
    "multiply": _name_op("multiply", torch.mul),
    "divide": _name_op("divide", torch.true_divide),
    "matmul": _name_op("matmul", torch.matmul),
    "power": _name_op("power", torch.pow),
    "negative": _name_op("negative", torch.neg),
    "absolute": _name_op("absolute", torch.abs),
    "getitem": _name_op("get_item", operator.getitem),
}


def apply(name, *args, **kwargs):
    """Record `name(*args)` as a node and return its output KerasTensor(s)."""
    function = _FUNCTIONS[name]
    return OpLayer(function)(*args, **kwargs)


def apply_function(function, *args, **kwargs):
    """Record any tensor function (e.g. a `keras.ops` op) as a node."""
    return OpLayer(function)(*args, **kwargs)
