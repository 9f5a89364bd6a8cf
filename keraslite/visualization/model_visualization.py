"""`keras.utils.plot_model` and `keras.utils.model_to_dot`: a picture of a model's graph.

The graph is read from the functional model's ordered nodes (`model._graph`, the same
structure its fx GraphModule was lowered from): one box per layer, one arrow per
(producer layer, consumer layer) pair. With Graphviz's `dot` on the PATH the DOT text
goes to `dot`; otherwise the graph is laid out here (`graph_layout`) and drawn with
Pillow, or as SVG (`graph_drawing`). Set `KERASLITE_PLOT_RENDERER=builtin` to skip
Graphviz. Boxes follow tf.keras's records: `name: Class`, then input:/output: shapes.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile

from keraslite.backend import state
from keraslite.backend.dialect_defaults import tf2_defaults
from keraslite.layers.input_layer import InputLayer
from keraslite.utils.file_utils import give_default_permissions
from keraslite.visualization import graph_drawing
from keraslite.visualization.graph_drawing import BoxLabel
from keraslite.visualization.graph_layout import layered_layout

_PILLOW_FORMATS = {
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "pdf": "pdf",
    "gif": "gif",
    "bmp": "bmp",
    "tif": "tiff",
    "tiff": "tiff",
    "webp": "webp",
}


@dataclasses.dataclass
class PlotGraph:
    nodes: list = dataclasses.field(default_factory=list)  # box ids, in model order
    labels: dict = dataclasses.field(default_factory=dict)  # box id -> BoxLabel
    edges: list = dataclasses.field(default_factory=list)  # (source id, target id), no duplicates
    clusters: list = dataclasses.field(default_factory=list)  # (title, [box ids]) for expanded nested models


# Models are recognised by what they say they are (`_obj_type()`), not imported: this module
# is re-exported by `keras.utils`, which modules below models import.
_GRAPH_MODELS = ("Functional", "Sequential")
_FUNCTIONAL_CLASS = "keraslite.models.functional.Functional"


def _is_graph_model(layer) -> bool:
    # A Sequential has no graph until its input shape is known.
    obj_type = getattr(layer, "_obj_type", None)
    return obj_type is not None and obj_type() in _GRAPH_MODELS and layer._graph is not None


def _class_name(layer) -> str:
    # tf.keras drew a functional model's class as Model.
    cls = type(layer)
    return "Model" if f"{cls.__module__}.{cls.__qualname__}" == _FUNCTIONAL_CLASS else cls.__name__


def _format_shapes(tensors, wrap_single: bool = False) -> str:
    shapes = [tuple(None if d is None else int(d) for d in t.shape) for t in tensors]
    if len(shapes) == 1 and not wrap_single:
        return str(shapes[0])
    return "[" + ", ".join(str(s) for s in shapes) + "]"


def _label(layer, nodes, options) -> BoxLabel:
    title = [f"{layer.name}: {_class_name(layer)}" if options["show_layer_names"] else _class_name(layer)]
    activation = getattr(layer, "activation", None)
    if options["show_layer_activations"] and callable(activation):
        title.append(f"activation: {getattr(activation, '__name__', type(activation).__name__)}")
    if options["show_trainable"]:
        title.append("trainable" if layer.trainable else "non-trainable")
    rows = []
    if options["show_shapes"] and nodes:
        is_input = isinstance(layer, InputLayer)
        inputs = {
            _format_shapes(n.output_tensors if is_input else n.input_tensors, wrap_single=is_input) for n in nodes
        }
        outputs = {_format_shapes(n.output_tensors, wrap_single=is_input) for n in nodes}
        rows = [
            ("input:", inputs.pop() if len(inputs) == 1 else "multiple"),
            ("output:", outputs.pop() if len(outputs) == 1 else "multiple"),
        ]
    if options["show_dtype"] and nodes:
        # `str.__str__`: the TF shim's dtype is a str subclass that prints as `tf.float32`.
        dtypes = {
            str.__str__(t.dtype) if isinstance(t.dtype, str) else str(t.dtype) for n in nodes for t in n.output_tensors
        }
        dtype_text = dtypes.pop() if len(dtypes) == 1 else "multiple"
        if rows:
            rows.append(("dtype:", dtype_text))
        else:
            title.append(f"dtype: {dtype_text}")
    return BoxLabel(title, rows)


class _GraphReader:
    """Turns a (possibly nested) functional model into boxes and arrows."""

    def __init__(self, options):
        self.options = options
        self.graph = PlotGraph()

    def expands(self, layer) -> bool:
        return self.options["expand_nested"] and _is_graph_model(layer)

    def entry_box(self, layer, prefix, input_index):
        """The box an arrow into `layer` (its `input_index`-th input) points at."""
        if self.expands(layer):
            inner = layer.inputs[min(input_index, len(layer.inputs) - 1)]._keras_history.layer
            return self.entry_box(inner, f"{prefix}{layer.name}/", 0)
        return prefix + layer.name

    def exit_box(self, layer, prefix, output_index):
        """The box an arrow out of `layer` (its `output_index`-th output) starts from."""
        if self.expands(layer):
            inner = layer.outputs[min(output_index, len(layer.outputs) - 1)]._keras_history
            return self.exit_box(inner.layer, f"{prefix}{layer.name}/", inner.tensor_index)
        return prefix + layer.name

    def read(self, model, prefix="", allowed=None) -> list:
        added = []
        if not _is_graph_model(model):
            box = prefix + model.name
            self.graph.nodes.append(box)
            self.graph.labels[box] = _label(model, [], self.options)
            return [box]
        node_ids = {id(node) for node in model._graph.nodes}
        # The graph's layers, input layers included (a Sequential's `layers` omits its input).
        graph_layers = list(dict.fromkeys(node.layer for node in model._graph.nodes))
        for layer in graph_layers:
            if allowed is not None and layer.name not in allowed:
                continue
            if self.expands(layer):
                members = self.read(layer, f"{prefix}{layer.name}/")
                self.graph.clusters.append((layer.name, members))
                added.extend(members)
                continue
            nodes = [n for n in layer._inbound_nodes if id(n) in node_ids]
            box = prefix + layer.name
            self.graph.nodes.append(box)
            self.graph.labels[box] = _label(layer, nodes, self.options)
            added.append(box)
        for node in model._graph.nodes:
            if allowed is not None and node.layer.name not in allowed:
                continue
            for input_index, tensor in enumerate(node.input_tensors):
                history = tensor._keras_history
                if allowed is not None and history.layer.name not in allowed:
                    continue
                if isinstance(node.layer, InputLayer):
                    continue
                edge = (
                    self.exit_box(history.layer, prefix, history.tensor_index),
                    self.entry_box(node.layer, prefix, input_index),
                )
                if edge not in self.graph.edges:
                    self.graph.edges.append(edge)
        return added


def read_graph(
    model,
    show_shapes=False,
    show_dtype=False,
    show_layer_names=True,
    expand_nested=False,
    show_layer_activations=False,
    show_trainable=False,
    layer_range=None,
) -> PlotGraph:
    """The boxes, labels and arrows `plot_model` draws for `model`."""
    if not getattr(model, "built", False):
        raise ValueError(
            "This model has not yet been built. Build the model first by calling `build()` or by calling the model "
            "on a batch of data."
        )
    options = dict(
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        expand_nested=expand_nested,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
    )
    allowed = None
    if layer_range is not None:
        names = [layer.name for layer in model.layers]
        if len(layer_range) != 2 or any(name not in names for name in layer_range):
            raise ValueError(
                f"`layer_range` must be a list of 2 layer names of the model. Received: layer_range={layer_range}"
            )
        first, last = names.index(layer_range[0]), names.index(layer_range[1])
        allowed = set(names[first : last + 1])
    reader = _GraphReader(options)
    reader.read(model, allowed=allowed)
    return reader.graph


def _record_text(text: str) -> str:
    for char in '\\{}|<>"':
        text = text.replace(char, "\\" + char)
    return text


def to_dot_source(
    graph: PlotGraph, rankdir: str = "TB", dpi: int = 96, name: str = "G", splines: str | None = None
) -> str:
    """DOT text for `graph`, with tf.keras's record boxes (edges drawn as `splines` says:
    Keras 3 asks for "ortho"; None leaves graphviz's default, as tf.keras 2 did)."""
    edge_style = f', splines="{splines}"' if splines is not None else ""
    lines = [
        f'digraph "{name}" {{',
        f'  graph [rankdir="{rankdir}", concentrate=true, dpi={dpi}{edge_style}];',
        '  node [shape=record, fontname="Helvetica"];',
    ]
    ids = {box: f"n{index}" for index, box in enumerate(graph.nodes)}
    for box in graph.nodes:
        label = graph.labels[box]
        text = "\\n".join(_record_text(line) for line in label.title)
        if label.rows:
            keys = "|".join(_record_text(key) for key, _ in label.rows)
            values = "|".join("{" + _record_text(value) + "}" for _, value in label.rows)
            text = f"{text}|{{{keys}}}|{{{values}}}"
        lines.append(f'  {ids[box]} [label="{text}"];')
    for index, (title, members) in enumerate(graph.clusters):
        lines.append(
            f'  subgraph cluster_{index} {{ label="{_record_text(title)}"; style=dashed; '
            f"{' '.join(ids[m] for m in members)} }}"
        )
    for source, target in graph.edges:
        lines.append(f"  {ids[source]} -> {ids[target]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


@tf2_defaults(dpi=96, splines=None)
def model_to_dot(
    model,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    subgraph: bool = False,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str | None = "ortho",
    *,
    layer_range=None,
    **kwargs,
):
    """Converts a model to a `pydot.Dot` graph (requires the `pydot` package).

    Args: as `plot_model` (`dpi` by default 200, or 96 when "tf2" dialect code leaves it out).
    Returns: a `pydot.Dot`.
    """
    dpi = _default_dpi(dpi)
    try:
        import pydot  # optional dependency
    except ImportError as error:
        raise ImportError(
            "You must install pydot (`pip install pydot`) for `model_to_dot` to work. "
            "(`keras.utils.plot_model` works without it.)"
        ) from error
    graph = read_graph(
        model,
        show_shapes,
        show_dtype,
        show_layer_names,
        expand_nested,
        show_layer_activations,
        show_trainable,
        layer_range,
    )
    return pydot.graph_from_dot_data(to_dot_source(graph, rankdir, dpi, model.name, splines))[0]


def _render_with_graphviz(source: str, image_format: str, path: str) -> bool:
    executable = shutil.which("dot")
    if executable is None or os.environ.get("KERASLITE_PLOT_RENDERER", "") == "builtin":
        return False
    result = subprocess.run(
        [executable, f"-T{image_format}", "-o", path], input=source.encode("utf8"), capture_output=True
    )
    return result.returncode == 0


def _default_dpi(dpi):
    # `dpi=None` (tf.keras 2 accepted it): the dialect's default, Keras 3's 200 or tf.keras 2's 96.
    if dpi is not None:
        return dpi
    return 96 if state.dialect() == "tf2" else 200


@tf2_defaults(show_layer_names=True, dpi=96, splines=None)
def plot_model(
    model,
    to_file: str = "model.png",
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = False,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str | None = "ortho",
    *,
    layer_range=None,
    **kwargs,
):
    """Draws the model's graph into an image file.

    Args:
        model: A built model (functional, Sequential; a subclassed model is one box).
        to_file: Output path; the extension picks the format (`.png` default, `.svg`,
            `.pdf`, `.jpg`, ...).
        show_shapes: Show each layer's input and output shapes.
        show_dtype: Show each layer's output dtype.
        show_layer_names: Show layer names (`name: Class`) rather than only the class. By
            default `False` as in Keras 3; `True` when "tf2" dialect code leaves it out (tf.keras 2's).
        rankdir: `"TB"` (top to bottom) or `"LR"` (left to right).
        expand_nested: Draw the layers of nested functional models, in a dashed frame.
        dpi: Resolution (dots per inch); by default 200 as in Keras 3, 96 when "tf2" code leaves it out.
        splines: How graphviz draws edges (`"ortho"`, `"curved"`, `"polyline"`, `"spline"`,
            `"line"`); None, graphviz's default (tf.keras 2's, when "tf2" code leaves it out).
            The built-in renderer (no graphviz) draws straight edges whatever it says.
        layer_range: `[first_layer_name, last_layer_name]`: draw only that span of `model.layers`
            (tf.keras 2's argument, keyword-only here since Keras 3 took it out of the order).
        show_layer_activations: Show the activation of layers that have one.
        show_trainable: Mark each layer trainable / non-trainable.

    Returns:
        An `IPython.display.Image` of the file when IPython is installed (not for PDF), else `None`.
    """
    if rankdir not in ("TB", "LR"):
        raise ValueError(f'`rankdir` must be "TB" or "LR". Received: rankdir={rankdir!r}')
    if show_layer_names is None:
        show_layer_names = state.dialect() == "tf2"
    dpi = _default_dpi(dpi)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    if extension != "svg" and extension not in _PILLOW_FORMATS:
        raise ValueError(
            f"`plot_model` writes {sorted(set(_PILLOW_FORMATS) | {'svg'})} files. Received: to_file={to_file!r}"
        )
    graph = read_graph(
        model,
        show_shapes,
        show_dtype,
        show_layer_names,
        expand_nested,
        show_layer_activations,
        show_trainable,
        layer_range,
    )
    folder = os.path.dirname(os.path.abspath(to_file))
    os.makedirs(folder, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=folder, prefix=os.path.basename(to_file) + ".", suffix=".part")
    os.close(handle)
    try:
        if not _render_with_graphviz(to_dot_source(graph, rankdir, dpi, model.name, splines), extension, partial):
            _render_builtin(graph, rankdir, dpi, extension, partial)
        # Written whole under a temporary name, then renamed: no half-written image.
        give_default_permissions(partial)
        os.replace(partial, to_file)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    if extension != "pdf":
        try:
            from IPython import display  # optional: only inside a notebook
        except ImportError:
            return None
        return display.Image(filename=to_file)
    return None


def _render_builtin(graph: PlotGraph, rankdir: str, dpi: int, extension: str, path: str) -> None:
    metrics = graph_drawing.Metrics(dpi)
    sizes = {box: metrics.box_size(graph.labels[box]) for box in graph.nodes}
    # Expanded nested models are framed, with a title: leave room for the frames between ranks.
    rank_gap = 36 * metrics.scale + (metrics.line_height + 24 * metrics.scale if graph.clusters else 0)
    layout = layered_layout(
        graph.nodes,
        graph.edges,
        sizes,
        rankdir=rankdir,
        rank_gap=rank_gap,
        node_gap=24 * metrics.scale,
        margin=16 * metrics.scale,
    )
    if extension == "svg":
        graph_drawing.write_svg(layout, graph.labels, graph.clusters, metrics, path)
    else:
        graph_drawing.draw_raster(layout, graph.labels, graph.clusters, metrics, path, _PILLOW_FORMATS[extension], dpi)
