"""The training half of `Model`: compile/fit/evaluate/predict (see training/README.md)."""
from __future__ import annotations


class Trainer:
    """Mixed into `Model` ahead of `Layer`, so that Keras's `compile` takes precedence
    over `torch.nn.Module.compile`."""
