"""`Node`: the one record of a layer call on KerasTensors.

A node keeps the call's arguments (with the KerasTensors in them), the output
KerasTensors it made, and its index in the layer's `_inbound_nodes`. The functional
graph is nothing but these records, reached backwards from a model's outputs.
"""

from __future__ import annotations

from keraslite.backend import tree
from keraslite.graph.keras_tensor import KerasHistory, KerasTensor


class Node:
    def __init__(self, layer, call_args=(), call_kwargs=None, outputs=None, input_masks=None):
        self.layer = layer
        # The inputs' symbolic masks when the layer receives them implicitly as `mask=`
        # (Keras's automatic masking); None otherwise. Not graph inputs: read at run time.
        self.input_masks = input_masks
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        # Stamp the history on the outputs: new KerasTensors made from the specs.
        self.output_tensors = []

        def stamp(spec):
            index = len(self.output_tensors)
            tensor = KerasTensor(
                spec._shape,
                spec._dtype,
                keras_history=KerasHistory(layer, self.index, index),
                name=spec._name if spec._name is not None else (layer.name if index == 0 else f"{layer.name}_{index}"),
                mask=spec._keras_mask,
                sparse=spec._sparse,
            )
            self.output_tensors.append(tensor)
            return tensor

        self.outputs = tree.map_structure(stamp, outputs) if outputs is not None else None
        self.input_tensors = [t for t in tree.flatten((self.call_args, self.call_kwargs)) if isinstance(t, KerasTensor)]
        for tensor in self.input_tensors:
            # A KerasTensor made directly (`keras.KerasTensor(shape)`) has no producer to link.
            if tensor._keras_history is not None:
                tensor._keras_history.layer._outbound_nodes.append(self)

    @property
    def is_input(self) -> bool:
        return not self.input_tensors

    @property
    def parent_nodes(self) -> list["Node"]:
        nodes = []
        for tensor in self.input_tensors:
            history = tensor._keras_history
            nodes.append(history.layer._inbound_nodes[history.node_index])
        return nodes

    def iterate_inbound(self):
        """(inbound layer, node index, tensor index, tensor) for every input tensor."""
        for tensor in self.input_tensors:
            history = tensor._keras_history
            yield history.layer, history.node_index, history.tensor_index, tensor

    def __repr__(self):
        return f"<Node {self.layer.name}[{self.index}]>"
