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
    """Every test starts with fresh auto-names (`dense`, `input_1`, ...)."""
    import keraslite

    keraslite.backend.clear_session(free_memory=False)
    yield
