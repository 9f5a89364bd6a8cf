"""Which distributed run a call of fit / evaluate / predict makes, if any.

`TrainingState.make_adapter` asks once per call: `None` for a one-process run (no
distribution set, or one process), a `DataParallelRun` (distributed.py: DDP) under
`DataParallel`, a `ModelParallelRun` (model_parallel.py: FSDP2) under `ModelParallel`.
"""

from __future__ import annotations

from keraslite.distribution import distribution_lib, process


def run_for_current_distribution(state):
    """The run for `state`'s next call (the same object while the distribution is the same)."""
    current = distribution_lib.distribution()
    if current is None or not process.is_multi_process():
        return None
    distribution_lib.check_distribution_fits_run(current)
    run = state.data_parallel
    if run is not None and run.distribution is current:
        return run
    # Imported here: torch's DDP/FSDP modules take most of a second to import, which a
    # one-process program never needs.
    if isinstance(current, distribution_lib.ModelParallel):
        from keraslite.training.model_parallel import ModelParallelRun as kind
    else:
        from keraslite.training.distributed import DataParallelRun as kind
    return kind(current, shard_data=current.auto_shard_dataset)
