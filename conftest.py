"""Fixtures shared by tests/ and compat_tests/."""

import pytest


@pytest.fixture(scope="session")
def keras_oracle():
    """Real Keras 3.15.1 (torch backend) in a subprocess. Keras is a test dependency:
    a missing install is an error, not a skip."""
    from keraslite.testing.keras_oracle import KerasOracle

    oracle = KerasOracle()
    yield oracle
    oracle.close()


@pytest.fixture(autouse=True)
def _fresh_session():
    """Every test starts with fresh auto-names (`dense`, `input_layer`, ...) in the default
    dialect, Keras 3's (a test about tf.keras 2's behaviour asks for `tf2_dialect`)."""
    import keraslite
    from keraslite.backend import state

    keraslite.backend.clear_session(free_memory=False)
    keraslite.config.set_dialect(None)
    state.set_import_dialect("keras3")
    yield
    keraslite.config.set_dialect(None)
    state.set_import_dialect("keras3")


@pytest.fixture
def tf2_dialect():
    """The test runs as TensorFlow-2-era code: tf.keras 2's tables, progress bar and auto names."""
    import keraslite

    keraslite.config.set_dialect("tf2")
    yield
