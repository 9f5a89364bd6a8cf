import pytest

import keraslite as keras
from keraslite import layers
from keraslite.graph.topology import map_graph


def test_layers_ordered_by_depth_then_traversal():
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(4,), name="b")
    x = layers.Dense(4, name="da")(a)
    y = layers.Dense(4, name="db")(b)
    z = layers.add([x, y], name="sum")
    graph = map_graph([a, b], [z])
    assert [layer.name for layer in graph.layers] == ["a", "b", "da", "db", "sum"]
    assert [node.layer.name for node in graph.nodes][-1] == "sum"


def test_unused_input_still_belongs_to_model():
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(4,), name="unused")
    graph = map_graph([a, b], [layers.Dense(1)(a)])
    assert "unused" in [layer.name for layer in graph.layers]


def test_shared_layer_appears_once_with_two_nodes():
    a = keras.Input(shape=(4,))
    b = keras.Input(shape=(4,))
    shared = layers.Dense(3, name="shared")
    graph = map_graph([a, b], [shared(a), shared(b)])
    assert [layer.name for layer in graph.layers].count("shared") == 1
    assert sum(1 for node in graph.nodes if node.layer is shared) == 2


def test_disconnected_graph_names_the_missing_input():
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(4,), name="b")
    out = layers.add([layers.Dense(4)(a), b], name="joined")
    with pytest.raises(ValueError, match='Graph disconnected.*"joined".*Input "b"'):
        map_graph([a], [out])
