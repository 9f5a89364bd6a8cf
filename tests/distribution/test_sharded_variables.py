"""`ShardedVariable` in 2 real CPU processes (gloo), on a DTensor sharded unevenly (5 rows:
3 on rank 0, 2 on rank 1): shape queries and `repr` make no collective, reads gather the
whole value, writes put each rank's slice into its shard, and `write_from_primary` lets rank 0
read while rank 1 answers."""

from __future__ import annotations

import copy
import json
import os

import numpy as np

from tests.distribution.launcher import launch

WHOLE = np.arange(15, dtype="float32").reshape(5, 3)


class _Model:
    """What `write_from_primary` asks of a model: its weights (and optimizer)."""

    def __init__(self, weights):
        self.weights = weights
        self.optimizer = None


def _worker(rank, out_dir):
    import torch
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import Shard, distribute_tensor

    import keraslite as keras
    from keraslite.distribution import sharded_variables

    keras.distribution.initialize()
    mesh = init_device_mesh("cpu", (2,))
    report = {}

    def make(name):
        shards = distribute_tensor(torch.from_numpy(WHOLE.copy()), mesh, [Shard(0)])
        variable = keras.Variable(WHOLE.copy(), name=name)
        keras_object = variable
        sharded_variables.hold_in_shards(variable, lambda: shards)
        assert keras_object is variable  # the same object, now sharded
        return variable, shards

    variable, shards = make("w")
    with torch._C.DisableTorchFunctionSubclass():
        report["own_bytes"] = variable.untyped_storage().nbytes()
    if rank == 1:
        # No collective: rank 0 is not taking part (a gather here would never return).
        report["queries"] = [
            list(variable.shape),
            str(variable.dtype),
            str(variable.device),
            variable.ndim,
            len(variable),
            variable.numel(),
            variable.requires_grad,
            variable.name,
            "sharded over 2 processes" in repr(variable),
            hash(variable) == id(variable),
        ]
    torch.distributed.barrier()
    report["read"] = variable.numpy().tolist()
    report["asarray"] = np.asarray(variable).tolist()
    report["sum"] = float((variable + 1).sum())
    variable.assign(WHOLE * 10)
    report["local_after_assign"] = shards.to_local().tolist()
    variable.add_(1.0)
    variable[0] = -1.0
    report["after_updates"] = variable.numpy().tolist()
    copied = copy.deepcopy(variable)  # an ordinary variable holding the whole value
    report["copy"] = [type(copied).__name__, copied.name, copied.numpy().tolist()]

    # A slot kept per shard, seen whole.
    local = keras.Variable(shards.to_local().detach().clone(), name="slot")
    view = sharded_variables.sharded_view(local, lambda: distribute_tensor_from_local(local, mesh), (5, 3))
    report["view"] = [list(view.shape), view.numpy().tolist()]
    view.assign(np.zeros((5, 3), "float32"))
    report["slot_local"] = local.numpy().tolist()

    # Rank 0 writes, rank 1 answers its reads.
    model = _Model([variable, keras.Variable(np.ones(2, "float32"), name="plain")])
    result = sharded_variables.write_from_primary(model, lambda: [variable.numpy().sum(), variable.numpy().sum()])
    report["primary"] = None if result is None else [float(r) for r in result]
    stranger, _ = make("stranger")
    try:
        sharded_variables.write_from_primary(model, lambda: stranger.numpy())
        report["stranger"] = "no error"
    except RuntimeError as error:
        report["stranger"] = str(error)
    with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as f:
        json.dump(report, f)


def distribute_tensor_from_local(local, mesh):
    import torch
    from torch.distributed.tensor import DTensor, Shard

    return DTensor.from_local(
        local.detach(), mesh, [Shard(0)], run_check=False, shape=torch.Size((5, 3)), stride=(3, 1)
    )


def test_sharded_variable_reads_gather_and_writes_keep_each_slice(tmp_path):
    launch(_worker, 2, str(tmp_path))
    reports = [json.loads((tmp_path / f"rank{rank}.json").read_text()) for rank in (0, 1)]
    assert reports[1]["queries"] == [[5, 3], "torch.float32", "cpu", 2, 5, 15, True, "w", True, True]
    updated = WHOLE * 10 + 1
    updated[0] = -1
    for rank, report in enumerate(reports):
        assert report["own_bytes"] == 0  # the variable keeps no storage
        assert report["read"] == report["asarray"] == WHOLE.tolist()
        assert report["sum"] == float((WHOLE + 1).sum())
        rows = slice(0, 3) if rank == 0 else slice(3, 5)
        assert report["local_after_assign"] == (WHOLE * 10)[rows].tolist()
        assert report["after_updates"] == updated.tolist()
        assert report["copy"] == ["Variable", "w", updated.tolist()]
        assert report["view"] == [[5, 3], updated.tolist()]
        assert report["slot_local"] == np.zeros((3 if rank == 0 else 2, 3)).tolist()
    assert reports[0]["primary"] == [float(updated.sum())] * 2
    assert reports[1]["primary"] is None
    # Reading a sharded variable the saved model does not hold fails on rank 0; rank 1 is released.
    assert "does not hold it" in reports[0]["stranger"]
    assert reports[1]["stranger"] == "no error"
