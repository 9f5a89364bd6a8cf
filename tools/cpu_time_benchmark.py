"""CPU time per fit step, evaluate batch and predict batch, and peak RSS, of one workload of
`benchmark.py` (its models and data), for hand-written PyTorch or keraslite, in this process.

On a machine shared with other jobs, wall-clock ratios move by tens of percent between
rounds; the CPU time this process used (user + system, one torch thread) moves by a few.
Run it once per implementation, alternating, and compare; for keraslite before/after,
point PYTHONPATH at the two checkouts.

    PYTHONPATH=. python tools/cpu_time_benchmark.py W5 torch 6
    PYTHONPATH=. python tools/cpu_time_benchmark.py W5 keraslite 6
"""

import os
import resource
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchmark_workloads import (  # noqa: E402  (a sibling module of this script)
    BATCH,
    INFER_BATCHES,
    keras_model,
    make_data,
    torch_correct,
    torch_loss,
    torch_model,
    torch_tensors,
)


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def per_call_ms(fn, calls):
    start = cpu_seconds()
    fn()
    return (cpu_seconds() - start) / calls * 1e3


def torch_functions(workload, data, rows, batch):
    model = torch_model(torch, workload)
    xs, ys = torch_tensors(torch, workload, data)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    torch.set_flush_denormal(True)

    def fit(steps):
        model.train()
        order = torch.randperm(rows)
        for i in range(steps):
            index = order[i * batch : (i + 1) * batch]
            loss = torch_loss(torch, workload, model(xs[0][index]), [ys[0][index]])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()

    def evaluate(size):
        model.eval()
        with torch.no_grad():
            totals = []
            for i in range(0, rows, size):
                outputs, targets = model(xs[0][i : i + size]), [ys[0][i : i + size]]
                totals.append(torch_loss(torch, workload, outputs, targets) * targets[0].shape[0])
                torch_correct(torch, workload, outputs, targets)
            float(torch.stack(totals).sum())  # host sync: once

    def predict(size):
        model.eval()
        with torch.inference_mode():
            torch.cat([model(xs[0][i : i + size]) for i in range(0, rows, size)]).numpy()

    return fit, evaluate, predict


def keraslite_functions(workload, data, batch):
    import keraslite as keras

    model = keras_model(keras, workload)
    x, y = data["x"], data["y"]

    def fit(steps):
        model.fit(x[: steps * batch], y[: steps * batch], batch_size=batch, verbose=0)

    def evaluate(size):
        model.evaluate(x, y, batch_size=size, verbose=0)

    def predict(size):
        model.predict(x, batch_size=size, verbose=0)

    return fit, evaluate, predict


def main():
    workload, implementation, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if workload not in ("W1", "W2", "W4", "W5"):
        raise SystemExit(f"workload must be one with one input and one target (W1, W2, W4, W5). Received: {workload}")
    torch.set_num_threads(1)
    batch = BATCH[workload]
    rows = batch * steps
    data = make_data(workload, rows, np.random.default_rng(0))
    if implementation == "torch":
        fit, evaluate, predict = torch_functions(workload, data, rows, batch)
    else:
        fit, evaluate, predict = keraslite_functions(workload, data, batch)
    fit(3)  # warm-up
    result = {"fit": per_call_ms(lambda: fit(steps), steps)}
    for name, fn in (("evaluate", evaluate), ("predict", predict)):
        for size in INFER_BATCHES[workload]:
            fn(size)  # warm-up
            result[f"{name}@{size}"] = per_call_ms(lambda: fn(size), -(-rows // size))  # noqa: B023
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(workload, implementation, " ".join(f"{key} {value:.0f}" for key, value in result.items()), flush=True)


if __name__ == "__main__":
    main()
