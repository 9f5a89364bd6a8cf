"""Does a second process reuse torch's compile caches for a `jit_compile=True` model?

    python tools/compile_cache_check.py                   # two fresh processes, one fresh cache dir
    python tools/compile_cache_check.py --break-even      # also: steps after which jit beats eager (W1)

The same small model (the W1 MNIST MLP: 784-64-64-10, RMSprop, batch 64, accuracy metric)
is fit with `jit_compile=True` in two fresh processes that share a fresh
`TORCHINDUCTOR_CACHE_DIR` (inductor's FX graph cache and AOTAutograd's cache are on by
default in torch 2.13). Each reports its warm-up (the first `fit` of 3 steps, which compiles
the train step, plus the dynamic-shape graph of a short batch) and the cache counters it
saw; the target is a second warm-up of at most 25% of the first.

`--break-even` measures W1's `fit` eager and compiled in fresh processes (compiled: with a
cold cache, then with the cache the cold run left): the warm-up (a first `fit` of 3 steps)
and the steady ms/step (a second `fit` of `--steps` steps, default 300), and reports the
step count after which the compiled total (warm-up included) falls below the eager total:
(jit warm-up - eager warm-up) / (eager ms/step - jit ms/step).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROWS = 64 * 40


def build_model(keras, jit_compile: bool):
    layers = keras.layers
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    model = keras.Model(inputs, layers.Dense(10)(x))
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
        jit_compile=jit_compile,
    )
    return model


def worker(kind: str, steps: int) -> None:
    import torch

    torch.set_num_threads(1)
    from torch._dynamo.utils import counters

    import keraslite as keras

    rng = np.random.default_rng(0)
    x = rng.random((max(ROWS, 64 * steps), 784), dtype=np.float32)
    y = rng.integers(0, 10, len(x))
    result = {}
    if kind == "cache":
        model = build_model(keras, jit_compile=True)
        start = time.perf_counter()
        model.fit(x[: 64 * 3], y[: 64 * 3], batch_size=64, epochs=1, verbose=0)
        model.fit(x[:100], y[:100], batch_size=64, epochs=1, verbose=0)  # a short batch: the dynamic graph
        result["warmup_s"] = time.perf_counter() - start
        result["counters"] = {
            group: dict(counters[group])
            for group in ("inductor", "aot_autograd")
            if any("cache" in key for key in counters[group])
        }
    else:  # break-even: warm-up (compilation) and steady ms/step, eager or compiled
        model = build_model(keras, jit_compile=kind == "jit")
        start = time.perf_counter()
        model.fit(x[: 64 * 3], y[: 64 * 3], batch_size=64, epochs=1, verbose=0)
        result["warmup_s"] = time.perf_counter() - start
        start = time.perf_counter()
        model.fit(x[: 64 * steps], y[: 64 * steps], batch_size=64, epochs=1, verbose=0)
        result["ms_per_step"] = (time.perf_counter() - start) / steps * 1e3
    print("RESULT " + json.dumps(result))


def run_worker(kind: str, steps: int, env: dict) -> dict:
    command = [sys.executable, os.path.abspath(__file__), "--worker", kind, "--steps", str(steps)]
    process = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
    for line in process.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"worker {kind} failed:\n{process.stderr[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", default=None)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--break-even", action="store_true")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.steps)
        return
    base_env = dict(os.environ, KERAS_BACKEND="torch")
    with tempfile.TemporaryDirectory(prefix="inductor-cache-") as cache_dir:
        env = dict(base_env, TORCHINDUCTOR_CACHE_DIR=cache_dir)
        first = run_worker("cache", 3, env)
        second = run_worker("cache", 3, env)
    ratio = second["warmup_s"] / first["warmup_s"]
    print(f"load average {_loadavg()}")
    print(f"first process warm-up:  {first['warmup_s']:.2f} s  counters {first['counters']}")
    print(f"second process warm-up: {second['warmup_s']:.2f} s  counters {second['counters']}")
    print(f"second / first: {ratio:.0%} (target <= 25%)")
    if args.break_even:
        steps = 300 if args.steps == 3 else args.steps
        with tempfile.TemporaryDirectory(prefix="inductor-cache-") as cache_dir:
            env = dict(base_env, TORCHINDUCTOR_CACHE_DIR=cache_dir)
            runs = {
                "eager": run_worker("eager", steps, env),
                "jit, cold cache": run_worker("jit", steps, env),
                "jit, warm cache": run_worker("jit", steps, env),
            }
        eager = runs["eager"]
        print(f"\nW1 fit, {steps} timed steps; load average {_loadavg()}")
        print("| run | warm-up s | ms/step | break-even steps vs eager |")
        print("|---|---|---|---|")
        for name, run in runs.items():
            gain = eager["ms_per_step"] - run["ms_per_step"]
            extra = run["warmup_s"] - eager["warmup_s"]
            if name == "eager":
                even = "-"
            elif gain <= 0:
                even = "never (not faster per step)"
            else:
                even = f"{max(0.0, extra) / gain * 1e3:,.0f}"
            print(f"| {name} | {run['warmup_s']:.2f} | {run['ms_per_step']:.3f} | {even} |")


def _loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "n/a"


if __name__ == "__main__":
    main()
