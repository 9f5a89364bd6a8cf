"""The dialect (`keras.config.dialect()`): chosen from how code reached Keras under the import
aliases, overridden by `set_dialect()` or `KERASLITE_DIALECT`."""

import importlib
import os
import subprocess
import sys
import textwrap

import pytest

import keraslite
from keraslite.backend import state
from keraslite.compat import install_aliases, uninstall_aliases


@pytest.fixture
def aliases():
    install_aliases()
    try:
        yield
    finally:
        uninstall_aliases()


def test_plain_keraslite_is_keras3():
    assert keraslite.config.dialect() == "keras3"
    assert keraslite.Input((1,)).name == "input_layer"
    assert keraslite.Input((1,)).name == "input_layer_1"


def test_reaching_keras_through_tensorflow_is_tf2_and_import_keras_wins(aliases):
    importlib.import_module("tensorflow")
    assert keraslite.config.dialect() == "tf2"
    assert keraslite.Input((1,)).name == "input_1"
    importlib.import_module("keras")
    assert keraslite.config.dialect() == "keras3"
    importlib.import_module("tf_keras")  # after `import keras`, Keras 3 stays
    assert keraslite.config.dialect() == "keras3"


def test_tf_keras_alone_is_tf2(aliases):
    importlib.import_module("tf_keras")
    assert keraslite.config.dialect() == "tf2"


def test_probing_for_tensorflow_does_not_choose(aliases):
    assert importlib.util.find_spec("tensorflow") is not None
    assert keraslite.config.dialect() == "keras3"


def test_uninstalling_the_aliases_restores_the_dialect():
    install_aliases()
    try:
        importlib.import_module("tensorflow")
        assert keraslite.config.dialect() == "tf2"
    finally:
        uninstall_aliases()
    assert keraslite.config.dialect() == "keras3"


def test_set_dialect_overrides_the_imports(aliases):
    keraslite.config.set_dialect("tf2")
    importlib.import_module("keras")
    assert keraslite.config.dialect() == "tf2"
    keraslite.config.set_dialect(None)
    assert keraslite.config.dialect() == "keras3"


def test_unknown_dialects_are_refused(monkeypatch):
    with pytest.raises(ValueError, match="Expected one of \\('keras3', 'tf2'\\). Received: name='keras2'"):
        keraslite.config.set_dialect("keras2")
    monkeypatch.setenv("KERASLITE_DIALECT", "tf1")
    with pytest.raises(ValueError, match="KERASLITE_DIALECT='tf1'"):
        state._dialect_from_environment()


def test_the_environment_variable_chooses(monkeypatch):
    monkeypatch.setenv("KERASLITE_DIALECT", "tf2")
    assert state._dialect_from_environment() == "tf2"
    monkeypatch.delenv("KERASLITE_DIALECT")
    assert state._dialect_from_environment() is None


def test_runner_picks_the_dialect_from_the_script_imports(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            """
            import tensorflow as tf
            x = tf.keras.Input((2,))
            print(tf.keras.config.dialect(), x.name, tf.keras.Model(x, x).name)
            """
        )
    )
    environment = dict(os.environ, PYTHONPATH=os.getcwd(), KERASLITE_DEVICE="cpu")
    environment.pop("KERASLITE_DIALECT", None)
    command = [sys.executable, "-m", "keraslite", "run", str(script)]
    printed = subprocess.run(command, env=environment, capture_output=True, text=True, check=True).stdout
    assert printed.split() == ["tf2", "input_1", "model"]
