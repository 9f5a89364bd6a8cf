import pytest

import keraslite as keras
from keraslite import layers
from keraslite.models.summary import _format_row

# tf.keras 2's table, the seed guide's (Keras 3's is tests/models/test_summary_keras3.py).
pytestmark = pytest.mark.usefixtures("tf2_dialect")


def test_fields_are_cut_at_the_column_edge():
    assert _format_row(["global_max_pooling2d (GlobalMaxPooling2D)", "(None, 16)", 0], [29, 55, 65]) == (
        "global_max_pooling2d (Global (None, 16)                0         "
    )


def test_line_length_positions_and_print_fn():
    x = keras.Input(shape=(3,))
    model = keras.Model(x, layers.Dense(2)(x), name="tiny")
    lines = []
    model.summary(line_length=40, positions=[0.5, 0.8, 1.0], print_fn=lines.append)
    assert lines[1] == "_" * 40 and all(len(line) <= 40 for line in lines)
    assert lines[2] == "Layer (type)        Output Shap Param # "


def test_graph_layout_lists_every_connection():
    a = keras.Input(shape=(2,), name="a")
    b = keras.Input(shape=(2,), name="b")
    model = keras.Model([a, b], layers.add([a, b], name="plus"))
    lines = []
    model.summary(print_fn=lines.append)
    assert len(lines[1]) == 98
    row = next(i for i, line in enumerate(lines) if line.startswith("plus (Add)"))
    assert lines[row].rstrip().endswith("a[0][0]") and lines[row + 1].strip() == "b[0][0]"


def test_shared_layer_makes_graph_layout_and_multiple_shapes():
    a = keras.Input(shape=(4,))
    b = keras.Input(shape=(6,))
    shared = layers.Flatten(name="flat")
    model = keras.Model([a, b], [shared(a), shared(b)])
    lines = []
    model.summary(print_fn=lines.append)
    row = next(line for line in lines if line.startswith("flat (Flatten)"))
    assert "multiple" in row


def test_non_trainable_counts():
    x = keras.Input(shape=(3,))
    frozen = layers.Dense(2)
    model = keras.Model(x, layers.Dense(1)(frozen(x)))
    frozen.trainable = False
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[-4:-1] == ["Total params: 11", "Trainable params: 3", "Non-trainable params: 8"]
