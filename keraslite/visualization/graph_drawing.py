"""Drawing a laid-out model graph: raster images (PNG, JPEG, PDF ...) with Pillow, SVG
with the standard library's ElementTree. Used by `plot_model` when Graphviz is absent.

A box is drawn as tf.keras's Graphviz record: the layer's title on the left, and with
`show_shapes` a two-row table of input/output shapes on the right.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ElementTree

PADDING = 6  # pixels between text and cell border, at 96 dpi
FONT_POINTS = 11  # text size (points)
BOX_FILL = (255, 255, 255)
TITLE_FILL = (232, 240, 252)
LINE_COLOR = (40, 40, 40)
CLUSTER_COLOR = (110, 110, 110)


@dataclasses.dataclass
class BoxLabel:
    """What one box shows: title lines, then optional (key, value) rows (input:/output:)."""

    title: list
    rows: list = dataclasses.field(default_factory=list)


class Metrics:
    """Text measurement in pixels for a given dpi (Pillow's bundled FreeType font)."""

    def __init__(self, dpi: float):
        from PIL import ImageFont  # on first use: Pillow costs 17 ms of import time

        self.scale = dpi / 96.0
        self.font_px = max(6, round(FONT_POINTS * dpi / 72.0))
        try:
            self.font = ImageFont.load_default(size=self.font_px)  # scalable font: Pillow >= 10.1
        except TypeError:
            self.font = ImageFont.load_default()
        self.pad = PADDING * self.scale
        self.line_height = self.font_px * 1.3

    def text_width(self, text: str) -> float:
        return float(self.font.getlength(text))

    def cell(self, lines: list) -> tuple:
        width = max((self.text_width(line) for line in lines), default=0.0)
        return width + 2 * self.pad, len(lines) * self.line_height + 2 * self.pad

    def box_geometry(self, label: BoxLabel) -> dict:
        """Column widths and row heights of a box: {"title": w, "key": w, "value": w, "height": h, "row": h}."""
        title_w, title_h = self.cell(label.title)
        geometry = {"title": title_w, "key": 0.0, "value": 0.0, "row": 0.0, "height": title_h}
        if label.rows:
            keys = [self.cell([key]) for key, _ in label.rows]
            values = [self.cell([value]) for _, value in label.rows]
            geometry["key"] = max(w for w, _ in keys)
            geometry["value"] = max(w for w, _ in values)
            geometry["row"] = max(h for _, h in keys + values)
            geometry["height"] = max(title_h, geometry["row"] * len(label.rows))
            geometry["row"] = geometry["height"] / len(label.rows)
        return geometry

    def box_size(self, label: BoxLabel) -> tuple:
        g = self.box_geometry(label)
        return g["title"] + g["key"] + g["value"], g["height"]


def _cells(metrics: Metrics, label: BoxLabel, placed):
    """(rectangle, lines, fill) for each cell of a box centred at `placed`."""
    g = metrics.box_geometry(label)
    left = placed.x - placed.width / 2
    top = placed.y - placed.height / 2
    bottom = top + placed.height
    cells = [((left, top, left + g["title"], bottom), label.title, TITLE_FILL)]
    x_key = left + g["title"]
    x_value = x_key + g["key"]
    for index, (key, value) in enumerate(label.rows):
        y0 = top + index * g["row"]
        cells.append(((x_key, y0, x_value, y0 + g["row"]), [key], BOX_FILL))
        cells.append(((x_value, y0, x_value + g["value"], y0 + g["row"]), [value], BOX_FILL))
    return cells


def _arrow_head(points: list, size: float) -> list:
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-6)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    base_x, base_y = x1 - ux * size, y1 - uy * size
    return [
        (x1, y1),
        (base_x - uy * size * 0.45, base_y + ux * size * 0.45),
        (base_x + uy * size * 0.45, base_y - ux * size * 0.45),
    ]


def _cluster_rectangles(layout, clusters, metrics):
    rectangles = []
    for title, members in clusters:
        boxes = [layout.boxes[m] for m in members if m in layout.boxes]
        if not boxes:
            continue
        pad = 10 * metrics.scale
        rectangles.append(
            (
                (
                    min(b.x - b.width / 2 for b in boxes) - pad,
                    min(b.y - b.height / 2 for b in boxes) - pad - metrics.line_height,
                    max(b.x + b.width / 2 for b in boxes) + pad,
                    max(b.y + b.height / 2 for b in boxes) + pad,
                ),
                title,
            )
        )
    return rectangles


def draw_raster(
    layout, labels: dict, clusters: list, metrics: Metrics, path: str, image_format: str, dpi: float
) -> None:
    """Draw with Pillow and save as `image_format` (png, jpeg, pdf, ...)."""
    from PIL import Image, ImageDraw  # on first use: Pillow costs 17 ms of import time

    rectangles = _cluster_rectangles(layout, clusters, metrics)
    # Clusters may reach past the laid-out area: grow the canvas to hold them.
    left = min([0.0] + [r[0][0] for r in rectangles])
    top = min([0.0] + [r[0][1] for r in rectangles])
    width = max([layout.width] + [r[0][2] for r in rectangles]) - left + 1
    height = max([layout.height] + [r[0][3] for r in rectangles]) - top + 1
    image = Image.new("RGB", (int(width + 0.5), int(height + 0.5)), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    shift = lambda x, y: (x - left, y - top)  # noqa: E731
    line_width = max(1, round(metrics.scale))
    for (x0, y0, x1, y1), title in rectangles:
        draw.rectangle((*shift(x0, y0), *shift(x1, y1)), outline=CLUSTER_COLOR, width=line_width)
        draw.text(shift(x0 + metrics.pad, y0 + metrics.pad / 2), title, fill=CLUSTER_COLOR, font=metrics.font)
    for _, _, points in layout.edges:
        moved = [shift(x, y) for x, y in points]
        draw.line(moved, fill=LINE_COLOR, width=line_width, joint="curve")
        draw.polygon(_arrow_head(moved, 9 * metrics.scale), fill=LINE_COLOR)
    for node, placed in layout.boxes.items():
        for (x0, y0, x1, y1), lines, fill in _cells(metrics, labels[node], placed):
            draw.rectangle((*shift(x0, y0), *shift(x1, y1)), fill=fill, outline=LINE_COLOR, width=line_width)
            text_top = (y0 + y1) / 2 - len(lines) * metrics.line_height / 2
            for index, line in enumerate(lines):
                x = (x0 + x1) / 2 - metrics.text_width(line) / 2
                y = text_top + index * metrics.line_height + (metrics.line_height - metrics.font_px) / 2
                draw.text(shift(x, y), line, fill=(0, 0, 0), font=metrics.font)
    options = {"dpi": (dpi, dpi)} if image_format in ("png", "jpeg", "tiff") else {}
    if image_format == "pdf":
        options = {"resolution": float(dpi)}
    image.save(path, format=image_format.upper(), **options)


def _hex(color) -> str:
    return "#%02x%02x%02x" % color


def write_svg(layout, labels: dict, clusters: list, metrics: Metrics, path: str) -> None:
    """Write the drawing as SVG (vector shapes and text)."""
    rectangles = _cluster_rectangles(layout, clusters, metrics)
    left = min([0.0] + [r[0][0] for r in rectangles])
    top = min([0.0] + [r[0][1] for r in rectangles])
    width = max([layout.width] + [r[0][2] for r in rectangles]) - left
    height = max([layout.height] + [r[0][3] for r in rectangles]) - top
    svg = ElementTree.Element(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        width=f"{width:.0f}",
        height=f"{height:.0f}",
        viewBox=f"{left:.1f} {top:.1f} {width:.1f} {height:.1f}",
    )
    ElementTree.SubElement(
        svg, "rect", x=f"{left:.1f}", y=f"{top:.1f}", width=f"{width:.1f}", height=f"{height:.1f}", fill="white"
    )
    font = {"font-family": "DejaVu Sans, Helvetica, Arial, sans-serif", "font-size": f"{metrics.font_px}px"}
    for (x0, y0, x1, y1), title in rectangles:
        ElementTree.SubElement(
            svg,
            "rect",
            x=f"{x0:.1f}",
            y=f"{y0:.1f}",
            width=f"{x1 - x0:.1f}",
            height=f"{y1 - y0:.1f}",
            fill="none",
            stroke=_hex(CLUSTER_COLOR),
            **{"stroke-dasharray": "4 3"},
        )
        text = ElementTree.SubElement(
            svg,
            "text",
            x=f"{x0 + metrics.pad:.1f}",
            y=f"{y0 + metrics.pad / 2 + metrics.font_px:.1f}",
            fill=_hex(CLUSTER_COLOR),
            **font,
        )
        text.text = title
    for _, _, points in layout.edges:
        ElementTree.SubElement(
            svg,
            "polyline",
            points=" ".join(f"{x:.1f},{y:.1f}" for x, y in points),
            fill="none",
            stroke=_hex(LINE_COLOR),
        )
        head = _arrow_head(points, 9 * metrics.scale)
        ElementTree.SubElement(
            svg, "polygon", points=" ".join(f"{x:.1f},{y:.1f}" for x, y in head), fill=_hex(LINE_COLOR)
        )
    for node, placed in layout.boxes.items():
        group = ElementTree.SubElement(svg, "g")
        for (x0, y0, x1, y1), lines, fill in _cells(metrics, labels[node], placed):
            ElementTree.SubElement(
                group,
                "rect",
                x=f"{x0:.1f}",
                y=f"{y0:.1f}",
                width=f"{x1 - x0:.1f}",
                height=f"{y1 - y0:.1f}",
                fill=_hex(fill),
                stroke=_hex(LINE_COLOR),
            )
            text_top = (y0 + y1) / 2 - len(lines) * metrics.line_height / 2
            for index, line in enumerate(lines):
                text = ElementTree.SubElement(
                    group,
                    "text",
                    x=f"{(x0 + x1) / 2:.1f}",
                    y=f"{text_top + (index + 0.8) * metrics.line_height:.1f}",
                    **{"text-anchor": "middle"},
                    **font,
                )
                text.text = line
    ElementTree.ElementTree(svg).write(path, encoding="utf-8", xml_declaration=True)
