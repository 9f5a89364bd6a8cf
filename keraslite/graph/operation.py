"""`Operation`: anything a functional graph records a call of (layers and op nodes).

An operation has a unique name and the bookkeeping of its calls on KerasTensors: each
such call records a `Node` in `_inbound_nodes` (and in each input producer's
`_outbound_nodes`) and returns new KerasTensors whose history points at that node. As
in Keras 3 (`keras/src/ops/operation.py`), `Layer` builds on it, and so do the op nodes
that `keras.ops` and the KerasTensor operators record (`graph.symbolic_ops`). It is a
`torch.nn.Module`, so a functional model holds every operation of its graph as a
submodule.
"""

from __future__ import annotations

import inspect

import torch

from keraslite.backend import state, tree
from keraslite.graph import shape_inference
from keraslite.graph.keras_tensor import any_keras_tensor
from keraslite.graph.node import Node


class Operation(torch.nn.Module):
    """A named computation whose calls on KerasTensors are recorded as `Node`s.

    Subclasses define `call` (the computation on tensors). Called with a KerasTensor
    among its arguments, an operation infers its output (`compute_output_spec`, by
    default a run on fake tensors) and records a node; otherwise it computes.

    Args:
        name: unique name; by default the snake-cased class name made unique.
    """

    def __init__(self, name: str | None = None):
        super().__init__()
        if name is None:
            name = state.unique_name(self._auto_name_base())
        elif not isinstance(name, str):
            raise TypeError(f"Layer name must be a string. Received: name={name!r} (of type {type(name)})")
        self.name = name
        self._inbound_nodes: list[Node] = []
        self._outbound_nodes: list[Node] = []

    @classmethod
    def _auto_name_base(cls) -> str:
        return state.to_snake_case(cls.__name__)

    def __getattr__(self, name):
        try:
            return torch.nn.Module.__getattr__(self, name)
        except AttributeError:
            # A property that raised AttributeError lands here (Python's fallback);
            # surface its own message instead of torch's "has no attribute".
            attribute = getattr(type(self), name, None)
            if isinstance(attribute, property):
                return attribute.fget(self)
            raise

    # ------------------------------------------------------------------ calling
    def __call__(self, *args, **kwargs):
        if any_keras_tensor(args, kwargs):
            return self._symbolic_call(*args, **kwargs)
        return self._eager_call(*args, **kwargs)

    def _call_signature(self) -> tuple[bool, bool, bool]:
        """Whether `call` takes `training`, takes `mask`, takes `**kwargs` (cached per class)."""
        cls = type(self)
        cached = cls.__dict__.get("_keraslite_call_signature")
        if cached is None:
            parameters = inspect.signature(self.call).parameters
            cached = (
                "training" in parameters,
                "mask" in parameters,
                any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()),
            )
            setattr(cls, "_keraslite_call_signature", cached)
        return cached

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"Operation {type(self).__name__} does not define `call`.")

    def forward(self, *args, **kwargs):
        # A functional model calls its operations as submodules (fx `call_module`).
        return self._eager_call(*args, **kwargs)

    def _eager_call(self, *args, **kwargs):
        # Only layers have a training mode; the graph passes `training` to every call.
        kwargs.pop("training", None)
        return self.call(*args, **kwargs)

    def _symbolic_call(self, *args, **kwargs):
        outputs = self.compute_output_spec(*args, **kwargs)
        return Node(self, call_args=args, call_kwargs=kwargs, outputs=outputs).outputs

    def compute_output_spec(self, *args, **kwargs):
        """The output KerasTensor(s) for symbolic inputs: by default, `call` run once on
        fake tensors (shapes and dtypes only)."""
        return shape_inference.infer_output_spec(self, args, kwargs)

    # ------------------------------------------------------------------ graph access
    def _single_node(self, what: str) -> Node:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has never been called and thus has no defined {what}.")
        if len(self._inbound_nodes) > 1 and what in ("input", "output"):
            raise AttributeError(
                f"Layer {self.name} has multiple inbound nodes, hence the notion of "
                f'"layer {what}" is ill-defined. Use `get_{what}_at(node_index)` instead.'
            )
        return self._inbound_nodes[0]

    @property
    def input(self):
        node = self._single_node("input")
        if node.is_input:
            return node.outputs
        return node.call_args[0]

    @property
    def output(self):
        return self._single_node("output").outputs

    def get_input_at(self, node_index: int):
        node = self._inbound_nodes[node_index]
        return node.outputs if node.is_input else node.call_args[0]

    def get_output_at(self, node_index: int):
        return self._inbound_nodes[node_index].outputs

    @property
    def input_shape(self):
        return tree.map_structure(lambda t: tuple(t.shape), self.input)

    @property
    def output_shape(self):
        shapes = {repr(tree.map_structure(lambda t: tuple(t.shape), n.outputs)) for n in self._inbound_nodes}
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has no defined output shape.")
        if len(shapes) > 1:
            raise AttributeError(
                f'The layer "{self.name}" has multiple inbound nodes with different output shapes. '
                'Hence the notion of "output shape" is ill-defined for the layer.'
            )
        return tree.map_structure(lambda t: tuple(t.shape), self._inbound_nodes[0].outputs)

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
