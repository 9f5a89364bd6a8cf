"""`model.summary()` as Keras 3 prints it: a box table with a heavy header, a rule between
rows, and the parameter counts with their memory size below it.

    Model: "functional"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
    │ dense (Dense)                   │ (None, 64)             │        50,240 │
    └─────────────────────────────────┴────────────────────────┴───────────────┘
     Total params: 50,240 (196.25 KB)

Keras 3 draws it with the `rich` library; this module lays the table out by the same rules
(plain text, no colours), so that the text is the same character for character:

- Column widths: `positions` (fractions of `line_length`) give each column a width; the table,
  borders included, must fit in `line_length`, so the widths plus one space of padding on each
  side are reduced evenly, column by column, by the excess (Python's `round`).
- Cells wrap at spaces; a word longer than its column is cut with `…`. Text is left-aligned,
  parameter counts right-aligned, the "Trainable" column centred.
"""

from __future__ import annotations

import math
import os
import re
import shutil

from keraslite.backend import tree
from keraslite.backend.interactive_logging import print_msg
from keraslite.models.summary_entries import TorchModuleEntry, class_label, summary_entries
from keraslite.saving.op_config import keras_class_name

_WORD = re.compile(r"\s*\S+\s*")
_BITS = {"bool": 1, "bfloat16": 16}


# ------------------------------------------------------------------ the table layout
def _reduce_evenly(excess: int, widths: list[int]) -> list[int]:
    """Take `excess` off `widths`, spreading it over the columns in order (each column's share
    rounded with Python's `round`, the rest going to the columns after it)."""
    shares_left = len(widths)
    reduced = []
    for width in widths:
        if width and shares_left:
            taken = min(width, round(excess / shares_left))
            reduced.append(width - taken)
            excess -= taken
            shares_left -= 1
        else:
            reduced.append(width)
    return reduced


def _cell_widths(line_length: int, column_widths: list[int]) -> list[int]:
    """Each column's width with its padding, borders excluded, once fitted in `line_length`."""
    room = line_length - (len(column_widths) + 1)
    widths = [min(width + 2, room) for width in column_widths]
    if sum(widths) > room:
        widths = _reduce_evenly(sum(widths) - room, widths)
    return widths


def _break_offsets(text: str, width: int) -> list[int]:
    """Where `text` is broken into lines of at most `width` characters: at the start of a word
    that does not fit on the line; a word longer than a line gets a line of its own."""
    breaks, used = [], 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - used >= length:
            used += len(word)
        elif length > width or used:
            if start:
                breaks.append(start)
            used = len(word)
    return breaks


def _fit(line: str, width: int) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


def wrap_cell(text: str, width: int, justify: str = "left") -> list[str]:
    """`text` as lines of exactly `width` characters, wrapped and aligned as in the table."""
    edges = [0, *_break_offsets(text, width), len(text)]
    lines = []
    for start, end in zip(edges, edges[1:]):
        line = text[start:end]
        if len(line) > width:  # spaces past the edge go; other characters are cut below
            trailing = len(line) - len(line.rstrip())
            line = line[: len(line) - min(trailing, len(line) - width)]
        if justify == "left":
            line = _fit(line, width).ljust(width)
        else:
            line = _fit(line.rstrip(), width)
            left = width - len(line) if justify == "right" else (width - len(line)) // 2
            line = (" " * left + line).ljust(width)
        lines.append(line)
    return lines


def console_width() -> int:
    """The width Keras's console crops the table to: `COLUMNS`, else the terminal's (stdin,
    stdout or stderr), else 80."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        return int(columns)
    for descriptor in (0, 1, 2):
        try:
            return os.get_terminal_size(descriptor).columns
        except OSError:
            continue
    return 80


def render_table(headers, rows, justify, line_length: int, column_widths: list[int]) -> list[str]:
    """The box table of `rows` under `headers`, `line_length` wide."""
    widths = _cell_widths(line_length, column_widths)

    def rule(left, fill, middle, right):
        return left + middle.join(fill * width for width in widths) + right

    def body(cells, edge):
        wrapped = [wrap_cell(str(cell), width - 2, how) for cell, width, how in zip(cells, widths, justify)]
        height = max(len(lines) for lines in wrapped)
        for lines, width in zip(wrapped, widths):
            lines.extend([" " * (width - 2)] * (height - len(lines)))
        return [edge + edge.join(f" {lines[i]} " for lines in wrapped) + edge for i in range(height)]

    out = [rule("┏", "━", "┳", "┓"), *body(headers, "┃"), rule("┡", "━", "╇", "┩")]
    for index, row in enumerate(rows):
        if index:
            out.append(rule("├", "─", "┼", "┤"))
        out.extend(body(row, "│"))
    out.append(rule("└", "─", "┴", "┘"))
    return out


# ------------------------------------------------------------------ the fields
def _format_shape(shape) -> str:
    return "(" + ", ".join(str(dim) for dim in shape) + ")"


def _is_shape(value) -> bool:
    return isinstance(value, (tuple, list)) and all(dim is None or isinstance(dim, int) for dim in value)


def _structure_text(structure) -> str:
    # Keras prints a structure of shapes as Python does, with the quotes taken out.
    if _is_shape(structure):
        return _format_shape(structure)
    if isinstance(structure, dict):
        return "{" + ", ".join(f"{key}: {_structure_text(value)}" for key, value in structure.items()) + "}"
    inner = ", ".join(_structure_text(value) for value in structure)
    return f"[{inner}]" if isinstance(structure, list) else f"({inner}{',' if len(structure) == 1 else ''})"


def output_shape_text(layer) -> str:
    """The "Output Shape" field: the outputs of the layer's last call, else what its build
    shapes give, else `?`."""
    nodes = layer._inbound_nodes
    if nodes:
        shapes = tree.map_structure(lambda tensor: tuple(tensor.shape), nodes[-1].outputs)
    else:
        build_shapes = getattr(layer, "_build_shapes", None)
        if build_shapes is None:
            return "?"
        try:
            shapes = layer.compute_output_shape(build_shapes)
        except Exception:  # noqa: BLE001  (a layer that cannot say prints `?`, as in Keras)
            return "?"
    if _is_shape(shapes):
        return _format_shape(shapes)
    flat = [s for s in _flat_shapes(shapes)]
    return _format_shape(flat[0]) if len(flat) == 1 else _structure_text(shapes)


def _flat_shapes(structure):
    if _is_shape(structure):
        yield structure
    elif isinstance(structure, dict):
        for value in structure.values():
            yield from _flat_shapes(value)
    elif isinstance(structure, (list, tuple)):
        for value in structure:
            yield from _flat_shapes(value)


def _params_text(layer) -> str:
    if not hasattr(layer, "built"):
        return "0"
    if not layer.built:
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def _connections_text(layer, relevant_node_ids) -> str:
    connections = []
    for node in layer._inbound_nodes:
        if relevant_node_ids and id(node) not in relevant_node_ids:
            continue
        for inbound_layer, node_index, tensor_index, _ in node.iterate_inbound():
            connections.append(f"{inbound_layer.name}[{node_index}][{tensor_index}]")
    return ", ".join(connections) or "-"


def _trainable_text(layer) -> str:
    if not getattr(layer, "weights", None):
        return "-"
    return "Y" if layer.trainable else "N"


def layer_index_range(layers, layer_range) -> tuple[int, int]:
    """The slice of `layers` from the first whose name matches `layer_range[0]` (a regex) to
    the last whose name matches `layer_range[1]`, both included."""
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError(
            f"`layer_range` must be a list or tuple of two layer names. Received: layer_range={layer_range!r}"
        )
    if not all(isinstance(name, str) for name in layer_range):
        raise ValueError(f"`layer_range` must hold strings (names or regexes). Received: layer_range={layer_range!r}")
    first = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    last = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not first or not last:
        raise ValueError(
            "`layer_range` does not match the names of the model's layers "
            f"({[layer.name for layer in layers]}). Received: layer_range={layer_range!r}"
        )
    if min(first) > max(last):
        return min(last), max(first) + 1
    return min(first), max(last) + 1


# ------------------------------------------------------------------ the footer
def _count(weights) -> int:
    return sum(math.prod(int(dim) for dim in weight.shape) for weight in weights)


def _bits(weight) -> int:
    name = str(weight.dtype).replace("torch.", "")
    if name in _BITS:
        return _BITS[name]
    digits = re.search(r"\d+$", name)
    return int(digits.group()) if digits else 32


def _memory(weights) -> float:
    unique = {id(weight): weight for weight in weights}.values()
    return sum(math.prod(int(dim) for dim in weight.shape) * _bits(weight) for weight in unique) / 8


def readable_size(size: float) -> str:
    """`215.04 KB`: a byte count in the largest unit (of 1024) that keeps it at least 1."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _footer(model) -> list[str]:
    trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    optimizer = getattr(model, "optimizer", None)
    optimizer_built = bool(getattr(model, "compiled", False) and optimizer and getattr(optimizer, "built", False))
    optimizer_weights = list(optimizer.variables) if optimizer_built else []
    counts = [_count(trainable), _count(non_trainable), _count(optimizer_weights)]
    sizes = [_memory(trainable), _memory(non_trainable), _memory(optimizer_weights)]
    lines = [
        f" Total params: {sum(counts):,} ({readable_size(sum(sizes))})",
        f" Trainable params: {counts[0]:,} ({readable_size(sizes[0])})",
        f" Non-trainable params: {counts[1]:,} ({readable_size(sizes[1])})",
    ]
    if optimizer_built:
        lines.append(f" Optimizer params: {counts[2]:,} ({readable_size(sizes[2])})")
    return lines


# ------------------------------------------------------------------ the summary
def summary_text(
    model,
    sequential_like: bool,
    relevant_node_ids=None,
    line_length=None,
    positions=None,
    expand_nested=False,
    show_trainable=False,
    layer_range=None,
) -> str:
    """The whole summary, each line ending in a newline."""
    if sequential_like:
        default_length, headers, justify = 88, ["Layer (type)", "Output Shape", "Param #"], ["left", "left", "right"]
        positions = positions or [0.45, 0.80, 1.0]
    else:
        default_length = 108
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        justify = ["left", "left", "right", "left"]
        positions = positions or [0.3, 0.56, 0.74, 1.0]
    if show_trainable:
        default_length += 12
        positions = [position * 0.90 for position in positions] + [1.0]
        headers.append("Trainable")
        justify.append("center")
    # Like Keras, never wider than the terminal (80 columns when the output is not one).
    line_length = line_length or min(default_length, shutil.get_terminal_size().columns - 4)
    column_widths, edge = [], 0
    for position in positions:
        width = int(position * line_length) - edge
        if width < 4:
            raise ValueError(
                "The summary's columns do not fit: each needs at least 4 characters. Widen "
                f"`line_length` or spread `positions`. Received: line_length={line_length}, positions={positions}"
            )
        column_widths.append(width)
        edge += width

    def rows_for(layer, level=0):
        label = class_label(layer) if isinstance(layer, TorchModuleEntry) else keras_class_name(layer)
        name = f"{'   ' * level + '└ ' if level else ''}{layer.name} ({label})"
        fields = [name, output_shape_text(layer), _params_text(layer)]
        if not sequential_like:
            fields.append(_connections_text(layer, relevant_node_ids))
        if show_trainable:
            fields.append(_trainable_text(layer))
        rows = [fields]
        if expand_nested and getattr(layer, "layers", None):
            for inner in layer.layers:
                rows.extend(rows_for(inner, level + 1))
        return rows

    # A functional model's rows are its operations (layers and recorded ops alike); a
    # subclassed model's, its layers and the raw torch modules beside them.
    functional = getattr(model, "_obj_type", lambda: "")() == "Functional"
    layers = model.operations if functional else summary_entries(model)
    start, stop = layer_index_range(layers, layer_range)
    rows = [row for layer in layers[start:stop] for row in rows_for(layer)]
    # A table wider than the console is cropped at its edge, as Keras's console crops it.
    table = [line[: console_width()] for line in render_table(headers, rows, justify, line_length, column_widths)]
    lines = [f'Model: "{model.name}"', *table]
    lines.extend(_footer(model))
    return "".join(line + "\n" for line in lines)


def print_summary(model, sequential_like: bool, relevant_node_ids=None, print_fn=None, **options) -> None:
    """Print the summary: with `print_fn`, one call with the whole text (as Keras 3 hands it
    over); else to stdout, or to the log when interactive logging is off."""
    text = summary_text(model, sequential_like, relevant_node_ids, **options)
    if print_fn is not None:
        print_fn(text)
    else:
        print_msg(text, line_break=False)  # to the log instead when interactive logging is off
