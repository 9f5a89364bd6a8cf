"""`model.summary()` under the "keras3" dialect against real Keras 3: the same model-building
code runs in both, and the text must be the same line for line, as handed to `print_fn`
and as printed to a stdout that is not a terminal (80 columns: Keras fits its table to it)."""

import contextlib
import io
import re

import numpy as np
import pytest

import keraslite
from keraslite.models import summary_keras3

# Each case: code that builds `model` (with `keras` and `np` in scope), then the summary calls.
MODELS = {
    "sequential": """
model = keras.Sequential([
    keras.Input((16,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.BatchNormalization(),
    keras.layers.Dropout(0.5),
    keras.layers.Dense(10, activation="softmax"),
])
""",
    "functional_branches": """
title = keras.Input(shape=(8,), name="title")
body = keras.Input(shape=(8,))
merged = keras.layers.Concatenate()([title, body])
hidden = keras.layers.Dense(4, name="a_rather_long_layer_name_for_wrapping")(merged)
side = keras.layers.Dense(4)(keras.layers.Dense(2)(hidden))
total = keras.layers.Add()([hidden, side])
model = keras.Model([title, body], [total, keras.layers.Dense(1, name="score")(side)])
""",
    "nested": """
inner = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5), keras.layers.Dense(4)], name="inner")
inner.layers[0].trainable = False
x = keras.Input((6,))
y = keras.layers.Dense(3)(inner(x))
model = keras.Model(x, y, name="outer")
""",
    "unbuilt": """
model = keras.Sequential([keras.layers.Dense(3), keras.layers.Dense(1)])
""",
    "conv": """
x = keras.Input((28, 28, 1))
h = keras.layers.Conv2D(8, 3, activation="relu")(x)
h = keras.layers.MaxPooling2D()(h)
h = keras.layers.GlobalAveragePooling2D()(h)
model = keras.Model(x, keras.layers.Dense(10)(h))
""",
}

SUMMARIES = """
import contextlib, io, os
os.environ["COLUMNS"] = "80"
texts = []
for options in OPTIONS:
    captured = []
    model.summary(print_fn=captured.append, **options)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model.summary(**options)
    texts.append([captured, printed.getvalue()])
result["texts"] = texts
"""

OPTIONS = {
    "sequential": [{}, {"line_length": 60}, {"line_length": 120, "positions": [0.5, 0.7, 1.0]}],
    "functional_branches": [{}, {"line_length": 70}, {"show_trainable": True}, {"layer_range": ["dense", "add"]}],
    "nested": [{}, {"expand_nested": True}, {"expand_nested": True, "show_trainable": True}],
    "unbuilt": [{}],
    "conv": [{"line_length": 100}],
}


def _ours(code, **namespace):
    scope = {"keras": keraslite, "np": np, "result": {}, **namespace}
    exec(compile(code, "<keraslite side>", "exec"), scope)
    return scope["result"]


@pytest.mark.parametrize("case", sorted(MODELS))
def test_summary_text_matches_keras(keras_oracle, monkeypatch, case):
    monkeypatch.setenv("COLUMNS", "80")
    code = MODELS[case] + f"OPTIONS = {OPTIONS[case]!r}\n" + SUMMARIES
    expected = keras_oracle.run(code)["texts"]
    got = _ours(code)["texts"]
    for options, (ours, theirs) in zip(OPTIONS[case], zip(got, expected)):
        # One call to print_fn with the whole text, as Keras 3 makes it.
        assert len(ours[0]) == len(theirs[0]) == 1, options
        assert ours[0][0].splitlines() == theirs[0][0].splitlines(), options
        assert ours[1].splitlines() == theirs[1].splitlines(), options


def test_after_fit_the_optimizer_line_follows(keras_oracle, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code = (
        MODELS["sequential"]
        + """
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
before = []
model.summary(print_fn=before.append)
model.fit(np.ones((4, 16), "float32"), np.zeros((4,)), epochs=1, verbose=0)
after = []
model.summary(print_fn=after.append)
result["before"], result["after"] = before[0], after[0]
"""
    )
    expected, got = keras_oracle.run(code), _ours(code)
    # Compiled but not trained: the optimizer has no variables yet, so no line for it.
    assert got["before"].splitlines() == expected["before"].splitlines()

    def masked(text):
        # keraslite counts the optimizer's step counter as int64 (Keras 3 on torch: int32),
        # so the byte sizes of the lines that include it may differ by 4 bytes; counts may not.
        return [
            re.sub(r" \([\d.]+ [KMG]?B\)$", "", line) if "Total" in line or "Optimizer" in line else line
            for line in text.splitlines()
        ]

    assert masked(got["after"]) == masked(expected["after"])
    assert got["after"].splitlines()[-1].startswith(" Optimizer params: ")


def test_auto_names_match_keras(keras_oracle):
    code = """
first = keras.Input((3,))
model = keras.Model(first, keras.layers.Dense(2)(first))
stack = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
lazy = keras.Sequential([keras.layers.Dense(2)])
lazy.build((None, 3))
second = keras.Input((3,))
other = keras.Model(second, keras.layers.Dense(2)(keras.layers.Concatenate()([second, second])))
shell = keras.Model(second, model(second))
result["names"] = [
    [layer.name for layer in model.layers], model.name, stack.name, [layer.name for layer in stack.layers],
    lazy.name, other.name, [layer.name for layer in other.layers], shell.name,
]
"""
    assert _ours(code)["names"] == keras_oracle.run(code)["names"]


def test_tf2_dialect_keeps_tf_keras_names_and_table(tf2_dialect):
    x = keraslite.Input((3,))
    model = keraslite.Model(x, keraslite.layers.Dense(2)(x))
    assert (model.layers[0].name, model.name) == ("input_1", "model")
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "model"' and lines[1] == "_" * 65


def test_cells_wrap_at_spaces_and_cut_long_words():
    assert summary_keras3.wrap_cell("input_layer_1 (InputLayer)", 19) == ["input_layer_1      ", "(InputLayer)       "]
    assert summary_keras3.wrap_cell("a[0][0], input_layer_1[0][0]", 17) == ["a[0][0],         ", "input_layer_1[0]…"]
    assert summary_keras3.wrap_cell("50,240", 8, "right") == ["  50,240"]
    assert summary_keras3.wrap_cell("Y", 5, "center") == ["  Y  "]


def test_too_narrow_and_bad_layer_range_are_refused():
    model = keraslite.Sequential([keraslite.Input((2,)), keraslite.layers.Dense(1)])
    with pytest.raises(ValueError, match="at least 4 characters"):
        model.summary(line_length=8)
    with pytest.raises(ValueError, match="layer_range"):
        model.summary(layer_range=["nope", "dense"])


def test_memory_sizes_read_as_keras_prints_them():
    assert summary_keras3.readable_size(0) == "0.00 B"
    assert summary_keras3.readable_size(55050 * 4) == "215.04 KB"
    assert summary_keras3.readable_size(3 * 1024**3) == "3.00 GB"


def test_print_goes_to_stdout_in_one_piece():
    model = keraslite.Sequential([keraslite.Input((2,)), keraslite.layers.Dense(1)])
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model.summary(line_length=50)
    lines = printed.getvalue().splitlines()
    assert lines[0] == 'Model: "sequential"' and len(lines[1]) == 50 and lines[-1].startswith(" Non-trainable")
