"""The `tf` fixture: the TensorFlow shim imported as `tensorflow` under keraslite's aliases
(as `keraslite run` does for a TF-2-era script), removed again afterwards."""

import importlib

import pytest

from keraslite.compat import install_aliases, uninstall_aliases
from keraslite.graph import display


@pytest.fixture(scope="module")
def tf():
    install_aliases()
    try:
        yield importlib.import_module("tensorflow")
    finally:
        display.set_display_types(tuple, str)
        uninstall_aliases()
