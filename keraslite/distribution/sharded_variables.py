"""Keras variables whose values are held in shards by the processes of a run.

Under a multi-process `keras.distribution.ModelParallel`, FSDP2 keeps each sharded weight as a
DTensor (torch's sharded tensor: each process holds its shard). `hold_in_shards` then turns the
weight's Keras variable, in place, into a `ShardedVariable` that keeps no storage of its own:
the only copy of the weight on a process is its shard (plus, during a layer's call, the
gathered weights FSDP frees after it). The variable keeps its identity, `shape`, `dtype`,
`name`, `path` and `trainable`; what changes is where its value lives:

* **Reading it** (`numpy()`, `get_weights()`, `np.asarray(v)`, `v + 1`, saving) gathers the
  whole tensor from the shards. That is a collective: every process makes the same reads in
  the same order, as every rank of a torchrun script calls `fit`. `repr` does not gather.
* **Writing it** (`assign`, `set_weights`, `load_weights`, `copy_`) writes this process's slice
  of the value into its shard, with no communication (each process is given the whole value).
  Other in-place ops (`assign_add`, `v.add_(...)`) gather, update, and keep the slice.
* **Files are written by rank 0 only.** `write_from_primary(model, write)` runs `write` on rank
  0; every other rank answers rank 0's reads of the model's sharded variables meanwhile, one
  weight at a time (never all whole weights at once), so that `model.save`, `save_weights`,
  `ModelCheckpoint` and `BackupAndRestore` called on every rank write one file, on rank 0.

An optimizer built on the shards keeps one slot per shard (its update is elementwise); each
slot takes its weight's layout (`add_variable_from_reference`, as in Keras) and is given a
whole-shaped `ShardedVariable` view (`keras_variable(slot)`), which saving and the optimizer's
`get_weights` / `set_weights` read and write, so a file saved from a sharded run holds the
optimizer state a one-process run would hold.

This module imports no DTensor code (torch's distributed tensor modules take a second to
import): the DTensor of a sharded variable comes from a callable that training gives it.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
import torch.distributed as dist

from keraslite.backend.variable import Variable
from keraslite.distribution import process

_Tensor = torch.Tensor

# Answered from a whole-shaped meta tensor: nothing is read, nothing is gathered.
_SHAPE_QUERIES = frozenset(
    {
        _Tensor.shape.__get__,
        _Tensor.ndim.__get__,
        _Tensor.size,
        _Tensor.dim,
        _Tensor.ndimension,
        _Tensor.numel,
        _Tensor.nelement,
        _Tensor.__len__,
        _Tensor.stride,
        _Tensor.is_contiguous,
        _Tensor.nbytes.__get__,
    }
)
# Answered by the variable itself (its storage-free data tensor has the dtype and device of its shard).
_OWN_QUERIES = frozenset(
    {
        _Tensor.dtype.__get__,
        _Tensor.device.__get__,
        _Tensor.layout.__get__,
        _Tensor.is_cuda.__get__,
        _Tensor.is_cpu.__get__,
        _Tensor.is_meta.__get__,
        _Tensor.is_sparse.__get__,
        _Tensor.is_quantized.__get__,
        _Tensor.is_floating_point,
        _Tensor.is_complex,
        _Tensor.element_size,
        _Tensor.itemsize.__get__,
        _Tensor.requires_grad.__get__,
        _Tensor.requires_grad.__set__,
        _Tensor.requires_grad_,
        _Tensor.is_leaf.__get__,
        _Tensor.grad.__get__,
        _Tensor.grad.__set__,
        _Tensor.grad_fn.__get__,
        _Tensor.__hash__,
        _Tensor.untyped_storage,
        _Tensor.data_ptr,
        _Tensor.share_memory_,
        _Tensor.is_shared,
    }
)
_IN_PLACE_DUNDERS = frozenset(
    f"__i{name}__"
    for name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor", "lshift", "rshift")
)

WRITE_DURING_PRIMARY_READS = (
    "ShardedVariable '{path}': an in-place update that reads the value ({op}) ran while rank 0 writes a file; "
    "only reads are allowed then (the other processes are answering rank 0's reads)."
)
NOT_IN_SAVED_MODEL = (
    "ShardedVariable '{path}' was read on rank 0 while saving a model that does not hold it; the other processes "
    "cannot take part in that read. Read it on every process outside the save (e.g. `get_weights()`)."
)


class ShardedVariable(Variable):
    """A Keras variable whose value is held in shards by the processes of a run (see the
    module docstring). Made by `hold_in_shards` (a model weight, in place) or `sharded_view`
    (an optimizer slot's whole view); never constructed directly."""

    # `_shards()`: the DTensor holding the value; `_placeholder`: a meta tensor of the whole
    # shape (no storage), which answers shape queries.

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in _SHAPE_QUERIES:
            return _plain_call(func, *_replace((args, kwargs), lambda variable: variable._placeholder))
        if func in _OWN_QUERIES:
            return _plain_call(func, args, kwargs)
        target = args[0] if args else None
        if isinstance(target, ShardedVariable) and _is_in_place(func):
            return target._update_in_place(func, args[1:], kwargs)
        return _plain_call(func, *_replace((args, kwargs), lambda variable: variable._gather()))

    # ------------------------------------------------------------------ reading
    def _gather(self) -> torch.Tensor:
        """The whole value (a collective over the processes holding the shards)."""
        if _primary_reads is not None:
            _primary_reads.announce(self)
        with torch.no_grad():
            return self._shards().full_tensor().detach()

    # ------------------------------------------------------------------ writing
    def _write_whole(self, value) -> None:
        """Write this process's slice of `value` (a whole-shaped value) into its shard."""
        whole_shape = tuple(self._placeholder.shape)
        with torch.no_grad():
            shards = self._shards()
            local = shards.to_local()
            value = torch.as_tensor(value).to(device=local.device, dtype=local.dtype)
            if tuple(value.shape) != whole_shape:
                value = value.expand(whole_shape)
            dim = shards.placements[0].dim
            mesh = shards.device_mesh
            per_process = math.ceil(whole_shape[dim] / mesh.size())
            start = min(mesh.get_local_rank() * per_process, whole_shape[dim])
            local.copy_(value.narrow(dim, start, local.shape[dim]))

    def _update_in_place(self, func, rest: tuple, kwargs: dict):
        if func is _Tensor.copy_ or func is _Tensor.data.__set__:
            self._write_whole(_replace(rest[0], lambda variable: variable._gather()))
            return self
        if _primary_reads is not None:
            raise RuntimeError(WRITE_DURING_PRIMARY_READS.format(path=self.path, op=func.__name__))
        whole = self._gather()
        rest, kwargs = _replace((rest, kwargs), lambda variable: variable._gather())
        _plain_call(func, (whole, *rest), kwargs)
        self._write_whole(whole)
        return self

    # ------------------------------------------------------------------ Python protocol
    def __repr__(self) -> str:
        processes = self._shards().device_mesh.size()
        return (
            f"<Variable path={self.path}, shape={tuple(self.shape)}, dtype={str(self.dtype).replace('torch.', '')}, "
            f"value=<sharded over {processes} processes; reading it gathers it on every process>>"
        )

    def __deepcopy__(self, memo):
        # A copy is an ordinary variable holding the whole value (a collective, as any read).
        if id(self) in memo:
            return memo[id(self)]
        new = Variable(self._gather(), trainable=self.trainable, name=self.name, autocast=self.autocast)
        for key, value in self.__dict__.items():
            if key not in ("_shards", "_placeholder"):
                new.__dict__[key] = value
        memo[id(self)] = new
        return new


def hold_in_shards(variable: Variable, shards: Callable[[], torch.Tensor]) -> ShardedVariable:
    """Make `variable` (in place: the same object) a `ShardedVariable` whose value is the
    DTensor `shards()` returns, and release its own storage. The caller has copied the value
    into the shards (FSDP's `fully_shard` does)."""
    placeholder = torch.empty(variable.shape, dtype=variable.dtype, device="meta")
    # Storage-free: the only copy of the value on this process is its shard.
    variable.data = torch.empty(0, dtype=variable.dtype, device=variable.device)
    variable.__class__ = ShardedVariable
    variable._placeholder = placeholder
    variable._shards = shards
    return variable


def sharded_view(local: Variable, shards: Callable[[], torch.Tensor], shape) -> ShardedVariable:
    """A whole-shaped `ShardedVariable` reading and writing through `shards()` (a DTensor over
    `local`, this process's shard): an optimizer slot as a one-process run holds it."""
    view = Variable(
        torch.empty(0, dtype=local.dtype, device=local.device),
        trainable=False,
        name=local.name,
        aggregation=local.aggregation,
    )
    view._keras_path = local.path
    view.__class__ = ShardedVariable
    view._placeholder = torch.empty(tuple(shape), dtype=local.dtype, device="meta")
    view._shards = shards
    return view


def keras_variable(variable):
    """What Keras code sees of `variable`: the whole-shaped view of a slot kept per shard
    (set by training under ModelParallel), else the variable itself."""
    view = getattr(variable, "_whole_view", None)
    return variable if view is None else view


def keras_variables(variables) -> list:
    return [keras_variable(variable) for variable in variables]


def sharded_variables_of(model) -> list[ShardedVariable]:
    """The model's sharded weights, then its optimizer's sharded views, in a fixed order
    (the same on every process)."""
    found = [w for w in model.weights if isinstance(w, ShardedVariable)]
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and hasattr(optimizer, "variables"):
        found += [v for v in keras_variables(optimizer.variables) if isinstance(v, ShardedVariable)]
    return found


# ---------------------------------------------------------------------- rank 0 writes
class _PrimaryReads:
    """Rank 0's side of `write_from_primary`: each read of a sharded variable is first
    announced (its index in `sharded_variables_of(model)`) so the other ranks join it."""

    def __init__(self, variables: list[ShardedVariable]):
        self.index = {id(variable): i for i, variable in enumerate(variables)}

    def announce(self, variable: ShardedVariable) -> None:
        index = self.index.get(id(variable))
        if index is None:
            raise RuntimeError(NOT_IN_SAVED_MODEL.format(path=variable.path))
        _exchange_request(index)


_primary_reads: _PrimaryReads | None = None
_DONE = -1


def _exchange_request(index: int) -> int:
    """Rank 0's `index` on every rank."""
    message = torch.tensor([index], dtype=torch.int64, device=process.device_type_of_backend())
    dist.broadcast(message, src=0)
    return int(message[0])  # host sync: once per weight read while saving


def write_from_primary(model, write: Callable[[], object]):
    """Run `write` (which reads `model`'s variables and writes files) on rank 0 only and return
    its result there (None on other ranks). When the model has sharded variables, every rank
    must call this at the same point: the other ranks answer rank 0's reads of them, one
    weight at a time, until `write` returns (or raises)."""
    global _primary_reads
    if not process.is_multi_process():
        return write()
    variables = sharded_variables_of(model)
    if not variables:
        return write() if process.is_primary_process() else None
    if process.is_primary_process():
        _primary_reads = _PrimaryReads(variables)
        try:
            return write()
        finally:
            _primary_reads = None
            _exchange_request(_DONE)
    while (index := _exchange_request(_DONE)) != _DONE:
        variables[index]._gather()  # this process's part of rank 0's read
    return None


# ---------------------------------------------------------------------- helpers
def _is_in_place(func) -> bool:
    name = getattr(func, "__name__", "")
    if name in _IN_PLACE_DUNDERS or func is _Tensor.__setitem__ or func is _Tensor.data.__set__:
        return True
    return name.endswith("_") and not name.startswith("_")


def _plain_call(func, args, kwargs):
    with torch._C.DisableTorchFunctionSubclass():
        return func(*args, **kwargs)


def _replace(structure, change):
    """`structure` (nested tuples, lists, dicts) with each ShardedVariable replaced by `change(it)`."""
    if isinstance(structure, ShardedVariable):
        return change(structure)
    if isinstance(structure, (list, tuple)):
        return type(structure)(_replace(item, change) for item in structure)
    if isinstance(structure, dict):
        return {key: _replace(value, change) for key, value in structure.items()}
    return structure
