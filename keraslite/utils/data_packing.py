"""`keras.utils.pack_x_y_sample_weight` and `get_source_inputs`: small helpers on the
structures Keras passes around (a `(x, y, sample_weight)` batch; a KerasTensor's history)."""

from __future__ import annotations


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The batch a `train_step` receives: `x` alone (or `(x,)` when `x` is itself a list or
    tuple, so that it is not read as `(x, y)`), `(x, y)` or `(x, y, sample_weight)`."""
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def get_source_inputs(tensor) -> list:
    """The `keras.Input` tensors that `tensor` (a KerasTensor) was computed from, each once,
    in the order they are met; a value with no layer history is returned as is."""
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return tensor
    layer, node_index = history[0], history[1]
    if layer is None or not getattr(layer, "_inbound_nodes", None):
        return [tensor]
    node = layer._inbound_nodes[node_index]
    if node.is_input:
        return list(node.output_tensors)
    sources: list = []
    for parent in node.input_tensors:
        for source in get_source_inputs(parent):
            if all(source is not seen for seen in sources):
                sources.append(source)
    return sources
