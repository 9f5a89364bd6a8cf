"""`fit / evaluate / predict` under a multi-process `keras.distribution.DataParallel`.

Everything here is torch's own distributed engine, driven from the few places a run
differs from a one-process run:

* **Data**: `batch_size` is the global batch (Keras's contract). Each global batch is
  split into `world_size` equal contiguous parts and process `rank` takes part `rank`,
  so 1 or N processes see the same global batches. An uneven last batch is padded by
  repeating its first samples, as `DistributedSampler` pads (its `drop_last=False`
  rule). A shuffled order is drawn on rank 0 (from the same random stream a one-process
  run draws it from) and broadcast. A `DataLoader` gets a `DistributedSampler` and a
  per-process batch of `batch_size / world_size` (one it already has is kept), with
  `set_epoch` called every epoch; generators and `PyDataset`s give global batches that
  each process slices (a view, no copy of the dataset).
* **Gradients**: the train step's forward runs through `DistributedDataParallel`, which
  broadcasts the parameters from rank 0 when it is made and averages the gradients in
  its buckets during `backward()`; the optimizer then applies them as in a one-process step.
* **Logs**: when logs are read (progress bar, epoch end, callbacks asking for batch
  logs), the metrics' state variables are reduced over the processes (one collective for
  all of them: `"sum"` variables summed, `"mean"` ones averaged), so every rank's
  `History` holds the global figures. Progress bars (rank 0 only) show rank 0's own
  running figures mid-epoch, without a collective.
* **Predictions**: each process predicts its part; the parts are gathered and put back
  in order, so every rank's `predict` returns all rows.

A one-process run never reaches this module: `TrainingState` asks
`distribution_runs.run_for_current_distribution()` once per `fit/evaluate/predict`, and it
answers `None`. (`ModelParallel` runs are `model_parallel.py`'s, built on these.)
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.distributed as dist

from keraslite.distribution import process
from keraslite.training.step import StepRunner

CUSTOM_STEP_NOT_SUPPORTED = (
    "keras.distribution.DataParallel: model '{name}' overrides `train_step`, which runs its own forward "
    "and update outside DistributedDataParallel, so its gradients would not be averaged over the "
    "processes. Use the built-in train step (override `compute_loss` instead), or wrap the model in "
    "`torch.nn.parallel.DistributedDataParallel` yourself in a hand-written loop."
)


class DataParallelRun:
    """What one model's training under a `DataParallel` adds (see the module docstring)."""

    def __init__(self, distribution, shard_data: bool = True):
        self.distribution = distribution
        self.rank = dist.get_rank()
        self.world_size = dist.get_world_size()
        self.shard_data = shard_data
        self.collective_device = torch.device(process.device_type_of_backend())

    def make_runner(self, state, jit_compile: bool):
        return DistributedStepRunner(state, jit_compile, self)

    # ------------------------------------------------------------------ collectives
    def broadcast_from_primary(self, tensor: torch.Tensor) -> torch.Tensor:
        """Rank 0's `tensor` on every rank (same shape and dtype everywhere)."""
        moved = tensor.to(self.collective_device)
        dist.broadcast(moved, src=0)
        return moved.to(tensor.device)

    # ------------------------------------------------------------------ data
    def shard_adapter(self, adapter, for_predict: bool = False):
        """Make `adapter` give this process its part of every global batch. For `predict`
        a DataLoader's global batches are sliced (so that the gathered rows keep the data's
        order) rather than given a `DistributedSampler`."""
        if not self.shard_data:
            return adapter
        adapter.data_parallel = self
        if not for_predict and isinstance(getattr(adapter, "data", None), torch.utils.data.DataLoader):
            loader = self._distributed_loader(adapter.data)
            if loader is not None:
                adapter.data = loader
                adapter.data_parallel = None  # the sampler shards; batches arrive already split
                if adapter.num_batches is not None and adapter.requested_steps is None:
                    adapter.num_batches = len(loader)
        return adapter

    def local_range(self, size: int) -> tuple[int, int]:
        """`(start, per_process)` of this process's part of a global batch of `size` rows
        (after padding `size` up to a multiple of the number of processes)."""
        per_process = math.ceil(size / self.world_size)
        return self.rank * per_process, per_process

    def local_index(self, start: int, stop: int, order: torch.Tensor | None):
        """This process's rows of the global batch `[start, stop)` of the data (or of
        `order`, a shuffled order): a slice when it can be one, else an index tensor
        (the padded part of an uneven batch)."""
        offset, per_process = self.local_range(stop - start)
        lo, hi = start + offset, start + offset + per_process
        if order is None and hi <= stop:
            return slice(lo, hi)
        rows = torch.arange(start, stop) if order is None else order[start:stop]
        padded = rows.repeat(math.ceil(self.world_size * per_process / rows.numel()))
        return padded[offset : offset + per_process]

    def array_batches(self, adapter):
        """`ArrayDataAdapter.batches()` for this process (same global batches, own part)."""
        n, size = adapter.num_samples, adapter.batch_size
        data_device = next((t.device for t in adapter.x if isinstance(t, torch.Tensor)), None)
        order = batch_order = None
        if adapter.shuffle == "batch":
            batch_order = self.broadcast_from_primary(torch.randperm(math.ceil(n / size))).tolist()
        elif adapter.shuffle:
            # Drawn on rank 0 exactly as a one-process run draws it, then shared.
            order = self.broadcast_from_primary(torch.randperm(n, device=data_device))
        steps_per_pass = math.ceil(n / size)
        adapter.global_batch_sizes = []
        for step in range(adapter.num_batches):
            position = step % steps_per_pass
            if batch_order is not None:
                position = batch_order[position]
            start, stop = position * size, min(n, (position + 1) * size)
            adapter.global_batch_sizes.append(stop - start)
            index = self.local_index(start, stop, order)
            take = adapter._take
            yield take(adapter.x, index), take(adapter.y, index), take(adapter.sample_weight, index)

    def slice_batch(self, adapter, batch):
        """This process's part of one global batch from a generator or `PyDataset`."""
        x, y, sw = batch
        size = next(int(t.shape[0]) for t in x if t is not None)
        adapter.global_batch_sizes.append(size)
        index = self.local_index(0, size, None)

        def take(tensors):
            if tensors is None:
                return None
            out = []
            for t in tensors:
                if t is None:
                    out.append(None)
                elif isinstance(index, slice):
                    out.append(t[index])
                elif isinstance(t, np.ndarray):
                    out.append(t[index.numpy()])
                else:
                    out.append(t.index_select(0, index.to(t.device)))
            return out

        return take(x), take(y), take(sw)

    def _distributed_loader(self, loader: torch.utils.data.DataLoader):
        """`loader` with a `DistributedSampler` and the per-process batch size; `None` when
        it cannot take a sampler (an `IterableDataset`, a custom `batch_sampler`): its global
        batches are then sliced per process."""
        sampler = loader.sampler
        if isinstance(sampler, torch.utils.data.DistributedSampler):
            return _EpochSettingLoader(loader, sampler)
        if isinstance(loader.dataset, torch.utils.data.IterableDataset) or loader.batch_size is None:
            return None
        if loader.batch_size % self.world_size:
            raise ValueError(
                f"keras.distribution.DataParallel: the DataLoader's batch_size ({loader.batch_size}) is the global "
                f"batch and must be divisible by the number of processes ({self.world_size})."
            )
        seed = int(self.broadcast_from_primary(torch.randint(0, 2**31 - 1, (1,)))[0])
        sampler = torch.utils.data.DistributedSampler(
            loader.dataset,
            num_replicas=self.world_size,
            rank=self.rank,
            shuffle=isinstance(loader.sampler, torch.utils.data.RandomSampler),
            seed=seed,
            drop_last=loader.drop_last,
        )
        rebuilt = torch.utils.data.DataLoader(
            loader.dataset,
            batch_size=loader.batch_size // self.world_size,
            sampler=sampler,
            num_workers=loader.num_workers,
            collate_fn=loader.collate_fn,
            pin_memory=loader.pin_memory,
            drop_last=loader.drop_last,
            timeout=loader.timeout,
            worker_init_fn=loader.worker_init_fn,
            multiprocessing_context=loader.multiprocessing_context,
            generator=loader.generator,
            prefetch_factor=loader.prefetch_factor if loader.num_workers else None,
            persistent_workers=loader.persistent_workers,
        )
        return _EpochSettingLoader(rebuilt, sampler)

    # ------------------------------------------------------------------ logs
    def reduce_metric_states(self, metrics) -> list:
        """Replace every metric's state by its reduction over the processes (one
        collective); returns the local values, for `restore_metric_states`."""
        variables = [v for metric in metrics for v in metric.variables if v.aggregation in ("sum", "mean")]
        if not variables:
            return []
        local = [v.detach().clone() for v in variables]
        flat = torch.cat([v.detach().reshape(-1).to(torch.float64) for v in variables]).to(self.collective_device)
        dist.all_reduce(flat)  # host sync point: only where logs are read
        offset = 0
        with torch.no_grad():
            for variable in variables:
                count = variable.numel()
                value = flat[offset : offset + count].reshape(variable.shape)
                if variable.aggregation == "mean":
                    value = value / self.world_size
                variable.copy_(value.to(device=variable.device, dtype=variable.dtype))
                offset += count
        return list(zip(variables, local))

    @staticmethod
    def restore_metric_states(saved) -> None:
        with torch.no_grad():
            for variable, value in saved:
                variable.copy_(value)

    # ------------------------------------------------------------------ predictions
    def gather_predictions(self, arrays: list[np.ndarray], global_batch_sizes: list[int]) -> list[np.ndarray]:
        """Every process's predictions (its part of each global batch, in batch order)
        gathered and put back in the order of the data, padding dropped."""
        gathered = []
        for array in arrays:
            local = torch.from_numpy(np.ascontiguousarray(array)).to(self.collective_device)
            parts = [torch.empty_like(local) for _ in range(self.world_size)]
            dist.all_gather(parts, local)
            parts = [p.cpu().numpy() for p in parts]
            rows, offset = [], 0
            for size in global_batch_sizes:
                per_process = math.ceil(size / self.world_size)
                batch = np.concatenate([p[offset : offset + per_process] for p in parts])[:size]
                rows.append(batch)
                offset += per_process
            gathered.append(np.concatenate(rows) if rows else array)
        return gathered


class _EpochSettingLoader:
    """A `DataLoader` whose `DistributedSampler` is told the epoch (`set_epoch`) each time
    an epoch's iteration starts, so that every epoch is shuffled anew, the same on every rank."""

    def __init__(self, loader, sampler):
        self.loader = loader
        self.sampler = sampler
        self.epoch = 0

    def __iter__(self):
        self.sampler.set_epoch(self.epoch)
        self.epoch += 1
        return iter(self.loader)

    def __len__(self):
        return len(self.loader)


class _StepForward(torch.nn.Module):
    """The train step's forward as one module for DistributedDataParallel to wrap: its
    parameters are the model's, its `forward` is the step runner's."""

    def __init__(self, model, forward):
        super().__init__()
        self.model = model
        self._step_forward = forward

    def forward(self, training: bool, *x):
        return self._step_forward(list(x), training)


class DistributedStepRunner(StepRunner):
    """The step runner of a `DataParallel` run: the train step's forward goes through
    `DistributedDataParallel` and its backward is `loss.backward()`, during which DDP
    averages the gradients over the processes (DDP needs `backward`, not
    `torch.autograd.grad`). With `jit_compile=True` the DDP module is `torch.compile`d
    (torch's DDPOptimizer splits the graph at its buckets). Evaluation and prediction
    steps are the one-process ones on this process's data."""

    owns_parameters = False  # True where the runner, not the model, gives the optimizer its parameters

    def __init__(self, state, jit_compile: bool, run: DataParallelRun):
        super().__init__(state, jit_compile)
        self.data_parallel = run
        self._ddp = None
        self._ddp_forward = None
        self._wrapped_params: tuple | None = None

    def wrap(self) -> None:
        """Make (or remake, when the trainable parameters changed) the DDP module; making
        it broadcasts rank 0's parameters to every process. All ranks call this at the
        same point (it is a collective)."""
        model = self.model
        params = tuple(id(p) for p in model.parameters() if p.requires_grad)
        if not params or params == self._wrapped_params:
            return
        device = model._device()
        self._ddp = torch.nn.parallel.DistributedDataParallel(
            _StepForward(model, super().forward),
            device_ids=[device] if device.type == "cuda" else None,
            forward_sync_buffers=False,  # batch statistics stay per process, as Keras's BatchNormalization
        )
        # jit_compile: the DDP module compiled (a compiler failure falls back to eager, with
        # StepRunner's one warning).
        self._ddp_forward = self._guarded(torch.compile(self._ddp), self._ddp) if self.jit_compile else self._ddp
        self._wrapped_params = params

    def forward(self, x: list, training: bool) -> list:
        if training and self._ddp is not None and torch.is_grad_enabled():
            return list(self._ddp_forward(True, *x))
        return super().forward(x, training)

    def train_step(self, x, y, sw):
        state = self.state
        params = state.train_params
        if not params:
            return self._step_without_weights(x, y, sw)
        outputs, loss = self.forward_and_loss(x, y, sw, training=True)
        scaled = loss
        if self.grad_scaler is not None:
            scaled = self.grad_scaler.scale(loss)
        elif state.optimizer.loss_scale_factor is not None:
            scaled = loss * state.optimizer.loss_scale_factor
        scaled.backward()  # DDP all-reduces the gradients in buckets, overlapped with backward
        grads = [p.grad for p in params]
        for p in params:
            p.grad = None
        if self.grad_scaler is not None:
            grads = self._unscale(grads)
        with torch.no_grad():
            state.optimizer._fast_apply(list(grads), params)
            self._update_trackers_no_grad(loss, outputs, y, sw, x[0].shape[0] if x else 1)
        return loss
