"""keras.random: shapes, dtypes, ranges, and Keras's seeding rules."""

import numpy as np
import pytest
import torch

from keraslite import random


def test_shapes_and_dtypes():
    assert tuple(random.normal((2, 3)).shape) == (2, 3)
    assert random.normal((2,)).dtype == torch.float32
    assert random.uniform((4,), dtype="float64").dtype == torch.float64
    assert random.randint((5,), 0, 3).dtype == torch.int32
    assert random.categorical(np.zeros((2, 4), "float32"), 7).shape == (2, 7)


def test_int_seed_repeats_and_seed_generator_advances():
    np.testing.assert_array_equal(random.normal((5,), seed=3).numpy(), random.normal((5,), seed=3).numpy())
    generator = random.SeedGenerator(7)
    first, second = random.uniform((5,), seed=generator), random.uniform((5,), seed=generator)
    assert not np.allclose(first.numpy(), second.numpy())
    again = random.SeedGenerator(7)
    np.testing.assert_array_equal(random.uniform((5,), seed=again).numpy(), first.numpy())
    assert random.SeedGenerator(5).get_config() == {"seed": 5}
    with pytest.raises(ValueError, match="Received: seed="):
        random.normal((2,), seed="abc")


def test_distribution_ranges_and_moments():
    sample = random.normal((20000,), mean=2.0, stddev=0.5, seed=1).numpy()
    assert abs(sample.mean() - 2.0) < 0.02 and abs(sample.std() - 0.5) < 0.02
    uniform = random.uniform((10000,), minval=-1.0, maxval=3.0, seed=2).numpy()
    assert uniform.min() >= -1.0 and uniform.max() < 3.0 and abs(uniform.mean() - 1.0) < 0.05
    truncated = random.truncated_normal((10000,), stddev=2.0, seed=3).numpy()
    assert np.abs(truncated).max() <= 4.0 + 1e-6
    integers = random.randint((1000,), 2, 5, seed=4).numpy()
    assert set(np.unique(integers)) == {2, 3, 4}
    assert (random.gamma((2000,), alpha=2.0, seed=5).numpy() > 0).all()
    beta = random.beta((100,), 2.0, 3.0).numpy()
    assert ((beta > 0) & (beta < 1)).all()
    assert tuple(random.binomial((3,), 10, 0.5).shape) == (3,)


def test_dropout_and_shuffle():
    dropped = random.dropout(torch.ones(10000), 0.25, seed=0).numpy()
    kept = dropped[dropped > 0]
    np.testing.assert_allclose(kept, 1 / 0.75, rtol=1e-6)
    assert abs(len(kept) / 10000 - 0.75) < 0.03
    shuffled = random.shuffle(np.arange(10), seed=1).numpy()
    assert sorted(shuffled.tolist()) == list(range(10))
    rows = random.shuffle(np.arange(12).reshape(3, 4), axis=1, seed=2).numpy()
    assert sorted(rows[0].tolist()) == [0, 1, 2, 3]
