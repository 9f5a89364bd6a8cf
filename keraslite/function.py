"""`keras.Function`: a reusable computation recorded on KerasTensors, from any of them
(an `Input` or an intermediate tensor) to others, without being a model or a layer.

It walks the recorded `Node`s back from the outputs until it reaches the given inputs, and
replays them in order on real tensors (or on KerasTensors, which records one node for the
whole function). No weights of its own; the layers it calls keep theirs.
"""

from __future__ import annotations

import numpy as np
import torch

from keraslite import tree
from keraslite.backend import tree as internal_tree
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.graph.operation import Operation


def _node_of(tensor: KerasTensor):
    history = tensor._keras_history
    return history.layer._inbound_nodes[history.node_index]


class Function(Operation):
    """A computation from `inputs` to `outputs` (KerasTensors, or nested structures of
    them). Call it with real tensors in the structure of `inputs`.

    Example:

    ```python
    x = keras.Input((4,))
    y = keras.layers.Dense(2)(x)
    fn = keras.Function(x, keras.ops.relu(y))
    fn(np.ones((3, 4)))
    ```
    """

    def __init__(self, inputs, outputs, name=None):
        super().__init__(name=name)
        self._inputs_struct = tree.map_structure(lambda x: x, inputs)
        self._outputs_struct = tree.map_structure(lambda x: x, outputs)
        self._inputs = tree.flatten(inputs)
        self._outputs = tree.flatten(outputs)
        if not self._inputs or not self._outputs:
            empty = "inputs" if not self._inputs else "outputs"
            raise ValueError(f"`{empty}` argument cannot be empty. Received:\ninputs={inputs}\noutputs={outputs}")
        for value in self._inputs + self._outputs:
            if not isinstance(value, KerasTensor):
                raise ValueError(f"Function inputs and outputs must be KerasTensors. Received: {value!r:.200}")
        self._nodes = self._order_nodes()
        self._operations = []
        for node in self._nodes:
            if all(node.layer is not op for op in self._operations):
                self._operations.append(node.layer)

    def _order_nodes(self) -> list:
        """The nodes between the inputs and the outputs, each after the nodes it reads."""
        known = {id(x) for x in self._inputs}
        ordered, visited = [], set()

        def visit(tensor, path):
            if id(tensor) in known:
                return
            node = _node_of(tensor)
            if id(node) in visited:
                return
            if node.is_input:
                raise ValueError(
                    f"Output with path `{path}` is not connected to `inputs`: it depends on the input "
                    f"{tensor.name!r}, which is not among the Function's inputs."
                )
            for parent in node.input_tensors:
                visit(parent, path)
            visited.add(id(node))
            ordered.append(node)

        for path, output in tree.flatten_with_path(self._outputs_struct):
            visit(output, ".".join(str(p) for p in path))
        return ordered

    @property
    def inputs(self) -> list:
        return self._inputs

    @property
    def outputs(self) -> list:
        return self._outputs

    @property
    def operations(self) -> list:
        return self._operations[:]

    def _check_inputs(self, inputs):
        try:
            tree.assert_same_structure(inputs, self._inputs_struct)
        except ValueError:
            raise ValueError(
                "Function was called with an invalid input structure. "
                f"Expected input structure: {self._inputs_struct}\nReceived input structure: {inputs}"
            ) from None
        for value, reference in zip(tree.flatten(inputs), self._inputs):
            shape = tuple(value.shape)
            if len(shape) != len(reference.shape) or any(
                r is not None and d is not None and d != r for d, r in zip(shape, reference.shape)
            ):
                raise ValueError(
                    f"Function was passed incompatible inputs. For input '{reference.name}', expected shape "
                    f"{reference.shape}, but received instead a tensor with shape {shape}."
                )

    def call(self, inputs):
        inputs = tree.map_structure(
            lambda x: x if isinstance(x, (torch.Tensor, KerasTensor)) else torch.as_tensor(np.asarray(x)), inputs
        )
        self._check_inputs(inputs)
        flat = tree.flatten(inputs)
        values = {id(reference): value for reference, value in zip(self._inputs, flat)}

        def fill(argument):
            return values.get(id(argument), argument) if isinstance(argument, KerasTensor) else argument

        for node in self._nodes:
            args = internal_tree.map_structure(fill, node.call_args)
            kwargs = internal_tree.map_structure(fill, node.call_kwargs)
            result = node.layer(*args, **kwargs)
            for reference, value in zip(node.output_tensors, internal_tree.flatten(result)):
                values[id(reference)] = value
        return tree.pack_sequence_as(self._outputs_struct, [values[id(x)] for x in self._outputs])

    def compute_output_spec(self, inputs):
        return tree.map_structure(lambda x: KerasTensor(x.shape, x.dtype), self._outputs_struct)
