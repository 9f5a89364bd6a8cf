"""`tf.random`: normal, uniform, truncated_normal, shuffle, categorical, set_seed, the
`stateless_*` functions, and `Generator` (from `random_generator.py`)."""

from __future__ import annotations

import torch

from keraslite import random as keras_random
from keraslite.compat.tensorflow import dtypes, random_generator
from keraslite.compat.tensorflow.array_ops import tf_api
from keraslite.compat.tensorflow.eager import wrap as _wrap
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.compat.tensorflow.random_generator import Algorithm as Algorithm
from keraslite.compat.tensorflow.random_generator import Generator as Generator
from keraslite.compat.tensorflow.random_generator import create_rng_state as create_rng_state
from keraslite.compat.tensorflow.random_generator import get_global_generator as get_global_generator
from keraslite.compat.tensorflow.random_generator import set_global_generator as set_global_generator

__getattr__ = module_getattr("tf.random")


def set_seed(seed: int) -> None:
    """Seed the global generator (what `seed=None` draws from)."""
    torch.manual_seed(int(seed))


@tf_api
def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None):
    return keras_random.normal(_shape(shape), mean=mean, stddev=stddev, dtype=dtype, seed=seed)


@tf_api
def uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None):
    if dtypes.as_dtype(dtype).is_integer:
        if maxval is None:
            raise ValueError(
                f"tf.random.uniform: an integer dtype needs `maxval`. Received: dtype={dtype!r}, maxval=None"
            )
        return keras_random.randint(_shape(shape), minval, maxval, dtype=dtype, seed=seed)
    return keras_random.uniform(
        _shape(shape), minval=minval, maxval=1.0 if maxval is None else maxval, dtype=dtype, seed=seed
    )


@tf_api
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None):
    return keras_random.truncated_normal(_shape(shape), mean=mean, stddev=stddev, dtype=dtype, seed=seed)


@tf_api
def shuffle(value, seed=None):
    return keras_random.shuffle(value, seed=seed)


@tf_api
def categorical(logits, num_samples, dtype=None, seed=None):
    return keras_random.categorical(logits, num_samples, dtype=dtype or "int64", seed=seed)


def _shape(shape):
    if isinstance(shape, torch.Tensor):
        return tuple(shape.tolist())
    return (shape,) if isinstance(shape, int) else tuple(int(d) for d in shape)


def _alpha_shaped(shape, value):
    value = torch.as_tensor(value.detach() if isinstance(value, torch.Tensor) else value, dtype=torch.float32)
    return value.expand(*_shape(shape), *value.shape) if value.ndim else value.expand(_shape(shape))


@tf_api
def gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None):
    """Gamma(alpha, beta) samples shaped `shape + alpha.shape` (beta is the rate)."""
    alpha = _alpha_shaped(shape, alpha)
    rate = torch.ones_like(alpha) if beta is None else torch.as_tensor(beta, dtype=torch.float32).expand_as(alpha)
    generator = _generator(seed)
    sample = torch._standard_gamma(alpha.contiguous()) if generator is None else _gamma_seeded(alpha, generator)
    return (sample / rate).to(dtypes.as_dtype(dtype).torch_dtype)


def _gamma_seeded(alpha, generator):
    # torch's gamma sampler has no generator argument: draw under a forked RNG state.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(torch.randint(0, 2**31 - 1, (), generator=generator)))
        return torch._standard_gamma(alpha.contiguous())


@tf_api
def poisson(shape, lam, dtype=dtypes.float32, seed=None):
    rates = _alpha_shaped(shape, lam)
    return torch.poisson(rates.contiguous(), generator=_generator(seed)).to(dtypes.as_dtype(dtype).torch_dtype)


def _generator(seed):
    """The torch generator for an op seed (an int) or a stateless seed (a pair)."""
    if seed is None:
        return None
    if isinstance(seed, (tuple, list)) or isinstance(seed, torch.Tensor):
        return random_generator.torch_generator_for_seed(seed)
    return torch.Generator().manual_seed(int(seed) % (2**63))


# The stateless functions: the same `seed` (a pair of integers) gives the same numbers.
# Their streams are keraslite's own, not TensorFlow's (see `random_generator.py`).


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, alg="auto_select", name=None):
    return random_generator.sample_uniform(_generator(seed), shape, minval, maxval, dtype)


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, alg="auto_select", name=None):
    return random_generator.sample_normal(_generator(seed), shape, mean, stddev, dtype)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, alg="auto_select", name=None):
    return random_generator.sample_truncated_normal(_generator(seed), shape, mean, stddev, dtype)


def stateless_binomial(shape, seed, counts, probs, output_dtype=dtypes.int32, name=None):
    counts = torch.as_tensor(counts, dtype=torch.float32).expand(_shape(shape))
    probs = torch.as_tensor(probs, dtype=torch.float32).expand(_shape(shape))
    sample = torch.binomial(counts, probs, generator=_generator(seed))
    return _wrap(sample.to(dtypes.as_dtype(output_dtype).torch_dtype))


def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None):
    probabilities = torch.softmax(torch.as_tensor(logits, dtype=torch.float32), dim=-1)
    samples = torch.multinomial(probabilities, int(num_samples), replacement=True, generator=_generator(seed))
    return _wrap(samples.to(dtypes.as_dtype(dtype).torch_dtype))


class experimental:  # noqa: N801  (`tf.random.experimental`)
    Generator = Generator
    Algorithm = Algorithm
    create_rng_state = staticmethod(create_rng_state)
    get_global_generator = staticmethod(get_global_generator)
    set_global_generator = staticmethod(set_global_generator)
    stateless_split = staticmethod(random_generator.stateless_split)
    stateless_fold_in = staticmethod(random_generator.stateless_fold_in)
