"""`keras.random`: draws from normal, uniform, ... distributions, on the default device."""

from __future__ import annotations

import torch

from keraslite.backend import dtypes, state
from keraslite.backend.conversion import to_tensor
from keraslite.initializers import standard_truncated_normal_
from keraslite.random.seed_generator import torch_generator


def _shape(shape) -> tuple:
    return (int(shape),) if isinstance(shape, int) else tuple(int(d) for d in shape)


def _float_dtype(dtype) -> torch.dtype:
    return dtypes.to_torch_dtype(dtype or state.floatx())


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Samples of a normal distribution.

    Args:
        shape: output shape.
        mean, stddev: the distribution's parameters.
        dtype: float dtype (default `floatx()`).
        seed: None, an int (same draw every call) or a `SeedGenerator`.
    """
    device = state.get_device()
    sample = torch.randn(
        _shape(shape), dtype=_float_dtype(dtype), device=device, generator=torch_generator(seed, device)
    )
    return sample * stddev + mean


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Samples of a uniform distribution on `[minval, maxval)`."""
    device = state.get_device()
    sample = torch.rand(
        _shape(shape), dtype=_float_dtype(dtype), device=device, generator=torch_generator(seed, device)
    )
    return sample * (maxval - minval) + minval


def randint(shape, minval, maxval, dtype="int32", seed=None) -> torch.Tensor:
    """Integers drawn uniformly from `[minval, maxval)`."""
    device = state.get_device()
    return torch.randint(
        int(minval),
        int(maxval),
        _shape(shape),
        dtype=dtypes.to_torch_dtype(dtype),
        device=device,
        generator=torch_generator(seed, device),
    )


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Normal samples within two standard deviations of the mean."""
    device = state.get_device()
    sample = torch.empty(_shape(shape), dtype=_float_dtype(dtype), device=device)
    standard_truncated_normal_(sample, generator=torch_generator(seed, device))
    return sample * stddev + mean


def dropout(inputs, rate, noise_shape=None, seed=None) -> torch.Tensor:
    """`inputs` with a fraction `rate` of entries zeroed and the rest scaled by 1/(1-rate)."""
    inputs = to_tensor(inputs)
    if rate <= 0:
        return inputs
    shape = (
        inputs.shape
        if noise_shape is None
        else tuple(inputs.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    )
    keep = uniform(shape, dtype=dtypes.standardize_dtype(inputs.dtype), seed=seed) >= rate
    return inputs * keep / (1.0 - rate)


def shuffle(x, axis=0, seed=None) -> torch.Tensor:
    """`x` with its slices along `axis` in a random order."""
    x = to_tensor(x)
    device = x.device
    permutation = torch.randperm(x.shape[axis], device=device, generator=torch_generator(seed, device))
    return torch.index_select(x, axis, permutation)


def categorical(logits, num_samples, dtype="int32", seed=None) -> torch.Tensor:
    """`num_samples` class indices per row of `logits`."""
    logits = to_tensor(logits)
    probabilities = torch.softmax(logits.float(), dim=-1)
    samples = torch.multinomial(
        probabilities, num_samples, replacement=True, generator=torch_generator(seed, logits.device)
    )
    return samples.to(dtypes.to_torch_dtype(dtype))


def gamma(shape, alpha, dtype=None, seed=None) -> torch.Tensor:
    """Samples of a Gamma(alpha, 1) distribution."""
    if seed is not None:
        generator = torch_generator(seed, torch.device("cpu"))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))
            sample = torch.distributions.Gamma(torch.tensor(float(alpha)), torch.tensor(1.0)).sample(_shape(shape))
    else:
        sample = torch.distributions.Gamma(torch.tensor(float(alpha)), torch.tensor(1.0)).sample(_shape(shape))
    return sample.to(device=state.get_device(), dtype=_float_dtype(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None) -> torch.Tensor:
    """Samples of a Binomial(counts, probabilities) distribution."""
    distribution = torch.distributions.Binomial(
        torch.as_tensor(counts, dtype=torch.float32), torch.as_tensor(probabilities, dtype=torch.float32)
    )
    return distribution.sample(_shape(shape)).to(device=state.get_device(), dtype=_float_dtype(dtype))


def beta(shape, alpha, beta, dtype=None, seed=None) -> torch.Tensor:
    """Samples of a Beta(alpha, beta) distribution."""
    distribution = torch.distributions.Beta(
        torch.as_tensor(alpha, dtype=torch.float32), torch.as_tensor(beta, dtype=torch.float32)
    )
    return distribution.sample(_shape(shape)).to(device=state.get_device(), dtype=_float_dtype(dtype))
