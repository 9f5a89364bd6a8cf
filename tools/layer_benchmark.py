"""Forward+backward time per layer: keraslite vs plain PyTorch vs Keras 3 (torch backend).

    python tools/layer_benchmark.py [--device cpu|cuda] [--iters 20] [--rounds 3] [--threads N] [--small] [--no-keras]

For each layer (Dense, Conv2D on channels-last images, BatchNormalization in training
mode, MultiHeadAttention) it times one forward pass plus the backward pass of
`output.square().mean()` with respect to the input and the weights, and prints the median
milliseconds of `--iters` runs after warm-up (the minimum; KERASLITE_BENCH_STAT=median for
the median). Keras 3 runs in a subprocess (it must not
share a process with keraslite) with KERAS_BACKEND=torch. Ratios: keraslite / torch
(target <= 1.10) and Keras / keraslite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# (name, batch input shape, layer kwargs); --small divides the sizes for slow CPUs.
CASES = {
    "Dense": ((512, 1024), {"units": 1024}),
    "Conv2D": ((32, 56, 56, 64), {"filters": 64, "kernel_size": 3, "padding": "same"}),
    "BatchNormalization": ((32, 56, 56, 64), {}),
    "MultiHeadAttention": ((16, 128, 256), {"num_heads": 8, "key_dim": 32}),
}
SMALL = {
    "Dense": ((128, 256), {"units": 256}),
    "Conv2D": ((8, 28, 28, 32), {"filters": 32, "kernel_size": 3, "padding": "same"}),
    "BatchNormalization": ((8, 28, 28, 32), {}),
    "MultiHeadAttention": ((8, 64, 128), {"num_heads": 4, "key_dim": 32}),
}


def _time(step, iters, device):
    import torch

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    for _ in range(3):
        step()
    sync()
    samples = []
    for _ in range(iters):
        start = time.perf_counter()
        step()
        sync()
        samples.append((time.perf_counter() - start) * 1000.0)
    # The minimum is the figure least disturbed by other work on a shared machine.
    return min(samples) if os.environ.get("KERASLITE_BENCH_STAT", "min") == "min" else statistics.median(samples)


def _step_for(layer_call, x, params):
    def step():
        for p in params:
            p.grad = None
        x.grad = None
        out = layer_call(x)
        out.square().mean().backward()

    return step


def _layer_call(name, layer):
    if name == "MultiHeadAttention":
        return lambda x: layer(x, x)
    if name == "BatchNormalization":
        return lambda x: layer(x, training=True)
    return layer


def bench_keraslite(name, shape, kwargs, device, iters):
    import torch

    import keraslite

    keraslite.backend.set_device(device) if hasattr(keraslite.backend, "set_device") else None
    layer = getattr(keraslite.layers, name)(**kwargs)
    x = torch.randn(shape, device=device, requires_grad=True)
    call = _layer_call(name, layer)
    call(x)
    layer.to(device)
    return _time(_step_for(call, x, list(layer.parameters())), iters, device)


def bench_torch(name, shape, kwargs, device, iters):
    """The hand-written PyTorch equivalent a user would write."""
    import torch

    if name == "Dense":
        module = torch.nn.Linear(shape[-1], kwargs["units"]).to(device)
        x = torch.randn(shape, device=device, requires_grad=True)
        call = module
    elif name == "Conv2D":
        module = (
            torch.nn.Conv2d(shape[-1], kwargs["filters"], kwargs["kernel_size"], padding="same")
            .to(device)
            .to(memory_format=torch.channels_last)
        )
        x = (
            torch.randn(shape[0], shape[3], shape[1], shape[2], device=device)
            .to(memory_format=torch.channels_last)
            .requires_grad_()
        )
        call = module
    elif name == "BatchNormalization":
        module = torch.nn.BatchNorm2d(shape[-1], eps=1e-3, momentum=0.01).to(device).train()
        x = (
            torch.randn(shape[0], shape[3], shape[1], shape[2], device=device)
            .to(memory_format=torch.channels_last)
            .requires_grad_()
        )
        call = module
    else:
        dim = shape[-1]
        module = torch.nn.MultiheadAttention(dim, kwargs["num_heads"], batch_first=True).to(device)
        x = torch.randn(shape, device=device, requires_grad=True)
        call = lambda t: module(t, t, t, need_weights=False)[0]  # noqa: E731
    return _time(_step_for(call, x, list(module.parameters())), iters, device)


def bench_keras_worker(device, iters, small):
    """Runs inside the Keras subprocess: for each case name read from stdin, times it with
    Keras 3 and answers one JSON line (the milliseconds)."""
    import keras
    import torch

    cases = SMALL if small else CASES
    print(json.dumps({"ready": keras.__version__}), flush=True)
    for line in sys.stdin:
        name = line.strip()
        shape, kwargs = cases[name]
        layer = getattr(keras.layers, name)(**kwargs)
        x = torch.randn(shape, device=device, requires_grad=True)
        call = _layer_call(name, layer)
        call(x)
        params = [v.value for v in layer.trainable_variables]
        print(json.dumps(_time(_step_for(call, x, params), iters, device)), flush=True)


class KerasTimer:
    """A Keras 3 process kept alive, so that its timings interleave with ours case by case."""

    def __init__(self, device, iters, small):
        import torch

        env = dict(os.environ, KERAS_BACKEND="torch")
        if device == "cpu":
            env["CUDA_VISIBLE_DEVICES"] = ""
        command = [
            sys.executable,
            os.path.abspath(__file__),
            "--keras-worker",
            "--device",
            device,
            "--iters",
            str(iters),
            "--threads",
            str(torch.get_num_threads()),
        ] + (["--small"] if small else [])
        self.process = subprocess.Popen(
            command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        json.loads(self.process.stdout.readline())

    def time(self, name):
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        return json.loads(line) if line else None

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=60)


def main(argv=None):
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--small", action="store_true", help="smaller sizes (slow CPUs)")
    parser.add_argument("--no-keras", action="store_true", help="skip Keras 3")
    parser.add_argument("--keras-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--threads", type=int, help="torch CPU threads (also for Keras)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best figure is kept")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.keras_worker:
        bench_keras_worker(args.device, args.iters, args.small)
        return
    cases = SMALL if args.small else CASES
    # Rounds interleave the three contenders so that a busy machine slows all of them
    # alike; each figure is the best over the rounds.
    best: dict = {}
    keras_timer = None if args.no_keras else KerasTimer(args.device, args.iters, args.small)
    for _ in range(args.rounds):
        for name, (shape, kwargs) in cases.items():
            figures = {
                "keras": keras_timer.time(name) if keras_timer else None,
                "keraslite": bench_keraslite(name, shape, kwargs, args.device, args.iters),
                "torch": bench_torch(name, shape, kwargs, args.device, args.iters),
            }
            for key, value in figures.items():
                if value is not None:
                    best[(name, key)] = min(value, best.get((name, key), value))
    if keras_timer:
        keras_timer.close()
    rows = []
    print(
        f"device={args.device} torch={torch.__version__} threads={torch.get_num_threads()} iters={args.iters} "
        f"rounds={args.rounds} (ms per forward+backward)"
    )
    print(f"{'layer':<20} {'input':<20} {'keraslite':>10} {'torch':>10} {'keras3':>10} {'kl/torch':>9} {'keras/kl':>9}")
    for name, (shape, kwargs) in cases.items():
        ours, plain, theirs = best[(name, "keraslite")], best[(name, "torch")], best.get((name, "keras"))
        rows.append({"layer": name, "input": list(shape), "keraslite_ms": ours, "torch_ms": plain, "keras_ms": theirs})
        keras_text = f"{theirs:10.3f}" if theirs is not None else f"{'-':>10}"
        speedup = f"{theirs / ours:9.2f}" if theirs is not None else f"{'-':>9}"
        print(
            f"{name:<20} {str(tuple(shape)):<20} {ours:10.3f} {plain:10.3f} {keras_text} {ours / plain:9.2f} {speedup}"
        )
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=2)


if __name__ == "__main__":
    main()
