"""keras.utils.plot_model / model_to_dot: real image files of the model graph."""

import os
import xml.etree.ElementTree as ElementTree

import pytest
from PIL import Image

import keraslite as keras
from keraslite import layers
from keraslite.visualization import model_visualization
from keraslite.visualization.model_visualization import read_graph, to_dot_source


@pytest.fixture(autouse=True)
def builtin_renderer(monkeypatch):
    # Test our own renderer even where Graphviz is installed.
    monkeypatch.setenv("KERASLITE_PLOT_RENDERER", "builtin")


def _mlp(depth):
    inputs = keras.Input(shape=(784,), name="img")
    x = inputs
    for _ in range(depth):
        x = layers.Dense(64, activation="relu")(x)
    return keras.Model(inputs, layers.Dense(10)(x), name="mnist_model")


def _multi_io():
    title = keras.Input(shape=(None,), name="title")
    tags = keras.Input(shape=(12,), name="tags")
    x = layers.LSTM(8)(layers.Embedding(100, 4)(title))
    x = layers.concatenate([x, tags])
    return keras.Model([title, tags], [layers.Dense(1, name="priority")(x), layers.Dense(4, name="department")(x)])


def test_png_decodes_and_grows_with_the_graph(tmp_path):
    small, large = tmp_path / "small.png", tmp_path / "large.png"
    assert keras.utils.plot_model(_mlp(1), str(small)) is None
    keras.utils.plot_model(_mlp(6), str(large))
    with Image.open(small) as a, Image.open(large) as b:
        a.load(), b.load()
        assert a.format == b.format == "PNG"
        assert b.size[1] > a.size[1] * 2 and a.size[0] > 50
        assert a.getextrema() != ((255, 255), (255, 255), (255, 255))  # something was drawn
    shapes = tmp_path / "shapes.png"
    keras.utils.plot_model(_mlp(1), str(shapes), show_shapes=True, dpi=192)
    with Image.open(shapes) as c:
        assert c.size[0] > a.size[0] * 2  # wider (shape table) and twice the dpi
    assert oct(os.stat(shapes).st_mode & 0o777) != "0o600"
    assert [p for p in os.listdir(tmp_path) if p.endswith(".part")] == []


def test_svg_pdf_and_other_formats(tmp_path):
    model = _multi_io()
    keras.utils.plot_model(model, str(tmp_path / "m.svg"), show_shapes=True, show_dtype=True, show_layer_names=True)
    root = ElementTree.parse(tmp_path / "m.svg").getroot()
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "title: InputLayer" in texts and "concatenate: Concatenate" in texts and "float32" in texts
    assert len(list(root.iter("{http://www.w3.org/2000/svg}polyline"))) == 6
    keras.utils.plot_model(model, str(tmp_path / "m.pdf"), rankdir="LR")
    assert (tmp_path / "m.pdf").read_bytes()[:5] == b"%PDF-"
    keras.utils.plot_model(model, str(tmp_path / "m.jpg"), show_layer_activations=True)
    with Image.open(tmp_path / "m.jpg") as image:
        assert image.format == "JPEG"


def test_graph_boxes_labels_and_edges():
    graph = read_graph(_multi_io(), show_shapes=True)
    assert set(graph.nodes) == {"title", "tags", "embedding", "lstm", "concatenate", "priority", "department"}
    assert ("lstm", "concatenate") in graph.edges and ("tags", "concatenate") in graph.edges
    assert ("concatenate", "priority") in graph.edges and len(graph.edges) == 6
    assert graph.labels["title"].rows == [("input:", "[(None, None)]"), ("output:", "[(None, None)]")]
    assert graph.labels["concatenate"].rows[0] == ("input:", "[(None, 8), (None, 12)]")
    assert graph.labels["priority"].rows[1] == ("output:", "(None, 1)")
    names_only = read_graph(_multi_io(), show_layer_names=False, show_layer_activations=True)
    assert names_only.labels["priority"].title == ["Dense", "activation: linear"]


def test_expand_nested_and_layer_range(tmp_path):
    inner_in = keras.Input(shape=(4,), name="inner_in")
    inner = keras.Model(inner_in, layers.Dense(3, name="inner_dense")(inner_in), name="encoder")
    outer_in = keras.Input(shape=(4,), name="outer_in")
    outer = keras.Model(outer_in, layers.Dense(2, name="head")(inner(outer_in)), name="outer")
    flat = read_graph(outer)
    assert flat.nodes == ["outer_in", "encoder", "head"] and flat.labels["encoder"].title == ["encoder: Model"]
    nested = read_graph(outer, expand_nested=True)
    assert nested.nodes == ["outer_in", "encoder/inner_in", "encoder/inner_dense", "head"]
    assert nested.edges == [
        ("encoder/inner_in", "encoder/inner_dense"),
        ("outer_in", "encoder/inner_in"),
        ("encoder/inner_dense", "head"),
    ]
    assert nested.clusters == [("encoder", ["encoder/inner_in", "encoder/inner_dense"])]
    keras.utils.plot_model(outer, str(tmp_path / "nested.png"), expand_nested=True, show_shapes=True)
    with Image.open(tmp_path / "nested.png") as image:
        assert image.format == "PNG"
    part = read_graph(_mlp(3), layer_range=["dense", "dense_1"])
    assert part.nodes == ["dense", "dense_1"] and part.edges == [("dense", "dense_1")]


def test_dot_source_and_model_to_dot():
    source = to_dot_source(read_graph(_mlp(1), show_shapes=True), rankdir="LR")
    assert 'rankdir="LR"' in source and "shape=record" in source
    assert 'label="img: InputLayer|{input:|output:}|{{[(None, 784)]}|{[(None, 784)]}}"' in source
    assert source.count("->") == 2
    try:
        import pydot  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pydot"):
            keras.utils.model_to_dot(_mlp(1))
    else:
        assert len(keras.utils.model_to_dot(_mlp(1)).get_nodes()) >= 3


def test_errors(tmp_path):
    with pytest.raises(ValueError, match="rankdir"):
        keras.utils.plot_model(_mlp(1), str(tmp_path / "a.png"), rankdir="BT")
    with pytest.raises(ValueError, match="to_file"):
        keras.utils.plot_model(_mlp(1), str(tmp_path / "a.docx"))
    with pytest.raises(ValueError, match="layer_range"):
        keras.utils.plot_model(_mlp(1), str(tmp_path / "a.png"), layer_range=["nope", "dense"])


def test_graphviz_dot_is_used_when_installed(tmp_path, monkeypatch):
    # A stand-in `dot` that records its arguments and writes the DOT text it was given.
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text(
        '#!/bin/sh\necho "$@" > "$(dirname "$0")/args"\nwhile [ "$1" != "-o" ]; do shift; done\ncat > "$2"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("KERASLITE_PLOT_RENDERER")
    keras.utils.plot_model(_mlp(1), str(tmp_path / "g.svg"), show_shapes=True)
    assert (tmp_path / "g.svg").read_text().startswith('digraph "mnist_model"')
    assert (fake.parent / "args").read_text().startswith("-Tsvg -o ")
    # A failing `dot` falls back to the built-in renderer.
    fake.write_text("#!/bin/sh\nexit 3\n")
    keras.utils.plot_model(_mlp(1), str(tmp_path / "g.png"))
    with Image.open(tmp_path / "g.png") as image:
        assert image.format == "PNG"


def test_sequential_shows_its_input_layer(tmp_path):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.Dense(2)])
    graph = read_graph(model, show_shapes=True)
    assert len(graph.nodes) == 3 and graph.labels[graph.nodes[0]].title[0].endswith(": InputLayer")
    assert graph.edges == [(graph.nodes[0], "dense"), ("dense", "dense_1")]
    keras.utils.plot_model(model, str(tmp_path / "seq.png"))
    with Image.open(tmp_path / "seq.png") as image:
        assert image.format == "PNG"


def _svg_texts(path):
    return [t.text for t in ElementTree.parse(path).getroot().iter("{http://www.w3.org/2000/svg}text")]


def test_defaults_follow_the_dialect(tmp_path, monkeypatch):
    # Keras 3: no layer names, 200 dpi; tf.keras 2 (the seed guide's): names, 96 dpi.
    monkeypatch.setenv("KERASLITE_PLOT_RENDERER", "builtin")
    model = _multi_io()
    keras.utils.plot_model(model, str(tmp_path / "k3.svg"))
    keras.utils.plot_model(model, str(tmp_path / "k3.png"))
    keras.config.set_dialect("tf2")
    keras.utils.plot_model(model, str(tmp_path / "tf2.svg"))
    keras.utils.plot_model(model, str(tmp_path / "tf2.png"))
    keras3_texts = _svg_texts(tmp_path / "k3.svg")
    assert "InputLayer" in keras3_texts and "title: InputLayer" not in keras3_texts
    assert "title: InputLayer" in _svg_texts(tmp_path / "tf2.svg")
    with Image.open(tmp_path / "k3.png") as keras3, Image.open(tmp_path / "tf2.png") as tf2:
        assert keras3.info["dpi"][0] == pytest.approx(200, abs=1) and tf2.info["dpi"][0] == pytest.approx(96, abs=1)


def test_splines_reach_the_dot_source_and_tf2_code_leaves_them_out(tmp_path, monkeypatch):
    graph = read_graph(_mlp(1))
    assert 'splines="ortho"' in to_dot_source(graph, splines="ortho")
    assert "splines" not in to_dot_source(graph)
    sources = []
    monkeypatch.setattr(model_visualization, "_render_with_graphviz", lambda source, *a: sources.append(source))
    keras.utils.plot_model(_mlp(1), str(tmp_path / "a.png"))
    keras.utils.plot_model(_mlp(1), str(tmp_path / "b.png"), splines="curved")
    keras.config.set_dialect("tf2")
    keras.utils.plot_model(_mlp(1), str(tmp_path / "c.png"))
    assert 'splines="ortho"' in sources[0] and "dpi=200" in sources[0]
    assert 'splines="curved"' in sources[1]
    assert "splines" not in sources[2] and "dpi=96" in sources[2]
