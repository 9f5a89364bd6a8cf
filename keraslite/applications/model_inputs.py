"""The input side of the application models: a new `Input`, or a given `input_tensor`
(whose own source inputs then become the model's inputs, as Keras's `get_source_inputs`)."""

from __future__ import annotations

from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.input_layer import Input, InputLayer


def image_input(input_shape, input_tensor):
    """The model's input: a new `Input`, or the given `input_tensor` (a KerasTensor)."""
    if input_tensor is None:
        return Input(shape=input_shape)
    if not isinstance(input_tensor, KerasTensor):
        raise TypeError(
            "`input_tensor` must be a KerasTensor (the output of `keras.Input`). Received: "
            f"input_tensor={input_tensor!r}"
        )
    return input_tensor


def source_inputs(input_tensor, img_input):
    """The model inputs: those that `input_tensor` derives from, if it was given."""
    if input_tensor is None:
        return img_input
    frontier, sources, seen = [input_tensor], [], set()
    while frontier:
        tensor = frontier.pop()
        history = tensor._keras_history
        node = history.layer._inbound_nodes[history.node_index]
        if isinstance(history.layer, InputLayer) or not node.input_tensors:
            if id(tensor) not in seen:
                seen.add(id(tensor))
                sources.append(tensor)
        else:
            frontier.extend(node.input_tensors)
    return sources[0] if len(sources) == 1 else sources
