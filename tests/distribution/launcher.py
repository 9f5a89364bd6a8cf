"""Run a function in N real processes, as `torchrun --nproc_per_node=N` would.

`launch(worker, world_size, *args)` spawns `world_size` fresh interpreters
(`torch.multiprocessing`, start method "spawn"), each with torchrun's environment
(`RANK`, `WORLD_SIZE`, `LOCAL_RANK`, `MASTER_ADDR`, `MASTER_PORT` on a free local port),
and calls `worker(rank, *args)` in each. A worker reports back through files (the tests
give it a directory). An exception in any process fails the launch with its traceback;
processes still running after `timeout` seconds are killed and the launch fails.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import time

import torch.multiprocessing as mp


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _entry(rank: int, worker, world_size: int, port: int, released_dir: str, args: tuple) -> None:
    os.environ.update(
        {
            "RANK": str(rank),
            "LOCAL_RANK": str(rank),
            "WORLD_SIZE": str(world_size),
            "LOCAL_WORLD_SIZE": str(world_size),
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": str(port),
            "OMP_NUM_THREADS": "1",
        }
    )
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)  # two processes share the machine's cores, as torchrun sets it
    try:
        worker(rank, *args)
        if dist.is_initialized():
            # Both ranks finish their collectives before either tears the group down (one rank
            # destroying it under the other's last all-reduce aborts gloo).
            dist.barrier()
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
        _leave_together(rank, world_size, released_dir)
    # The worker succeeded and has written its report: leave without the interpreter's
    # teardown, in which a spawned rank sometimes aborts under load ("terminate called without
    # an active exception", rank 0 or 1, cause not found; torchrun runs of the examples and of
    # `initialize()`'s own exit teardown are tested in test_example.py without this).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _leave_together(rank: int, world_size: int, released_dir: str, timeout: float = 20.0) -> None:
    """Rank 0 hosts the rendezvous store (under torchrun the agent does): it exits only after
    the other ranks have left the group, or its exit can abort a rank still disconnecting
    ("terminate called without an active exception")."""
    if rank != 0:
        open(os.path.join(released_dir, f"released{rank}"), "w").close()
        return
    deadline = time.monotonic() + timeout
    expected = [os.path.join(released_dir, f"released{r}") for r in range(1, world_size)]
    while not all(os.path.exists(path) for path in expected) and time.monotonic() < deadline:
        time.sleep(0.01)


def launch(worker, world_size: int, *args, timeout: float = 60.0) -> None:
    released_dir = tempfile.mkdtemp(prefix="launch-")
    context = mp.start_processes(
        _entry,
        args=(worker, world_size, free_port(), released_dir, args),
        nprocs=world_size,
        join=False,
        start_method="spawn",
    )
    deadline = time.monotonic() + timeout
    while not context.join(timeout=1):
        if time.monotonic() > deadline:
            for process in context.processes:
                if process.is_alive():
                    process.kill()
            raise TimeoutError(f"{world_size} processes of {worker.__name__} did not finish within {timeout} s")
