"""A functional model whose inputs are intermediate tensors, as Keras 3 allows:

    encoded = preprocessing(raw_input)          # a layer's output, not a keras.Input
    model = keras.Model(encoded, head(encoded))

Each intermediate input is replaced by a new `keras.Input` named `<tensor name>CLONE` (Keras's
name), and the layer calls between the inputs and the outputs are recorded again on the new
tensors, so the model's graph starts at its own inputs and leaves the original graph untouched.
"""

from __future__ import annotations

from keraslite.backend import tree
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.graph.node import Node
from keraslite.layers.input_layer import Input, InputLayer


def is_model_input(tensor: KerasTensor) -> bool:
    """True for a tensor made by `keras.Input` (an InputLayer's own output)."""
    history = tensor._keras_history
    return isinstance(history.layer, InputLayer) and history.layer._inbound_nodes[history.node_index].is_input


def _nodes_between(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> list:
    """The layer-call nodes from `inputs` (excluded) to `outputs`, each after its parents."""
    stops = {id(t) for t in inputs}
    ordered, seen = [], set()

    def visit(tensor):
        if id(tensor) in stops:
            return
        history = tensor._keras_history
        node = history.layer._inbound_nodes[history.node_index]
        if id(node) in seen or node.is_input:
            return
        seen.add(id(node))
        for parent in node.input_tensors:
            visit(parent)
        ordered.append(node)

    for tensor in outputs:
        visit(tensor)
    return ordered


def rebase_on_own_inputs(inputs, outputs):
    """`(inputs, outputs)` with every intermediate input replaced by a fresh `keras.Input` and
    the calls in between recorded again on it (inputs already made by `keras.Input` are kept).
    An input layer the outputs need but `inputs` lacks stays as it is, so the model still
    reports the graph as disconnected."""
    flat_inputs = tree.flatten(inputs)
    replacement: dict[int, KerasTensor] = {}
    for tensor in flat_inputs:
        if not is_model_input(tensor):
            replacement[id(tensor)] = Input(
                batch_shape=tensor.shape,
                dtype=tensor.dtype,
                sparse=tensor.sparse,
                name=f"{tensor.name}CLONE",
            )

    def swap(value):
        return replacement.get(id(value), value) if isinstance(value, KerasTensor) else value

    for node in _nodes_between(flat_inputs, tree.flatten(outputs)):
        masks = None if node.input_masks is None else tree.map_structure(swap, node.input_masks)
        again = Node(
            node.layer,
            call_args=tree.map_structure(swap, node.call_args),
            call_kwargs=tree.map_structure(swap, node.call_kwargs),
            outputs=node.outputs,
            input_masks=masks,
        )
        for old, new in zip(node.output_tensors, again.output_tensors):
            replacement[id(old)] = new
    return tree.map_structure(swap, inputs), tree.map_structure(swap, outputs)
