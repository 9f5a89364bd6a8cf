"""`tf.distribute`: the strategy objects TF-2-era Keras code opens a scope with.

keraslite runs one process per device; several devices train under `torchrun` with
PyTorch's DistributedDataParallel (see `keras.distribution`). A strategy here is that
process's view: `num_replicas_in_sync` is the torch.distributed world size (1 without
torchrun), `scope()` changes nothing (variables are made as usual), `run` calls the
function, `reduce` sums or averages across processes when there are several, and datasets
pass through unchanged.
"""

from __future__ import annotations

import contextlib

import torch

from keraslite.compat.tensorflow.missing import module_getattr

__getattr__ = module_getattr("tf.distribute")


class ReduceOp:
    SUM = "SUM"
    MEAN = "MEAN"


class InputContext:
    """What `distribute_datasets_from_function` passes to the dataset function."""

    def __init__(self, num_input_pipelines=1, input_pipeline_id=0, num_replicas_in_sync=1):
        self.num_input_pipelines = num_input_pipelines
        self.input_pipeline_id = input_pipeline_id
        self.num_replicas_in_sync = num_replicas_in_sync

    def get_per_replica_batch_size(self, global_batch_size: int) -> int:
        if global_batch_size % self.num_replicas_in_sync:
            raise ValueError(
                f"The `global_batch_size` {global_batch_size} is not divisible by `num_replicas_in_sync` "
                f"{self.num_replicas_in_sync}"
            )
        return global_batch_size // self.num_replicas_in_sync


def _world() -> tuple[int, int]:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_world_size(), torch.distributed.get_rank()
    return 1, 0


_current: list = []


class Strategy:
    """One process's share of a data-parallel run (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        self.extended = self

    @property
    def num_replicas_in_sync(self) -> int:
        return _world()[0]

    @contextlib.contextmanager
    def scope(self):
        _current.append(self)
        try:
            yield self
        finally:
            _current.pop()

    def run(self, fn, args=(), kwargs=None, options=None):
        return fn(*args, **(kwargs or {}))

    def reduce(self, reduce_op, value, axis=None):
        """`value` reduced over `axis` (if given) and across processes."""
        op = str(getattr(reduce_op, "value", reduce_op)).upper()
        tensor = torch.as_tensor(value)
        if axis is not None:
            tensor = tensor.sum(dim=axis) if op == "SUM" else tensor.mean(dim=axis)
        world, _ = _world()
        if world > 1:
            tensor = tensor.clone()
            torch.distributed.all_reduce(tensor)
            if op == "MEAN":
                tensor = tensor / world
        return tensor

    def experimental_distribute_dataset(self, dataset, options=None):
        return dataset

    def distribute_datasets_from_function(self, dataset_fn, options=None):
        world, rank = _world()
        return dataset_fn(InputContext(world, rank, world))

    experimental_distribute_datasets_from_function = distribute_datasets_from_function

    def experimental_local_results(self, value):
        return value if isinstance(value, tuple) else (value,)


class MirroredStrategy(Strategy):
    """`tf.distribute.MirroredStrategy`: this process's device (see the module docstring)."""


class OneDeviceStrategy(Strategy):
    def __init__(self, device=None):
        super().__init__()


class MultiWorkerMirroredStrategy(Strategy):
    pass


def get_strategy() -> Strategy:
    return _current[-1] if _current else Strategy()


def has_strategy() -> bool:
    return bool(_current)


def in_cross_replica_context() -> bool:
    return True
