"""Test support: the real-Keras oracle and the shared layer-test harness."""
