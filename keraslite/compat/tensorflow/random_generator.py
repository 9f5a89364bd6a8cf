"""`tf.random.Generator`, the global generator, and the seed arithmetic of the stateless
functions (`create_rng_state`, `experimental.stateless_split` / `stateless_fold_in`).

A generator's state is a `tf.Variable` of three int64 words, `[stream, draw, key]`, held
as its public attribute `state` (so `tf.train.Checkpoint` saves and restores it, and it
pickles with its owner). Each draw seeds a torch generator from a hash (SplitMix64) of the
three words and then advances `draw` by one. The same seed gives the same numbers within
keraslite, generators from different seeds, and those `split` makes, draw from unrelated
streams; but TensorFlow's Philox/ThreeFry streams are NOT reproduced: the numbers (and the
state's words after a draw) differ from TensorFlow's, while shapes, dtypes and the
distributions are TensorFlow's. Reading the state costs a host sync per draw (generators
are for tutorial code, not a training step's hot path).
"""

from __future__ import annotations

import enum
import secrets

import numpy as np
import torch

from keraslite.backend import state as backend_state
from keraslite.compat.tensorflow import dtypes
from keraslite.compat.tensorflow.eager import wrap
from keraslite.compat.tensorflow.variables import Variable
from keraslite.ops.dispatch import to_tensor

_MASK = (1 << 64) - 1
_SPLIT_TAG = 0x5EED5
_FOLD_TAG = 0xF01D


class Algorithm(enum.Enum):
    """`tf.random.Algorithm`: accepted and recorded (the numbers come from keraslite's own
    stream whatever is chosen)."""

    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


def _algorithm(alg) -> int:
    if alg is None:
        return Algorithm.PHILOX.value
    if isinstance(alg, Algorithm):
        return alg.value
    if isinstance(alg, str):
        names = {"philox": 1, "threefry": 2, "auto_select": 3}
        if alg.lower() not in names:
            raise ValueError(f"Unsupported random algorithm: {alg!r}. Expected one of {sorted(names)}.")
        return names[alg.lower()]
    return int(alg)


def _splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def mix(*words) -> int:
    """A 64-bit hash of integers: the torch seed for a state or a stateless seed."""
    value = 0x6A09E667F3BCC908
    for word in words:
        value = _splitmix64(value ^ (int(word) & _MASK))
    return value


def _signed(value: int, bits: int = 64) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def _seed_words(seed) -> list:
    if isinstance(seed, torch.Tensor):
        seed = seed.tolist()  # host sync: seeds are small host-side values
    seed = np.asarray(seed).reshape(-1).tolist()
    if len(seed) != 2:
        raise ValueError(f"A stateless seed must have shape [2] (two integers). Received: seed={seed}")
    return [int(s) for s in seed]


def torch_generator_for_seed(seed) -> torch.Generator:
    """The torch generator a stateless function draws from for `seed` (a pair)."""
    return torch.Generator(device=backend_state.get_device()).manual_seed(mix(*_seed_words(seed)))


def _state_words(seed) -> np.ndarray:
    words = np.asarray(seed, dtype=np.int64).reshape(-1).tolist()
    return np.asarray((words + [0, 0, 0])[:3], dtype=np.int64)


def create_rng_state(seed, alg):
    """`tf.random.create_rng_state`: the three-word int64 state `Generator(state=...)`
    takes (an int seed fills the first word, as in TensorFlow)."""
    _algorithm(alg)
    return wrap(torch.tensor(_state_words(seed)))


def _seed_result(values: list, like_seed, shape) -> torch.Tensor:
    dtype = like_seed.dtype if isinstance(like_seed, torch.Tensor) else torch.int32
    bits = torch.iinfo(dtype).bits
    return wrap(torch.tensor([_signed(v, bits) for v in values], dtype=dtype).reshape(shape))


def stateless_split(seed, num=2, alg="auto_select"):
    """`tf.random.experimental.stateless_split`: `num` new seeds (shape [num, 2]) from one."""
    words = _seed_words(seed)
    values = [mix(*words, _SPLIT_TAG, i, half) for i in range(int(num)) for half in (0, 1)]
    return _seed_result(values, seed, (int(num), 2))


def stateless_fold_in(seed, data, alg="auto_select"):
    """`tf.random.experimental.stateless_fold_in`: a new seed (shape [2]) from a seed and
    an integer (a step or a replica id)."""
    words = _seed_words(seed)
    return _seed_result([mix(*words, _FOLD_TAG, int(data), half) for half in (0, 1)], seed, (2,))


class Generator:
    """`tf.random.Generator`: a stateful random number generator (see the module docstring
    for what its state means here)."""

    def __init__(self, copy_from=None, state=None, alg=None):
        if copy_from is not None:
            state, alg = copy_from.state.numpy(), copy_from.algorithm
        if state is None:
            raise ValueError("tf.random.Generator needs `state` or `copy_from`; use Generator.from_seed(seed).")
        self.algorithm = _algorithm(alg)
        words = _state_words(state.detach().cpu().numpy() if isinstance(state, torch.Tensor) else state)
        self.state = Variable(torch.tensor(words, dtype=torch.int64), trainable=False, name="StateVar")

    @classmethod
    def from_seed(cls, seed, alg=None):
        return cls(state=_state_words(int(seed)), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        return cls(state=[_signed(secrets.randbits(64)), 0, 0], alg=alg)

    @classmethod
    def from_state(cls, state, alg):
        return cls(state=state, alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg):
        counter = np.asarray(counter, dtype=np.int64).reshape(-1).tolist()
        return cls(state=(counter + [0, 0])[:2] + [int(np.asarray(key).reshape(-1)[0])], alg=alg)

    def reset(self, state) -> None:
        words = _state_words(state.detach().cpu().numpy() if isinstance(state, torch.Tensor) else state)
        self.state.assign(torch.tensor(words))

    def reset_from_seed(self, seed) -> None:
        self.reset(_state_words(int(seed)))

    def reset_from_key_counter(self, key, counter) -> None:
        counter = np.asarray(counter, dtype=np.int64).reshape(-1).tolist()
        self.reset((counter + [0, 0])[:2] + [int(np.asarray(key).reshape(-1)[0])])

    @property
    def key(self):
        return wrap(self.state.detach()[2].clone())

    def _next_torch_generator(self) -> torch.Generator:
        stream, draw, key = self.state.detach().tolist()  # host sync (see the module docstring)
        self.state.data[1] = draw + 1
        return torch.Generator(device=backend_state.get_device()).manual_seed(mix(stream, draw, key))

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        return sample_normal(self._next_torch_generator(), shape, mean, stddev, dtype)

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None):
        return sample_uniform(self._next_torch_generator(), shape, minval, maxval, dtype)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None):
        return sample_truncated_normal(self._next_torch_generator(), shape, mean, stddev, dtype)

    def uniform_full_int(self, shape, dtype=dtypes.uint64, name=None):
        return sample_full_int(self._next_torch_generator(), shape, dtype)

    def binomial(self, shape, counts, probs, dtype=dtypes.int32, name=None):
        generator = self._next_torch_generator()
        counts = to_tensor(counts, "float32").expand(_shape(shape))
        probs = to_tensor(probs, "float32").expand(_shape(shape))
        return wrap(torch.binomial(counts, probs, generator=generator).to(_torch_dtype(dtype)))

    def make_seeds(self, count=1):
        """`count` seeds for the stateless functions, as an int64 tensor of shape [2, count]."""
        generator = self._next_torch_generator()
        return wrap(torch.randint(-(2**63), 2**63 - 1, (2, int(count)), generator=generator, dtype=torch.int64))

    def split(self, count=1) -> list:
        """`count` new generators whose streams are independent of this one's (and of each
        other's); this generator advances by one draw."""
        stream, draw, key = self.state.detach().tolist()
        self.state.data[1] = draw + 1
        return [
            Generator(state=[_signed(mix(stream, draw, key, _SPLIT_TAG, i)), 0, key], alg=self.algorithm)
            for i in range(int(count))
        ]

    def __repr__(self) -> str:
        return f"<tf.random.Generator state={self.state.numpy().tolist()} algorithm={self.algorithm}>"


_global_generator: Generator | None = None


def get_global_generator() -> Generator:
    """`tf.random.get_global_generator`: one generator for the process, made from a
    non-deterministic state on first use."""
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


def set_global_generator(generator: Generator) -> None:
    global _global_generator
    _global_generator = generator


# Samplers shared by `Generator` and the stateless functions: draws from a torch generator.


def _shape(shape) -> tuple:
    if isinstance(shape, torch.Tensor):
        return tuple(int(d) for d in shape.tolist())
    return (int(shape),) if isinstance(shape, int) else tuple(int(d) for d in shape)


def _torch_dtype(dtype) -> torch.dtype:
    return dtypes.as_dtype(dtype).torch_dtype


def _float_dtype(dtype) -> torch.dtype:
    torch_dtype = _torch_dtype(dtype)
    if not torch_dtype.is_floating_point:
        raise ValueError(f"This distribution needs a floating dtype. Received: dtype={dtype!r}")
    return torch_dtype


def _scaled(sample, mean, stddev):
    return sample * to_tensor(stddev, sample.dtype) + to_tensor(mean, sample.dtype)


def sample_normal(generator, shape, mean, stddev, dtype):
    torch_dtype = _float_dtype(dtype)
    sample = torch.randn(_shape(shape), generator=generator, device=generator.device, dtype=torch_dtype)
    return wrap(_scaled(sample, mean, stddev))


def sample_truncated_normal(generator, shape, mean, stddev, dtype):
    """Normal samples more than two standard deviations out redrawn, as TensorFlow's."""
    torch_dtype = _float_dtype(dtype)
    sample = torch.empty(_shape(shape), device=generator.device, dtype=torch_dtype)
    torch.nn.init.trunc_normal_(sample, generator=generator)
    return wrap(_scaled(sample, mean, stddev))


def sample_uniform(generator, shape, minval, maxval, dtype):
    torch_dtype = _torch_dtype(dtype)
    device = generator.device
    if not torch_dtype.is_floating_point:
        if minval is None or maxval is None:
            return sample_full_int(generator, shape, dtype)
        dims = _shape(shape)
        sample = torch.randint(int(minval), int(maxval), dims, generator=generator, device=device, dtype=torch_dtype)
        return wrap(sample)
    low = to_tensor(0.0 if minval is None else minval, torch_dtype)
    high = to_tensor(1.0 if maxval is None else maxval, torch_dtype)
    sample = torch.rand(_shape(shape), generator=generator, device=device, dtype=torch_dtype)
    return wrap(sample * (high - low) + low)


def sample_full_int(generator, shape, dtype):
    """Integers spread over the whole range of `dtype` (int32, int64, uint32, uint64)."""
    torch_dtype = _torch_dtype(dtype)
    bits = torch.randint(
        -(2**63), 2**63 - 1, _shape(shape), generator=generator, device=generator.device, dtype=torch.int64
    )
    if torch_dtype == torch.uint64:
        return wrap(bits.view(torch.uint64))
    if torch_dtype == torch.uint32:
        return wrap((bits & 0xFFFFFFFF).to(torch.uint32))
    if torch_dtype in (torch.int64, torch.int32):
        return wrap(bits.to(torch_dtype))
    raise ValueError(f"uniform_full_int takes int32, int64, uint32 or uint64. Received: dtype={dtype!r}")
