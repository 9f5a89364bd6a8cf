"""Training throughput of `fit` under `keras.distribution.DataParallel`, 1 or N processes.

    python tools/distributed_benchmark.py --workload W1                           # 1 process
    torchrun --nproc_per_node=2 tools/distributed_benchmark.py --workload W1      # 2 processes

Workloads are tools/benchmark.py's (W1 the guide's MNIST MLP, W2 its toy ResNet), on random
data; `--batch-size` is the global batch. After `--warmup` steps (one fit), one fit of
`--steps` global steps is timed; rank 0 prints one JSON line with the samples per second of
all processes together.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import torch.distributed as dist

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchmark  # noqa: E402  (tools/benchmark.py: the workloads' models and data)

import keraslite as keras  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workload", choices=["W1", "W2"], default="W1")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=None)
    args = parser.parse_args()
    batch = args.batch_size or benchmark.BATCH[args.workload]

    keras.distribution.initialize()
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    data = benchmark.make_data(args.workload, batch * (args.warmup + args.steps), np.random.default_rng(0))
    x, y = benchmark.keras_xy(args.workload, data)
    keras.utils.set_random_seed(0)
    model = benchmark.keras_model(keras, args.workload)
    split = batch * args.warmup
    model.fit(x[:split], y[:split], batch_size=batch, epochs=1, verbose=0, shuffle=False)
    dist.barrier()
    start = time.perf_counter()
    model.fit(x[split:], y[split:], batch_size=batch, epochs=1, verbose=0, shuffle=False)
    seconds = time.perf_counter() - start  # the fit ends with a collective (epoch logs): all ranks are done
    if dist.get_rank() == 0:
        report = {
            "workload": benchmark.WORKLOADS[args.workload],
            "processes": dist.get_world_size(),
            "global_batch": batch,
            "samples_per_s": round(batch * args.steps / seconds, 1),
        }
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
