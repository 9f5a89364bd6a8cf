"""`keras.utils.set_random_seed`: one call seeds Python, NumPy and torch (CPU and CUDA)."""

from __future__ import annotations

import random

import numpy as np
import torch


def set_random_seed(seed: int) -> None:
    """Seed `random`, NumPy and torch, so that weight initialisation, dropout and
    shuffling repeat exactly from run to run on CPU. `keras.random` draws with
    `seed=None` use torch's global generator, so this seeds them too."""
    if not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} (of type {type(seed)})")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
