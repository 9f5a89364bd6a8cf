"""`SeedGenerator` and how a `seed=` argument picks a torch random generator.

Keras's rules: `seed=None` draws from the global generator (seeded by
`keras.utils.set_random_seed` / `torch.manual_seed`); an int seed gives the same draw at
every call; a `SeedGenerator` advances its own state at every call, so a sequence of
draws is reproducible from its initial seed.
"""

from __future__ import annotations

import torch

from keraslite.backend import state


class SeedGenerator:
    """A reproducible source of random draws.

    Args:
        seed: initial seed (an int); None picks one from the global generator.
        name: optional name.
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs):
        if seed is not None and not isinstance(seed, int):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed!r}")
        if seed is None:
            seed = int(torch.randint(0, 2**31 - 1, (1,)).item())  # once, at creation
        self.name = name or state.unique_name("seed_generator")
        self.initial_seed = seed
        self._generators: dict = {}

    def generator(self, device: torch.device) -> torch.Generator:
        key = str(device)
        generator = self._generators.get(key)
        if generator is None:
            generator = torch.Generator(device=device)
            generator.manual_seed(self.initial_seed)
            self._generators[key] = generator
        return generator

    def next(self, ordered: bool = True) -> int:
        """A fresh integer seed derived from this generator's state."""
        return int(torch.randint(0, 2**31 - 1, (1,), generator=self.generator(torch.device("cpu"))).item())

    def get_config(self) -> dict:
        return {"seed": self.initial_seed}

    @classmethod
    def from_config(cls, config: dict) -> "SeedGenerator":
        return cls(**config)


def torch_generator(seed, device: torch.device):
    """The torch generator a Keras `seed` argument stands for (None: the global one)."""
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        return seed.generator(device)
    if isinstance(seed, int):
        generator = torch.Generator(device=device)
        generator.manual_seed(seed)
        return generator
    raise ValueError(
        f"Argument `seed` must be None, an integer or a `keras.random.SeedGenerator`. Received: seed={seed!r}"
    )
