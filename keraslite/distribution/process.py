"""The processes of a distributed run: `keras.distribution.initialize` on `torch.distributed`.

One process per device, launched by `torchrun` (or anything that sets its environment:
`RANK`, `WORLD_SIZE`, `LOCAL_RANK`, `MASTER_ADDR`, `MASTER_PORT`). `initialize()` joins the
default process group (`nccl` on CUDA, `gloo` on CPU) and makes the process's own GPU the
default device. Everything else here only reads that state: a run that never calls
`initialize()` is one process, and none of these functions costs more than a flag check then.
"""

from __future__ import annotations

import atexit
import datetime
import os

import torch
import torch.distributed as dist

from keraslite.backend import state

_VALID_DEVICE_TYPES = ("cpu", "gpu", "tpu")

INITIALIZE_FIRST = (
    "keras.distribution: this process is one of WORLD_SIZE={world_size} processes started by torchrun, "
    "but `keras.distribution.initialize()` was not called. Call it at the top of the script, before "
    "building the model and before `set_distribution(...)`:\n\n"
    "    keras.distribution.initialize()\n"
    "    keras.distribution.set_distribution(keras.distribution.DataParallel())\n"
)

LAUNCH_WITH_TORCHRUN = (
    "keras.distribution: {what} spans {count} devices, but this run has {processes} process(es). keraslite "
    "runs one process per device under PyTorch's own launcher: start the script with "
    "`torchrun --nproc_per_node={count} script.py` and call `keras.distribution.initialize()` first "
    "(then create the distribution, so that it sees every process)."
)


def is_initialized() -> bool:
    """Whether this process has joined a process group (`initialize()`, or the user's own
    `torch.distributed.init_process_group`)."""
    return dist.is_available() and dist.is_initialized()


def num_processes() -> int:
    """Processes in the run: the process group's size, 1 without one."""
    return dist.get_world_size() if is_initialized() else 1


def process_id() -> int:
    """This process's rank, 0 without a process group."""
    return dist.get_rank() if is_initialized() else 0


def is_multi_process() -> bool:
    return is_initialized() and dist.get_world_size() > 1


def is_primary_process() -> bool:
    """Whether this process prints progress and writes files: rank 0, or the only process."""
    return not is_initialized() or dist.get_rank() == 0


def launched_world_size() -> int:
    """The number of processes torchrun started (its `WORLD_SIZE`), 1 outside torchrun."""
    try:
        return int(os.environ.get("WORLD_SIZE", "1"))
    except ValueError:
        return 1


def _uses_cuda() -> bool:
    return torch.cuda.is_available() and state.get_device().type == "cuda"


def initialize(job_addresses=None, num_processes=None, process_id=None) -> None:
    """Join the processes of a distributed run (Keras's `keras.distribution.initialize`).

    Under `torchrun` nothing needs passing: the rank, the number of processes and the
    coordinator's address come from its environment (`RANK`, `WORLD_SIZE`, `LOCAL_RANK`,
    `MASTER_ADDR`, `MASTER_PORT`). Keras's own variables `KERAS_DISTRIBUTION_JOB_ADDRESSES`,
    `KERAS_DISTRIBUTION_NUM_PROCESSES` and `KERAS_DISTRIBUTION_PROCESS_ID` are read too, and
    the arguments win over both. Run without any of them (plain `python script.py`), the
    script is one process of a one-process group, so the same script runs either way.

    The process group uses `nccl` on CUDA (one GPU per process: `LOCAL_RANK` picks it and
    it becomes keraslite's default device) and `gloo` on CPU.

    Args:
        job_addresses: comma-separated `host:port` of the processes; the first is the
            coordinator (torchrun's `MASTER_ADDR:MASTER_PORT`).
        num_processes: the number of processes (torchrun's `WORLD_SIZE`).
        process_id: this process's rank, `0` to `num_processes - 1` (torchrun's `RANK`).
    """
    env = os.environ
    if job_addresses is None:
        job_addresses = env.get("KERAS_DISTRIBUTION_JOB_ADDRESSES")
    if num_processes is None and "KERAS_DISTRIBUTION_NUM_PROCESSES" in env:
        num_processes = int(env["KERAS_DISTRIBUTION_NUM_PROCESSES"])
    if process_id is None and "KERAS_DISTRIBUTION_PROCESS_ID" in env:
        process_id = int(env["KERAS_DISTRIBUTION_PROCESS_ID"])
    if num_processes is None and "WORLD_SIZE" in env:
        num_processes = int(env["WORLD_SIZE"])
    if process_id is None and "RANK" in env:
        process_id = int(env["RANK"])
    if job_addresses:
        coordinator = job_addresses.split(",")[0].strip()
        host, _, port = coordinator.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(
                "keras.distribution.initialize: the first of `job_addresses` must be the coordinator's "
                f"`host:port`. Received: job_addresses={job_addresses!r}"
            )
        env["MASTER_ADDR"], env["MASTER_PORT"] = host, port
    if num_processes is not None and not (process_id is not None and 0 <= process_id < num_processes):
        raise ValueError(
            "keras.distribution.initialize: `process_id` must be in [0, num_processes). "
            f"Received: num_processes={num_processes}, process_id={process_id}"
        )
    if num_processes is not None and num_processes > 1:
        missing = [name for name in ("MASTER_ADDR", "MASTER_PORT") if name not in env]
        if missing:
            raise ValueError(
                f"keras.distribution.initialize: {num_processes} processes need the coordinator's address, "
                f"but {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set. Launch with "
                "`torchrun --nproc_per_node=N script.py` (it sets them), or pass `job_addresses='host:port,...'`."
            )
    if is_initialized():
        if num_processes is not None and num_processes != dist.get_world_size():
            raise RuntimeError(
                f"keras.distribution.initialize: a process group of {dist.get_world_size()} processes already "
                f"exists. Received: num_processes={num_processes}"
            )
        _set_local_device()
        return
    local_rank = _local_rank(process_id)
    if torch.cuda.is_available() and state.get_device().type == "cuda":
        torch.cuda.set_device(local_rank % torch.cuda.device_count())
    backend = "nccl" if _uses_cuda() else "gloo"
    if num_processes is None or num_processes == 1:
        # One process: an in-memory store, no coordinator address needed.
        dist.init_process_group(backend, store=dist.HashStore(), rank=0, world_size=1)
    else:
        dist.init_process_group(backend, init_method="env://", rank=process_id, world_size=num_processes)
    atexit.register(_shut_down_process_group)
    _set_local_device()


def _shut_down_process_group() -> None:
    """At exit, the process group `initialize()` made is torn down after every rank has
    arrived (a barrier): a rank that left while another still finished its last collective
    aborted gloo ("terminate called without an active exception"), and an undestroyed group
    makes torch warn. Never raises: the process is exiting."""
    if not dist.is_initialized():
        return
    try:
        if dist.get_world_size() > 1:
            if dist.get_backend() == "gloo":
                dist.monitored_barrier(timeout=datetime.timedelta(seconds=60))  # a dead rank: an error, not a hang
            else:
                dist.barrier()
    except Exception:  # noqa: BLE001  (another rank failed: tear down all the same)
        pass
    try:
        dist.destroy_process_group()
    except Exception:  # noqa: BLE001
        pass


def _local_rank(process_id) -> int:
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if torch.cuda.is_available() and process_id is not None:
        return process_id % torch.cuda.device_count()
    return 0


def _set_local_device() -> None:
    """One GPU per process: the local rank's GPU becomes keraslite's default device."""
    if dist.get_backend() == "nccl":
        device = torch.device("cuda", _local_rank(dist.get_rank()) % torch.cuda.device_count())
        torch.cuda.set_device(device)
        state.set_device(str(device))


def list_devices(device_type=None) -> list[str]:
    """The devices of the whole run (Keras's `keras.distribution.list_devices`), as
    `"gpu:i"` / `"cpu:i"`: one per process in a distributed run (each process drives one
    device), else this process's GPUs, else its CPU.

    Args:
        device_type: `"cpu"`, `"gpu"` or `"tpu"`; defaults to `"gpu"` when CUDA is present,
            else `"cpu"`.
    """
    device_type = _check_device_type(device_type)
    if device_type == "tpu":
        raise ValueError("keras.distribution.list_devices: keraslite runs on PyTorch and has no TPU devices.")
    if is_initialized():
        backend_type = "gpu" if dist.get_backend() == "nccl" else "cpu"
        count = dist.get_world_size() if device_type == backend_type else 0
        if count == 0 and device_type == "cpu":
            count = 1
        return [f"{device_type}:{i}" for i in range(count)]
    if device_type == "gpu":
        return [f"gpu:{i}" for i in range(torch.cuda.device_count())]
    return ["cpu:0"]


def get_device_count(device_type=None) -> int:
    """How many devices `list_devices(device_type)` returns."""
    return len(list_devices(device_type))


def _check_device_type(device_type) -> str:
    if device_type is None:
        return "gpu" if torch.cuda.is_available() else "cpu"
    if not isinstance(device_type, str) or device_type.lower() not in _VALID_DEVICE_TYPES:
        raise ValueError(
            f"Invalid value for argument `device_type`. Expected one of {list(_VALID_DEVICE_TYPES)}. "
            f"Received: device_type={device_type!r}"
        )
    return device_type.lower()


def device_type_of_backend() -> str:
    """torch's device type for this run's collectives: CUDA tensors for nccl, CPU for gloo."""
    return "cuda" if is_initialized() and dist.get_backend() == "nccl" else "cpu"
