"""Orders the nodes of a functional graph, from its inputs to its outputs.

Depths are counted from the outputs (an output node has depth 0, a node feeding a node
of depth d has depth >= d + 1); layers are listed by decreasing depth and, within a
depth, in the order a walk from the outputs first met them. This is Keras's order, and
so the order of `model.layers` and of `summary()` rows.
"""

from __future__ import annotations

import collections

from keraslite.graph.keras_tensor import KerasTensor

GraphMap = collections.namedtuple("GraphMap", ["nodes", "layers", "nodes_by_depth", "layers_by_depth"])


def _node_of(tensor: KerasTensor):
    history = tensor._keras_history
    return history.layer._inbound_nodes[history.node_index]


def map_graph(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> GraphMap:
    finished, in_progress = set(), set()
    nodes_in_decreasing_depth = []
    layer_indices: dict = {}

    def visit(tensor):
        node = _node_of(tensor)
        if id(node) in finished:
            return
        if id(node) in in_progress:
            raise ValueError(f'The tensor {tensor} at layer "{node.layer.name}" is part of a cycle.')
        if node.layer not in layer_indices:
            layer_indices[node.layer] = len(layer_indices)
        in_progress.add(id(node))
        for parent in node.input_tensors:
            visit(parent)
        finished.add(id(node))
        in_progress.discard(id(node))
        nodes_in_decreasing_depth.append(node)

    for output in outputs:
        visit(output)

    node_depths: dict = {}
    layer_depths: dict = {}
    for node in reversed(nodes_in_decreasing_depth):
        depth = node_depths.setdefault(id(node), 0)
        depth = max(depth, layer_depths.get(node.layer, 0))
        layer_depths[node.layer] = depth
        node_depths[id(node)] = depth
        for parent in node.parent_nodes:
            node_depths[id(parent)] = max(depth + 1, node_depths.get(id(parent), 0))

    nodes_by_id = {id(n): n for n in nodes_in_decreasing_depth}
    # Inputs that no output depends on still belong to the model.
    for tensor in inputs:
        layer = tensor._keras_history.layer
        if layer not in layer_depths:
            layer_depths[layer] = 0
            layer_indices[layer] = -1
            node = _node_of(tensor)
            node_depths[id(node)] = 0
            nodes_by_id[id(node)] = node

    nodes_by_depth: dict = collections.defaultdict(list)
    for node_id, depth in node_depths.items():
        nodes_by_depth[depth].append(nodes_by_id[node_id])
    layers_by_depth: dict = collections.defaultdict(list)
    for layer, depth in layer_depths.items():
        layers_by_depth[depth].append(layer)

    depth_keys = sorted(nodes_by_depth, reverse=True)
    layers = []
    for depth in sorted(layers_by_depth, reverse=True):
        same_depth = sorted(layers_by_depth[depth], key=lambda layer: layer_indices[layer])
        layers.extend(same_depth)

    # Every node's inputs must be computable from the model's inputs.
    computable = {id(t) for t in inputs}
    reached_layers = []
    ordered_nodes = []
    for depth in depth_keys:
        for node in nodes_by_depth[depth]:
            if not node.is_input or any(node is _node_of(t) for t in inputs):
                for tensor in node.input_tensors:
                    if id(tensor) not in computable:
                        raise ValueError(
                            f"Graph disconnected: cannot find parent for tensor {tensor} at layer "
                            f'"{node.layer.name}". The model inputs are {[t.name for t in inputs]}; the '
                            f"following previous layers were accessed without issue: {reached_layers}"
                        )
            elif node.is_input:
                # An input layer that is not one of the model's inputs.
                consumer = next(
                    (
                        n.layer.name
                        for n in nodes_in_decreasing_depth
                        if any(_node_of(t) is node for t in n.input_tensors)
                    ),
                    None,
                )
                raise ValueError(
                    f"Graph disconnected: cannot obtain value for tensor {node.outputs} at layer "
                    f'"{consumer or node.layer.name}". It comes from Input "{node.layer.name}", which is not among '
                    f"the model's inputs {[t.name for t in inputs]}. The following previous layers were "
                    f"accessed without issue: {reached_layers}"
                )
            for tensor in node.output_tensors:
                computable.add(id(tensor))
            reached_layers.append(node.layer.name)
            ordered_nodes.append(node)

    names = collections.Counter(layer.name for layer in layers)
    for name, count in names.items():
        if count > 1:
            raise ValueError(f'The name "{name}" is used {count} times in the model. All layer names should be unique.')
    return GraphMap(ordered_nodes, layers, dict(nodes_by_depth), dict(layers_by_depth))
