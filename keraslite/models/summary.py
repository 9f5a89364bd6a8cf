"""`model.summary()`: the layer table. Under the "keras3" dialect (`keras.config.dialect()`)
Keras 3's box table (`summary_keras3.py`); under "tf2" the layout the seed guide prints,
described here.

Two layouts, as tf.keras chose them: a chain of single-input layers prints three
columns (line length 65, columns ending at 29/55/65); any other graph prints four, with
"Connected to" (line length 98, columns ending at 32/53/65/98). A field longer than its
column is cut at the column edge, one character short so that a space separates it
from the next column.
"""

from __future__ import annotations

from keraslite.backend import state, tree
from keraslite.layers.input_layer import InputLayer
from keraslite.models import summary_keras3
from keraslite.models.summary_entries import TorchModuleEntry, summary_entries


def _is_sequential_like(model, graph) -> bool:
    if graph is None or model._obj_type() == "Sequential":
        return True
    nodes_by_depth = graph.nodes_by_depth
    seen_nodes = []
    for depth in sorted(nodes_by_depth, reverse=True):
        nodes = nodes_by_depth[depth]
        if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].input_tensors) > 1):
            return False
        seen_nodes.extend(nodes)
    # A layer called twice within the model (a shared layer) is not a chain either.
    node_ids = {id(n) for n in seen_nodes}
    for layer in model.layers:
        if sum(1 for node in layer._inbound_nodes if id(node) in node_ids) > 1:
            return False
    return True


def _format_row(fields, positions) -> str:
    line = ""
    for index, field in enumerate(fields):
        if index > 0:
            line = line[:-1] + " "
        line += str(field)
        line = line[: positions[index]]
        line += " " * (positions[index] - len(line))
    return line


_FUNCTIONAL_CLASS = "keraslite.models.functional.Functional"


def _class_label(layer) -> str:
    if isinstance(layer, TorchModuleEntry):
        return layer.class_label
    # tf.keras printed a functional model's class as Model (named, not imported: model.py imports this module).
    cls = type(layer)
    return "Model" if f"{cls.__module__}.{cls.__qualname__}" == _FUNCTIONAL_CLASS else cls.__name__


def _output_shape_field(layer, relevant_node_ids=None):
    nodes = [n for n in layer._inbound_nodes if relevant_node_ids is None or id(n) in relevant_node_ids]
    if not nodes:
        nodes = layer._inbound_nodes
    if not nodes:
        return "multiple"
    shapes = [tree.map_structure(lambda t: tuple(t.shape), node.outputs) for node in nodes]
    if any(s != shapes[0] for s in shapes[1:]):
        return "multiple"
    shape = shapes[0]
    if isinstance(layer, InputLayer):
        # tf.keras printed an input layer's output shape as a list of one shape.
        return [shape]
    return shape


def _count(weights) -> int:
    total = 0
    for weight in weights:
        count = 1
        for dim in weight.shape:
            count *= int(dim)
        total += count
    return total


def print_summary(
    model,
    graph=None,
    line_length=None,
    positions=None,
    print_fn=None,
    expand_nested=False,
    show_trainable=False,
    layer_range=None,
) -> None:
    """Print `model`'s table; `graph` is a functional model's ordered graph (None for a
    subclassed model, whose output shapes are not known)."""
    sequential_like = _is_sequential_like(model, graph)
    relevant = None
    if graph is not None:
        relevant = {id(n) for nodes in graph.nodes_by_depth.values() for n in nodes}
    if state.dialect() == "keras3":
        summary_keras3.print_summary(
            model,
            sequential_like,
            None if sequential_like else relevant,
            print_fn=print_fn,
            line_length=line_length,
            positions=positions,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )
        return
    print_fn = print_fn or print
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.33, 0.55, 0.67, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_fn(_format_row(headers, positions))
    print_fn("=" * line_length)

    layers = summary_entries(model)  # layers, and raw torch modules beside them
    for index, layer in enumerate(layers):
        label = f"{layer.name} ({_class_label(layer)})"
        if graph is not None:
            shape = _output_shape_field(layer, relevant)
        else:
            # A model built by its first call (subclassed) has shapes tf.keras printed as
            # "multiple"; a model not built yet has none (Keras 3 prints "?").
            shape = "multiple" if model.built else "?"
        params = layer.count_params() if layer.built else 0
        if sequential_like:
            print_fn(_format_row([label, shape, params], positions))
        else:
            connections = []
            for node in layer._inbound_nodes:
                if relevant is not None and id(node) not in relevant:
                    continue
                for inbound_layer, node_index, tensor_index, _ in node.iterate_inbound():
                    connections.append(f"{inbound_layer.name}[{node_index}][{tensor_index}]")
            print_fn(_format_row([label, shape, params, connections[0] if connections else ""], positions))
            for connection in connections[1:]:
                print_fn(_format_row(["", "", "", connection], positions))
        print_fn(("=" if index == len(layers) - 1 else "_") * line_length)

    trainable = _count(model.trainable_weights)
    non_trainable = _count(model.non_trainable_weights)
    print_fn(f"Total params: {trainable + non_trainable:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {non_trainable:,}")
    print_fn("_" * line_length)
