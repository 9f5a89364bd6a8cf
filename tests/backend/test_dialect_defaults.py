"""`tf2_defaults` (backend/dialect_defaults.py): Keras 3's defaults in signatures, tf.keras 2's
for "tf2"-dialect code that leaves the argument out; and the functions that use it."""

import inspect
import io

import pytest

import keraslite as keras
from keraslite.backend.dialect_defaults import tf2_defaults


@tf2_defaults(width=30)
def _bar(target, width=20, *, unit="step"):
    return width


def test_signature_shows_keras3_defaults_and_tf2_code_gets_tf_keras_2s(tf2_dialect):
    assert inspect.signature(_bar).parameters["width"].default == 20
    assert _bar(1) == 30 and _bar(1, 5) == 5 and _bar(1, width=7) == 7


def test_keras3_dialect_keeps_the_signature_defaults():
    assert _bar(1) == 20 and _bar(1, width=7) == 7


def test_unknown_parameter_is_refused():
    with pytest.raises(TypeError, match="no parameters"):
        tf2_defaults(bogus=1)(lambda x: x)


def test_public_signatures_match_keras(keras_oracle):
    names = ("keras.utils.plot_model", "keras.utils.model_to_dot", "keras.utils.Progbar")
    expected = keras_oracle.run(
        "import inspect\n"
        f"for name in {names!r}:\n"
        "    obj = eval(name)\n"
        "    result[name] = {k: repr(p.default) for k, p in inspect.signature(obj).parameters.items()}\n"
    )
    for name in names:
        obj = eval(name)
        ours = {k: repr(p.default) for k, p in inspect.signature(obj).parameters.items()}
        for key, value in expected[name].items():
            assert ours.get(key) == value, (name, key)


def test_progbar_width_by_dialect(tf2_dialect):
    assert keras.utils.Progbar(10, stream=io.StringIO()).width == 30
    keras.config.set_dialect("keras3")
    assert keras.utils.Progbar(10, stream=io.StringIO()).width == 20
    assert keras.utils.Progbar(10, width=12, stream=io.StringIO()).width == 12
