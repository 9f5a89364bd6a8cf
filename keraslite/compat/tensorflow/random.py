"""`tf.random`: normal, uniform, truncated_normal, shuffle, categorical, set_seed."""

from __future__ import annotations

import torch

from keraslite import random as keras_random
from keraslite.compat.tensorflow import dtypes
from keraslite.compat.tensorflow.array_ops import tf_api
from keraslite.compat.tensorflow.missing import module_getattr

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
    if seed is None:
        return None
    if isinstance(seed, (tuple, list)) or isinstance(seed, torch.Tensor):
        seed = [int(s) for s in (seed.tolist() if isinstance(seed, torch.Tensor) else seed)]
        seed = seed[0] * 1_000_003 + (seed[1] if len(seed) > 1 else 0)
    return torch.Generator().manual_seed(int(seed) % (2**63))


@tf_api
def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, alg="auto_select"):
    """Uniform samples fixed by `seed` (a pair): the same seed gives the same numbers."""
    generator = _generator(seed)
    torch_dtype = dtypes.as_dtype(dtype).torch_dtype
    if not torch_dtype.is_floating_point:
        return torch.randint(int(minval), int(maxval), _shape(shape), generator=generator, dtype=torch_dtype)
    high = 1.0 if maxval is None else float(maxval)
    return torch.rand(_shape(shape), generator=generator) * (high - float(minval)) + float(minval)


@tf_api
def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, alg="auto_select"):
    sample = torch.randn(_shape(shape), generator=_generator(seed))
    return (sample * float(stddev) + float(mean)).to(dtypes.as_dtype(dtype).torch_dtype)
