"""`tf.random.Generator`, the global generator and the stateless functions: determinism,
shapes, dtypes, statistics and independence (TensorFlow's own Philox numbers are not
reproduced; see `random_generator.py`)."""

import pickle

import numpy as np
import pytest
import torch

from keraslite.compat.tensorflow.eager import EagerTensor
from tests.compat.tf_fixture import tf  # noqa: F401  (fixture)


def test_same_seed_same_numbers_and_reset(tf):  # noqa: F811
    a, b = tf.random.Generator.from_seed(1), tf.random.Generator.from_seed(1)
    first = a.normal([2, 3])
    assert isinstance(first, EagerTensor) and first.shape == (2, 3) and first.dtype == torch.float32
    np.testing.assert_array_equal(first.numpy(), b.normal([2, 3]).numpy())
    second = a.normal([2, 3])
    assert not np.array_equal(first.numpy(), second.numpy())
    a.reset_from_seed(1)
    np.testing.assert_array_equal(a.normal([2, 3]).numpy(), first.numpy())
    other = tf.random.Generator.from_seed(2).normal([2, 3])
    assert not np.array_equal(first.numpy(), other.numpy())


def test_state_is_a_variable_with_tensorflows_initial_words(tf):  # noqa: F811
    g = tf.random.Generator.from_seed(1, alg="philox")
    assert isinstance(g.state, tf.Variable) and g.state.dtype == torch.int64
    assert g.state.numpy().tolist() == [1, 0, 0] and g.algorithm == 1  # as TensorFlow 2.21
    assert tf.random.create_rng_state(1, "philox").numpy().tolist() == [1, 0, 0]
    assert tf.random.Generator(state=[1, 2, 3], alg="philox").state.numpy().tolist() == [1, 2, 3]
    with pytest.raises(ValueError, match="Unsupported random algorithm"):
        tf.random.Generator.from_seed(1, alg="mersenne")


def test_distributions_shapes_dtypes_and_statistics(tf):  # noqa: F811
    g = tf.random.Generator.from_seed(7)
    normal = g.normal([20000], mean=3.0, stddev=2.0).numpy()
    assert abs(normal.mean() - 3.0) < 0.1 and abs(normal.std() - 2.0) < 0.1
    uniform = g.uniform([20000], minval=-1.0, maxval=3.0).numpy()
    assert uniform.min() >= -1.0 and uniform.max() < 3.0 and abs(uniform.mean() - 1.0) < 0.05
    ints = g.uniform([1000], minval=0, maxval=5, dtype=tf.int32)
    assert ints.dtype == torch.int32 and set(ints.numpy().tolist()) == {0, 1, 2, 3, 4}
    truncated = g.truncated_normal([20000]).numpy()
    assert np.abs(truncated).max() <= 2.0 and abs(truncated.std() - 0.88) < 0.03
    assert g.uniform_full_int([4]).dtype == torch.uint64
    assert g.uniform_full_int([4], dtype=tf.int32).dtype == torch.int32
    binomial = g.binomial([5000], counts=10.0, probs=0.5)
    assert binomial.dtype == torch.int32 and abs(binomial.numpy().mean() - 5.0) < 0.15
    seeds = g.make_seeds(3)
    assert seeds.shape == (2, 3) and seeds.dtype == torch.int64


def test_split_generators_are_independent_and_reproducible(tf):  # noqa: F811
    g = tf.random.Generator.from_seed(1)
    children = g.split(3)
    draws = [c.normal([1000]).numpy() for c in children] + [g.normal([1000]).numpy()]
    for i in range(len(draws)):
        for j in range(i + 1, len(draws)):
            assert abs(np.corrcoef(draws[i], draws[j])[0, 1]) < 0.1
    again = tf.random.Generator.from_seed(1).split(3)
    np.testing.assert_array_equal(again[1].normal([1000]).numpy(), draws[1])


def test_global_generator_and_use_in_function_and_module(tf):  # noqa: F811
    mine = tf.random.Generator.from_seed(5)
    tf.random.set_global_generator(mine)
    try:
        assert tf.random.get_global_generator() is mine
    finally:
        tf.random.set_global_generator(None)
    assert isinstance(tf.random.get_global_generator(), tf.random.Generator)

    class WithGenerator(tf.Module):
        def __init__(self):
            super().__init__()
            self.g = tf.random.Generator.from_seed(0)

        @tf.function
        def __call__(self):
            return self.g.normal([])

    module = WithGenerator()
    first, second = module(), module()
    assert first.shape == () and float(first) != float(second)
    restored = pickle.loads(pickle.dumps(tf.random.Generator.from_seed(0)))
    assert float(restored.normal([])) == float(first)


def test_generator_state_goes_through_a_checkpoint(tf, tmp_path):  # noqa: F811
    g = tf.random.Generator.from_seed(1)
    checkpoint = tf.train.Checkpoint(generator=g)
    checkpoint.write(str(tmp_path / "ckpt"))
    after_save = g.normal([3]).numpy()
    checkpoint.restore(str(tmp_path / "ckpt"))
    np.testing.assert_array_equal(g.normal([3]).numpy(), after_save)


def test_stateless_functions_are_determined_by_the_seed(tf):  # noqa: F811
    for function in (tf.random.stateless_normal, tf.random.stateless_uniform, tf.random.stateless_truncated_normal):
        a, b = function([2, 3], seed=[1, 2]), function([2, 3], seed=[1, 2])
        assert a.shape == (2, 3) and a.dtype == torch.float32
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert not np.array_equal(a.numpy(), function([2, 3], seed=[2, 1]).numpy())
    full = tf.random.stateless_uniform([2], seed=[1, 2], minval=None, maxval=None, dtype=tf.int64)
    assert full.dtype == torch.int64
    assert tf.random.stateless_categorical(tf.math.log([[0.5, 0.5]]), 4, seed=[1, 2]).shape == (1, 4)
    assert tf.random.stateless_binomial([3], seed=[1, 2], counts=5.0, probs=0.5).dtype == torch.int32


def test_stateless_split_and_fold_in(tf):  # noqa: F811
    seeds = tf.random.experimental.stateless_split([1, 2], 3)
    assert seeds.shape == (3, 2) and seeds.dtype == torch.int32  # as TensorFlow 2.21
    assert len({tuple(s) for s in seeds.numpy().tolist()}) == 3
    np.testing.assert_array_equal(seeds.numpy(), tf.random.experimental.stateless_split([1, 2], 3).numpy())
    folded = tf.random.experimental.stateless_fold_in([1, 2], 5)
    assert folded.shape == (2,) and folded.dtype == torch.int32
    assert folded.numpy().tolist() != tf.random.experimental.stateless_fold_in([1, 2], 6).numpy().tolist()
    with pytest.raises(ValueError, match="shape \\[2\\]"):
        tf.random.stateless_normal([2], seed=[1, 2, 3])
