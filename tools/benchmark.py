"""Training/predict speed of keraslite against hand-written PyTorch and Keras 3 (torch backend).

    python tools/benchmark.py                        # full run (3 interleaved rounds)
    python tools/benchmark.py --quick                # 1 round, few steps: a smoke run
    python tools/benchmark.py --workloads W4,W6 --impls torch_eager,keraslite_eager

Workloads (tools/benchmark_workloads.py): W1 the MNIST MLP (784-64-64-10, RMSprop, batch 64),
W2 the toy ResNet (CIFAR-10 shapes, batch 64), W3 the ticket model (two Embedding+LSTM
inputs + tags, two outputs with loss weights, batch 32), W4 a transformer encoder classifier
(MultiHeadAttention + LayerNormalization + FFN, sequence 128, batch 32), W5 ResNet50 from
`applications` (weights=None, 96x96, batch 16), W6 a text model (Embedding with masking,
bidirectional LSTM and GRU, batch 64). For each: `fit` (steady-state ms/step and warm-up),
`evaluate` and `predict` (ms per batch at two batch sizes, over the training rows), peak RSS.

Implementations: keraslite `fit` eager and `jit_compile=True`; a hand-written PyTorch
module and loop, eager and `torch.compile`d; Keras 3 with the torch backend (if
installed). Every measurement runs in a fresh process, rounds are interleaved across
implementations, and the median over rounds is reported. "ms/step" is steady state:
a warm-up fit (which includes any compilation, reported apart) runs first, and the
evaluate / predict timings follow a warm-up call on one full and one short batch. The
header line records the machine, the date and the load average (start and end).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchmark_workloads import (  # noqa: E402  (a sibling module of this script)
    BATCH,
    INFER_BATCHES,
    STEPS,
    WORKLOADS,
    keras_model,
    keras_xy,
    make_data,
    torch_correct,
    torch_loss,
    torch_model,
    torch_tensors,
)

IMPLS = ["torch_eager", "torch_compiled", "keraslite_eager", "keraslite_jit", "keras3"]
# `--reference-src DIR` adds this implementation: keraslite's eager `fit` imported from another
# checkout (e.g. a `git worktree` of the last release), for before/after ratios in one run.
REFERENCE_IMPL = "keraslite_reference"


# ---------------------------------------------------------------- worker
def peak_memory_mb():
    import torch

    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def torch_worker(torch, impl, workload, data, steps, warm_steps):
    """The hand-written loop: fit = shuffled batches through forward, loss, backward and
    RMSprop (Keras's defaults); evaluate = loss and correct-count summed on the device, read
    once at the end; predict = outputs kept on the device, copied to the host once."""
    result = {}
    batch = BATCH[workload]
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = torch_model(torch, workload).to(device)
    xs, ys = torch_tensors(torch, workload, data)
    xs, ys = [t.to(device) for t in xs], [t.to(device) for t in ys]
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    torch.set_flush_denormal(True)
    compiled = impl == "torch_compiled"

    def step(bx, by):
        out = model(*bx)
        loss = torch_loss(torch, workload, out, by)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss

    def evaluate_batch(bx, by):
        out = model(*bx)
        return torch_loss(torch, workload, out, by) * by[0].shape[0], torch_correct(torch, workload, out, by)

    def predict_batch(bx):
        return model(*bx)

    run = torch.compile(step) if compiled else step
    run_eval = torch.compile(evaluate_batch) if compiled else evaluate_batch
    run_predict = torch.compile(predict_batch) if compiled else predict_batch

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    def epoch(n_steps):
        model.train()
        perm = torch.randperm(xs[0].shape[0], device=device)
        for i in range(n_steps):
            idx = perm[i * batch : (i + 1) * batch]
            run([t[idx] for t in xs], [t[idx] for t in ys])
        sync()

    def evaluate(rows, size):
        model.eval()
        with torch.no_grad():
            totals = [evaluate_batch_totals(i, min(i + size, rows)) for i in range(0, rows, size)]
            loss = torch.stack([t[0] for t in totals]).sum() / rows
            correct = [t[1] for t in totals if t[1] is not None]
            values = [loss] + ([torch.stack(correct).sum() / rows] if correct else [])
            return [float(v) for v in values]  # host sync: once, at the end

    def evaluate_batch_totals(i, j):
        return run_eval([t[i:j] for t in xs], [t[i:j] for t in ys])

    def predict(rows, size):
        model.eval()
        with torch.inference_mode():
            outs = [run_predict([t[i : min(i + size, rows)] for t in xs]) for i in range(0, rows, size)]
            flat = [o if isinstance(o, torch.Tensor) else o[0] for o in outs]
            return torch.cat(flat).cpu().numpy()  # one device-to-host copy

    result["warmup_s"] = _timed(lambda: epoch(warm_steps))
    result["ms_per_step"] = _timed(lambda: epoch(steps)) / steps * 1e3
    _inference_timings(result, workload, xs[0].shape[0], evaluate, predict)
    return result


def keras_worker(keras, impl, workload, data, steps, warm_steps):
    result = {}
    batch = BATCH[workload]
    model = keras_model(keras, workload)
    if impl == "keraslite_jit":
        model.compile(**{**model._compile_config, "optimizer": keras.optimizers.RMSprop(1e-3), "jit_compile": True})
    x, y = keras_xy(workload, data)
    rows = len(next(iter(x.values()))) if isinstance(x, dict) else len(x)

    def head(value, n):
        return {k: v[:n] for k, v in value.items()} if isinstance(value, dict) else value[:n]

    warm = lambda: model.fit(x, y, batch_size=batch, epochs=1, steps_per_epoch=warm_steps, verbose=0)  # noqa: E731
    result["warmup_s"] = _timed(warm)
    result["ms_per_step"] = _timed(lambda: model.fit(x, y, batch_size=batch, epochs=1, verbose=0)) / steps * 1e3

    def evaluate(n, size):
        return model.evaluate(head(x, n), head(y, n), batch_size=size, verbose=0)

    def predict(n, size):
        return model.predict(head(x, n), batch_size=size, verbose=0)

    _inference_timings(result, workload, rows, evaluate, predict)
    return result


def _inference_timings(result, workload, rows, evaluate, predict):
    """ms per batch of evaluate and predict over all `rows` (the last batch may be short), at
    each of the workload's two batch sizes; a warm-up call first on a full and a short batch
    (under compilation: the static graph and the one dynamic-shape graph)."""
    for kind, fn in (("evaluate_ms", evaluate), ("predict_ms", predict)):
        timings, warm = {}, 0.0
        for size in INFER_BATCHES[workload]:
            warm += _timed(lambda: fn(min(rows, size + size // 2), size))  # noqa: B023
            batches = -(-rows // size)
            timings[str(size)] = _timed(lambda: fn(rows, size)) / batches * 1e3  # noqa: B023
        result[kind] = timings
        result[kind.replace("_ms", "_warmup_s")] = warm


def worker(impl, workload, steps, threads=1):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    data = make_data(workload, BATCH[workload] * steps, rng)
    result = {"impl": impl, "workload": workload, "threads": threads}
    if impl.startswith("torch"):
        result.update(torch_worker(torch, impl, workload, data, steps, warm_steps=3))
    else:
        if impl == "keras3":
            import keras
        else:
            import keraslite as keras
        result.update(keras_worker(keras, impl, workload, data, steps, warm_steps=3))
    result["peak_mem_mb"] = peak_memory_mb()
    print("RESULT " + json.dumps(result))


# ---------------------------------------------------------------- driver
def run_one(impl, workload, steps, timeout, threads=1, reference_src=None):
    env = dict(os.environ, KERAS_BACKEND="torch")
    if impl == REFERENCE_IMPL:  # the same keraslite code path, imported from another checkout
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [reference_src, env.get("PYTHONPATH")]))
    cmd = [
        sys.executable,
        os.path.abspath(__file__),
        "--worker",
        impl,
        "--workload",
        workload,
        "--steps",
        str(steps),
        "--threads",
        str(threads),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"impl": impl, "workload": workload, "error": f"timeout after {timeout}s"}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"impl": impl, "workload": workload, "error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one round, few steps (a smoke run)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--steps", type=int, default=None, help="timed training steps (default: per workload)")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--impls", default=",".join(IMPLS))
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--worker", default=None)
    parser.add_argument("--workload", default=None)
    parser.add_argument(
        "--threads", type=int, default=1, help="torch intra-op threads per run (1: stable timings on a shared machine)"
    )
    parser.add_argument("--json", default=None, help="also write raw results here")
    parser.add_argument(
        "--reference-src", default=None, help="a checkout whose keraslite runs as 'keraslite_reference' (before/after)"
    )
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.workload, args.steps, args.threads)
        return
    rounds = args.rounds or (1 if args.quick else 3)
    impls = args.impls.split(",")
    if args.reference_src:
        impls.append(REFERENCE_IMPL)
    import importlib.util

    if importlib.util.find_spec("keras") is None:
        impls = [i for i in impls if i != "keras3"]
    results = {}
    load_before = _loadavg()
    for workload in args.workloads.split(","):
        steps = args.steps or STEPS[workload][1 if args.quick else 0]
        for _ in range(rounds):  # interleaved: one run of every implementation per round
            for impl in impls:
                r = run_one(impl, workload, steps, args.timeout, args.threads, args.reference_src)
                results.setdefault((workload, impl), []).append(r)
                print(f"  {workload} {impl}: {r.get('ms_per_step', r.get('error'))}", file=sys.stderr, flush=True)
    print_table(results, rounds, args.threads, (load_before, _loadavg()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({f"{w}/{i}": v for (w, i), v in results.items()}, f, indent=1)


def _loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "n/a"


def _median(runs, key, sub=None):
    values = [r[key][sub] if sub is not None else r[key] for r in runs if key in r and r[key] is not None]
    return statistics.median(values) if values else None


def _ratio(value, base):
    return f"{value / base:.2f}x" if value and base else "-"


def _number(value):
    return "-" if value is None else (f"{value:.2f}" if value < 100 else f"{value:.0f}")


def print_table(results, rounds, threads=1, load=("n/a", "n/a")):
    import datetime
    import platform

    import torch

    device = (
        torch.cuda.get_device_name(0)
        if torch.cuda.is_available()
        else f"CPU ({os.cpu_count()} cores, {platform.processor() or platform.machine()})"
    )
    print(
        f"\nMachine: {device}; torch {torch.__version__}; {threads} torch thread(s) per run; median of {rounds} "
        f"round(s); {datetime.date.today()}; load average {load[0]} (start) / {load[1]} (end); "
        "ratios to hand-written eager PyTorch; evaluate/predict in ms per batch at the two batch sizes shown\n"
    )
    print(
        "| workload | implementation | fit ms/step | ratio | fit warm-up s | evaluate small | ratio | evaluate large | "
        "ratio | predict small | ratio | predict large | ratio | eval+predict warm-up s | peak MB | ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    columns = [("ms_per_step", None)]
    for workload in WORKLOADS:
        small, large = (str(b) for b in INFER_BATCHES[workload])
        columns = [("ms_per_step", None), ("evaluate_ms", small), ("evaluate_ms", large)]
        columns += [("predict_ms", small), ("predict_ms", large), ("peak_mem_mb", None)]
        base_runs = results.get((workload, "torch_eager")) or []
        base = [_median(base_runs, key, sub) for key, sub in columns]
        for impl in IMPLS + [REFERENCE_IMPL]:
            runs = results.get((workload, impl))
            if not runs:
                continue
            if all("error" in r for r in runs):
                print(f"| {workload} | {impl} | error: {runs[0]['error']} |||||||||||||")
                continue
            values = [_median(runs, key, sub) for key, sub in columns]
            cells = [f"{_number(v)} | {_ratio(v, b)}" for v, b in zip(values, base)]
            warm = _median(runs, "warmup_s")
            infer_warm = sum(filter(None, (_median(runs, "evaluate_warmup_s"), _median(runs, "predict_warmup_s"))))
            print(
                f"| {workload} {WORKLOADS[workload]} (@{small}/@{large}) | {impl} | {cells[0]} | {_number(warm)} | "
                f"{cells[1]} | {cells[2]} | {cells[3]} | {cells[4]} | {_number(infer_warm)} | {cells[5]} |"
            )


if __name__ == "__main__":
    main()
