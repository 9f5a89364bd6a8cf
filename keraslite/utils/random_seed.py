"""`keras.utils.set_random_seed`: one call seeds Python, NumPy and torch (CPU and CUDA)."""

from __future__ import annotations

import random

import numpy as np
import torch


def set_random_seed(seed: int) -> None:
    """Seed `random`, NumPy and torch (CPU and every CUDA device), as Keras does.

    On CPU, two runs of the same script then give identical results bit for bit: weight
    initialisation, dropout and noise layers, random augmentation layers, `fit`'s shuffling,
    `DataLoader(shuffle=True)`, `keras.utils.split_dataset`, `keras.random` draws with
    `seed=None` (torch's global generator) and `SeedGenerator()`s made afterwards (their
    initial seed is drawn from it).

    On CUDA the random draws repeat too, but some kernels do not: cuDNN may pick a different
    convolution algorithm per run, and atomic-add reductions (`index_add`, scatter, some
    backward passes) sum in a varying order, so losses can differ in the last bits and drift
    apart over many steps. For bit-identical CUDA runs, also call
    `torch.use_deterministic_algorithms(True)`, set `torch.backends.cudnn.benchmark = False`
    and the environment variable `CUBLAS_WORKSPACE_CONFIG=:4096:8` before CUDA starts (slower;
    ops with no deterministic kernel then raise). Results still differ between GPU models,
    CUDA/cuDNN versions and CPU vs GPU. See docs/reproducibility.md.

    Args:
        seed: an integer.
    """
    if not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} (of type {type(seed)})")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
