"""Layered ("Sugiyama") layout of a directed acyclic graph, for `plot_model`.

1. Ranks: each node's rank is the longest path from a source, so every edge points forward;
   then inner nodes move down next to their first consumer (short edges).
2. Edges spanning several ranks get a small virtual node per skipped rank, so they bend
   around boxes instead of crossing them.
3. Order within a rank: barycentre sweeps (down, then up) reduce edge crossings.
4. Coordinates: each node is pulled towards the mean position of its neighbours, then
   overlaps in the rank are pushed apart.

The layout is axis-agnostic: "along" is the rank direction (down for rankdir="TB",
right for "LR"), "across" the direction within a rank.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class Placed:
    """A node's box: its centre and size, in pixels."""

    x: float
    y: float
    width: float
    height: float


@dataclasses.dataclass
class Layout:
    boxes: dict  # node id -> Placed (real nodes only)
    edges: list  # (source id, target id, [(x, y), ...] polyline from source to target)
    width: float
    height: float


def _ranks(nodes: list, edges: list) -> dict:
    parents = {node: [] for node in nodes}
    for source, target in edges:
        parents[target].append(source)
    rank: dict = {}

    def visit(node):
        if node not in rank:
            rank[node] = 0  # provisional, guards against (unexpected) cycles
            rank[node] = max((visit(parent) + 1 for parent in parents[node]), default=0)
        return rank[node]

    for node in nodes:
        visit(node)
    # Move every non-source node down next to its first consumer (as Graphviz's
    # edge-length minimisation would): a ResNet shortcut then sits beside its `add`.
    children = {node: [] for node in nodes}
    for source, target in edges:
        children[source].append(target)
    for node in sorted(nodes, key=lambda n: -rank[n]):
        if parents[node] and children[node]:
            rank[node] = max(rank[node], min(rank[child] for child in children[node]) - 1)
    return rank


def layered_layout(
    nodes: list,
    edges: list,
    sizes: dict,
    rankdir: str = "TB",
    rank_gap: float = 40.0,
    node_gap: float = 30.0,
    margin: float = 20.0,
    sweeps: int = 6,
) -> Layout:
    """Place `nodes` (ids, in a preferred order) with `sizes[id] = (width, height)`.

    `edges` are (source, target) pairs; the result holds each edge as a polyline from the
    border of the source box to the border of the target box.
    """
    horizontal = rankdir in ("LR", "RL")
    along = {n: sizes[n][0] if horizontal else sizes[n][1] for n in nodes}
    across = {n: sizes[n][1] if horizontal else sizes[n][0] for n in nodes}
    rank = _ranks(nodes, edges)

    # Virtual nodes split long edges into one-rank segments.
    chains = []
    segments = []
    for index, (source, target) in enumerate(edges):
        chain = [source]
        for step in range(rank[source] + 1, rank[target]):
            virtual = ("virtual", index, step)
            rank[virtual] = step
            along[virtual], across[virtual] = 0.0, 8.0
            chain.append(virtual)
        chain.append(target)
        chains.append(chain)
        segments.extend(zip(chain[:-1], chain[1:]))

    levels: dict = {}
    for node in list(nodes) + [n for chain in chains for n in chain[1:-1]]:
        levels.setdefault(rank[node], []).append(node)
    order = [levels[r] for r in sorted(levels)]
    ups = {n: [] for level in order for n in level}
    downs = {n: [] for level in order for n in level}
    for source, target in segments:
        ups[target].append(source)
        downs[source].append(target)

    def sweep(levels_in_order, neighbours):
        for level_index in range(1, len(levels_in_order)):
            previous = {n: i for i, n in enumerate(levels_in_order[level_index - 1])}
            level = levels_in_order[level_index]

            def key(item):
                position, node = item
                linked = [previous[n] for n in neighbours[node] if n in previous]
                return (sum(linked) / len(linked)) if linked else position

            level[:] = [node for _, node in sorted(enumerate(level), key=key)]

    for _ in range(sweeps):
        sweep(order, ups)
        sweep(order[::-1], downs)

    # Across-coordinates: start packed, then pull towards neighbours and repack.
    position: dict = {}
    for level in order:
        cursor = 0.0
        for node in level:
            position[node] = cursor + across[node] / 2
            cursor += across[node] + node_gap

    def repack(level, desired):
        # Keep the order, honour the gaps, stay as close as possible to `desired`.
        placed = []
        for node in level:
            low = placed[-1][1] + (across[placed[-1][0]] + across[node]) / 2 + node_gap if placed else float("-inf")
            placed.append((node, max(desired[node], low)))
        # Shift the row so that its mean displacement from `desired` is zero.
        shift = sum(desired[n] - p for n, p in placed) / len(placed)
        for node, p in placed:
            position[node] = p + shift

    for iteration in range(8):
        levels_pass = order if iteration % 2 == 0 else order[::-1]
        neighbours = ups if iteration % 2 == 0 else downs
        for level in levels_pass:
            desired = {}
            for node in level:
                linked = [position[n] for n in neighbours[node]]
                desired[node] = sum(linked) / len(linked) if linked else position[node]
            repack(level, desired)

    low = min(position[n] - across[n] / 2 for n in position)
    rank_thickness = [max(along[n] for n in level) for level in order]
    rank_start = []
    cursor = margin
    for thickness in rank_thickness:
        rank_start.append(cursor)
        cursor += thickness + rank_gap
    total_along = cursor - rank_gap + margin
    total_across = max(position[n] + across[n] / 2 for n in position) - low + 2 * margin

    centre = {}
    band = {}
    for level_index, level in enumerate(order):
        middle = rank_start[level_index] + rank_thickness[level_index] / 2
        for node in level:
            a = position[node] - low + margin
            centre[node] = (middle, a) if horizontal else (a, middle)
            band[node] = (rank_start[level_index], rank_start[level_index] + rank_thickness[level_index], a)

    boxes = {n: Placed(centre[n][0], centre[n][1], sizes[n][0], sizes[n][1]) for n in nodes}

    def exit_point(node, towards_next: bool):
        x, y = centre[node]
        half = along[node] / 2 * (1 if towards_next else -1)
        return (x + half, y) if horizontal else (x, y + half)

    routed = []
    for (source, target), chain in zip(edges, chains):
        points = [exit_point(source, True)]
        for virtual in chain[1:-1]:
            # Cross a rank straight through its whole band, beside the boxes, not over them.
            start, end, a = band[virtual]
            points.extend([(start, a), (end, a)] if horizontal else [(a, start), (a, end)])
        points.append(exit_point(target, False))
        routed.append((source, target, points))
    width, height = (total_along, total_across) if horizontal else (total_across, total_along)
    return Layout(boxes, routed, width, height)
