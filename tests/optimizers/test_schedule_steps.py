"""Schedules evaluated at many steps at once (plotting a schedule: `schedule(np.linspace(...))`)."""

import numpy as np

import keraslite as keras


def test_schedules_take_arrays_of_steps():
    steps = np.linspace(0, 1000, 5)
    schedule = keras.optimizers.schedules.InverseTimeDecay(0.001, decay_steps=100, decay_rate=1)
    values = schedule(steps).numpy()
    np.testing.assert_allclose(values, 0.001 / (1 + steps / 100), rtol=1e-6)
    assert keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)(steps).shape == (5,)
