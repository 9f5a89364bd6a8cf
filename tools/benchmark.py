"""Training/predict speed of keraslite against hand-written PyTorch and Keras 3 (torch backend).

    python tools/benchmark.py            # full run (3 interleaved rounds)
    python tools/benchmark.py --quick    # 1 round, few steps: minutes on 2 CPU cores

Workloads (from the seed guide): W1 the MNIST MLP (784-64-64-10, RMSprop, batch 64),
W2 the toy ResNet (CIFAR-10 shapes, batch 64), W3 the ticket model (two Embedding+LSTM
inputs + tags, two outputs with loss weights, batch 32).

Implementations: keraslite `fit` eager and `jit_compile=True`; a hand-written PyTorch
module and loop, eager and `torch.compile`d; Keras 3 with the torch backend (if
installed). Every measurement runs in a fresh process, rounds are interleaved across
implementations, and the median over rounds is reported. "ms/step" is steady state:
a warm-up fit (which includes any compilation, reported apart) runs first.
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

WORKLOADS = {"W1": "MNIST MLP, batch 64", "W2": "toy ResNet, batch 64", "W3": "ticket model, batch 32"}
IMPLS = ["torch_eager", "torch_compiled", "keraslite_eager", "keraslite_jit", "keras3"]
# `--reference-src DIR` adds this implementation: keraslite's eager `fit` imported from another
# checkout (e.g. a `git worktree` of the last release), for before/after ratios in one run.
REFERENCE_IMPL = "keraslite_reference"
BATCH = {"W1": 64, "W2": 64, "W3": 32}


def make_data(workload, n, rng):
    if workload == "W1":
        return {"x": rng.random((n, 784), dtype=np.float32), "y": rng.integers(0, 10, n)}
    if workload == "W2":
        return {
            "x": rng.random((n, 32, 32, 3), dtype=np.float32),
            "y": np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)],
        }
    return {
        "title": rng.integers(10000, size=(n, 10)).astype("float32"),
        "body": rng.integers(10000, size=(n, 100)).astype("float32"),
        "tags": rng.integers(2, size=(n, 12)).astype("float32"),
        "priority": rng.random((n, 1), dtype=np.float32),
        "department": rng.integers(2, size=(n, 4)).astype("float32"),
    }


# ---------------------------------------------------------------- Keras-API models
def keras_model(keras, workload):
    layers = keras.layers
    if workload == "W1":
        inputs = keras.Input(shape=(784,))
        x = layers.Dense(64, activation="relu")(inputs)
        x = layers.Dense(64, activation="relu")(x)
        model = keras.Model(inputs, layers.Dense(10)(x))
        model.compile(
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            optimizer=keras.optimizers.RMSprop(),
            metrics=["accuracy"],
        )
        return model
    if workload == "W2":
        inputs = keras.Input(shape=(32, 32, 3), name="img")
        x = layers.Conv2D(32, 3, activation="relu")(inputs)
        x = layers.Conv2D(64, 3, activation="relu")(x)
        block_1_output = layers.MaxPooling2D(3)(x)
        x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_1_output)
        x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
        block_2_output = layers.add([x, block_1_output])
        x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_2_output)
        x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
        block_3_output = layers.add([x, block_2_output])
        x = layers.Conv2D(64, 3, activation="relu")(block_3_output)
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(256, activation="relu")(x)
        x = layers.Dropout(0.5)(x)
        model = keras.Model(inputs, layers.Dense(10)(x))
        model.compile(
            optimizer=keras.optimizers.RMSprop(1e-3),
            loss=keras.losses.CategoricalCrossentropy(from_logits=True),
            metrics=["acc"],
        )
        return model
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(12,), name="tags")
    title_features = layers.LSTM(128)(layers.Embedding(10000, 64)(title_input))
    body_features = layers.LSTM(32)(layers.Embedding(10000, 64)(body_input))
    x = layers.concatenate([title_features, body_features, tags_input])
    model = keras.Model(
        [title_input, body_input, tags_input],
        [layers.Dense(1, name="priority")(x), layers.Dense(4, name="department")(x)],
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=[
            keras.losses.BinaryCrossentropy(from_logits=True),
            keras.losses.CategoricalCrossentropy(from_logits=True),
        ],
        loss_weights=[1.0, 0.2],
    )
    return model


def keras_xy(workload, data):
    if workload == "W3":
        return {k: data[k] for k in ("title", "body", "tags")}, {
            "priority": data["priority"],
            "department": data["department"],
        }
    return data["x"], data["y"]


# ---------------------------------------------------------------- hand-written torch
def torch_model(torch, workload):
    nn = torch.nn
    if workload == "W1":
        return nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    if workload == "W2":

        class ToyResNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.c1, self.c2 = nn.Conv2d(3, 32, 3), nn.Conv2d(32, 64, 3)
                self.c3, self.c4 = nn.Conv2d(64, 64, 3, padding=1), nn.Conv2d(64, 64, 3, padding=1)
                self.c5, self.c6 = nn.Conv2d(64, 64, 3, padding=1), nn.Conv2d(64, 64, 3, padding=1)
                self.c7 = nn.Conv2d(64, 64, 3)
                self.d1, self.drop, self.d2 = nn.Linear(64, 256), nn.Dropout(0.5), nn.Linear(256, 10)

            def forward(self, x):
                relu = torch.relu
                b1 = torch.max_pool2d(relu(self.c2(relu(self.c1(x)))), 3)
                b2 = relu(self.c4(relu(self.c3(b1)))) + b1
                b3 = relu(self.c6(relu(self.c5(b2)))) + b2
                x = relu(self.c7(b3)).mean(dim=(2, 3))
                return self.d2(self.drop(relu(self.d1(x))))

        return ToyResNet()

    class Ticket(nn.Module):
        def __init__(self):
            super().__init__()
            self.e1, self.e2 = nn.Embedding(10000, 64), nn.Embedding(10000, 64)
            self.l1, self.l2 = nn.LSTM(64, 128, batch_first=True), nn.LSTM(64, 32, batch_first=True)
            self.priority, self.department = nn.Linear(128 + 32 + 12, 1), nn.Linear(128 + 32 + 12, 4)

        def forward(self, title, body, tags):
            t = self.l1(self.e1(title))[1][0][0]
            b = self.l2(self.e2(body))[1][0][0]
            x = torch.cat([t, b, tags], dim=1)
            return self.priority(x), self.department(x)

    return Ticket()


def torch_tensors(torch, workload, data):
    if workload == "W1":
        return [torch.from_numpy(data["x"])], [torch.from_numpy(data["y"])]
    if workload == "W2":
        return [torch.from_numpy(data["x"]).permute(0, 3, 1, 2).contiguous()], [torch.from_numpy(data["y"])]
    return (
        [torch.from_numpy(data["title"]).long(), torch.from_numpy(data["body"]).long(), torch.from_numpy(data["tags"])],
        [torch.from_numpy(data["priority"]), torch.from_numpy(data["department"])],
    )


def torch_loss(torch, workload, outputs, targets):
    F = torch.nn.functional
    if workload == "W1":
        return F.cross_entropy(outputs, targets[0])
    if workload == "W2":
        return F.cross_entropy(outputs, targets[0])
    return F.binary_cross_entropy_with_logits(outputs[0], targets[0]) + 0.2 * F.cross_entropy(outputs[1], targets[1])


# ---------------------------------------------------------------- worker
def peak_memory_mb():
    import torch

    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(impl, workload, steps, threads=1):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import torch

    torch.set_num_threads(threads)

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    batch = BATCH[workload]
    warm_steps = 5
    data = make_data(workload, batch * steps, rng)
    result = {"impl": impl, "workload": workload}
    if impl.startswith("torch"):
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = torch_model(torch, workload).to(device)
        xs, ys = torch_tensors(torch, workload, data)
        xs, ys = [t.to(device) for t in xs], [t.to(device) for t in ys]
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
        torch.set_flush_denormal(True)

        def step(bx, by):
            out = model(*bx)
            loss = torch_loss(torch, workload, out, by)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            return loss

        run = torch.compile(step) if impl == "torch_compiled" else step

        def epoch(n_steps):
            model.train()
            perm = torch.randperm(xs[0].shape[0], device=device)
            for i in range(n_steps):
                idx = perm[i * batch : (i + 1) * batch]
                run([t[idx] for t in xs], [t[idx] for t in ys])
            if device.type == "cuda":
                torch.cuda.synchronize()

        start = time.perf_counter()
        epoch(warm_steps)
        result["warmup_s"] = time.perf_counter() - start
        start = time.perf_counter()
        epoch(steps)
        result["ms_per_step"] = (time.perf_counter() - start) / steps * 1e3
        model.eval()
        predict = {}
        with torch.inference_mode():
            for pb in (64, 1024):
                n = min(xs[0].shape[0], pb * (64 if pb == 64 else 8))
                model(*[t[:pb] for t in xs])
                start = time.perf_counter()
                outs = [model(*[t[i : i + pb] for t in xs]) for i in range(0, n, pb)]
                _ = [o.cpu() if isinstance(o, torch.Tensor) else [p.cpu() for p in o] for o in outs]
                predict[pb] = (time.perf_counter() - start) / len(outs) * 1e3
        result["predict_ms"] = predict
    else:
        if impl == "keras3":
            import keras
        else:
            import keraslite as keras
        model = keras_model(keras, workload)
        if impl == "keraslite_jit":
            model.compile(**{**model._compile_config, "optimizer": keras.optimizers.RMSprop(1e-3), "jit_compile": True})
        x, y = keras_xy(workload, data)
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, steps_per_epoch=warm_steps, verbose=0)
        result["warmup_s"] = time.perf_counter() - start
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
        result["ms_per_step"] = (time.perf_counter() - start) / steps * 1e3
        predict = {}
        for pb in (64, 1024):
            count = pb * (64 if pb == 64 else 8)
            px = {k: v[:count] for k, v in x.items()} if isinstance(x, dict) else x[:count]
            model.predict(
                {k: v[:pb] for k, v in px.items()} if isinstance(px, dict) else px[:pb], batch_size=pb, verbose=0
            )
            start = time.perf_counter()
            model.predict(px, batch_size=pb, verbose=0)
            n = -(
                -(len(next(iter(px.values()))) if isinstance(px, dict) else len(px)) // pb
            )  # batches, the last one may be short
            predict[pb] = (time.perf_counter() - start) / n * 1e3
        result["predict_ms"] = predict
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
    parser.add_argument("--quick", action="store_true", help="one round, few steps")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--workloads", default="W1,W2,W3")
    parser.add_argument("--impls", default=",".join(IMPLS))
    parser.add_argument("--timeout", type=int, default=900)
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
    for workload in args.workloads.split(","):
        steps = (
            args.steps or ({"W1": 60, "W2": 15, "W3": 15} if args.quick else {"W1": 300, "W2": 60, "W3": 60})[workload]
        )
        for _ in range(rounds):  # interleaved: one run of every implementation per round
            for impl in impls:
                r = run_one(impl, workload, steps, args.timeout, args.threads, args.reference_src)
                results.setdefault((workload, impl), []).append(r)
                print(f"  {workload} {impl}: {r.get('ms_per_step', r.get('error'))}", file=sys.stderr, flush=True)
    print_table(results, rounds, args.threads)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({f"{w}/{i}": v for (w, i), v in results.items()}, f, indent=1)


def _median(runs, key, sub=None):
    values = [r[key][sub] if sub is not None else r[key] for r in runs if key in r]
    return statistics.median(values) if values else None


def print_table(results, rounds, threads=1):
    import platform

    import torch

    device = (
        torch.cuda.get_device_name(0)
        if torch.cuda.is_available()
        else f"CPU ({os.cpu_count()} cores, {platform.processor() or platform.machine()})"
    )
    print(
        f"\nMachine: {device}; torch {torch.__version__}; {threads} torch thread(s) per run; median of {rounds} "
        "round(s); ratios to hand-written eager PyTorch\n"
    )
    print(
        "| workload | implementation | ms/step | ratio | warm-up s | predict ms/batch @64 | ratio | @1024 | ratio | "
        "peak MB | ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for workload in WORKLOADS:
        base = results.get((workload, "torch_eager"))
        if not base:
            continue
        b_step, b_p64, b_p1k, b_mem = (
            _median(base, "ms_per_step"),
            _median(base, "predict_ms", "64"),
            _median(base, "predict_ms", "1024"),
            _median(base, "peak_mem_mb"),
        )
        for impl in IMPLS + [REFERENCE_IMPL]:
            runs = results.get((workload, impl))
            if not runs:
                continue
            if all("error" in r for r in runs):
                print(f"| {workload} | {impl} | error: {runs[0]['error']} |||||||||")
                continue
            step, warm = _median(runs, "ms_per_step"), _median(runs, "warmup_s")
            p64, p1k, mem = (
                _median(runs, "predict_ms", "64"),
                _median(runs, "predict_ms", "1024"),
                _median(runs, "peak_mem_mb"),
            )
            ratio = lambda a, b: f"{a / b:.2f}x" if a and b else "-"  # noqa: E731
            print(
                f"| {workload} {WORKLOADS[workload]} | {impl} | {step:.2f} | {ratio(step, b_step)} | {warm:.1f} | "
                f"{p64:.2f} | {ratio(p64, b_p64)} | {p1k:.2f} | {ratio(p1k, b_p1k)} | {mem:.0f} | "
                f"{ratio(mem, b_mem)} |"
            )


if __name__ == "__main__":
    main()
