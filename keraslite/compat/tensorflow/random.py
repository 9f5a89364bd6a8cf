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
