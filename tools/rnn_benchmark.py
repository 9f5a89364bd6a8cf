"""Forward+backward time of LSTM and GRU: keraslite vs plain torch.nn.LSTM/GRU vs Keras 3
(torch backend, run in a subprocess so that the two libraries do not share a process).

    python tools/rnn_benchmark.py [--batch 32] [--steps 50] [--features 64] [--units 128]
                                  [--iters 40] [--device cpu|cuda] [--threads N] [--no-keras]

Prints one line per layer and a JSON summary. Targets (issue 6): keraslite <= 1.10x plain
torch, and >= 2x faster than Keras 3.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

_TIMER = r'''
import time, torch
def bench_interleaved(steps, iters, device):
    """Median time of each step function; the functions run in turn, round after round,
    so that load from other processes affects them alike."""
    for step in steps.values():
        for _ in range(3):
            step()
    times = {name: [] for name in steps}
    for _ in range(iters):
        for name, step in steps.items():
            if device == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            step()
            if device == "cuda":
                torch.cuda.synchronize()
            times[name].append(time.perf_counter() - start)
    return {name: sorted(t)[len(t) // 2] for name, t in times.items()}


def bench(step, iters, device):
    return bench_interleaved({"step": step}, iters, device)["step"]
'''

_KERAS_CODE = (
    _TIMER
    + r"""
import json, os, sys
import keras
args = json.loads(sys.argv[1])
if args.get("threads"):
    torch.set_num_threads(args["threads"])
torch.manual_seed(0)
x = torch.randn(args["batch"], args["steps"], args["features"], device=args["device"], requires_grad=True)
result = {}
for name in ("LSTM", "GRU"):
    layer = getattr(keras.layers, name)(args["units"], return_sequences=True)
    layer(x)
    def step():
        layer(x).sum().backward()
    result[name] = bench(step, args["iters"], args["device"])
print(json.dumps(result))
"""
)


def _keras_times(args) -> dict:
    env = dict(os.environ, KERAS_BACKEND="torch")
    if args.device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
    payload = json.dumps(
        {
            "batch": args.batch,
            "steps": args.steps,
            "features": args.features,
            "units": args.units,
            "iters": args.iters,
            "device": args.device,
            "threads": args.threads,
        }
    )
    out = subprocess.run(
        [sys.executable, "-c", _KERAS_CODE, payload], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--iters", type=int, default=40)
    parser.add_argument("--device", default="cuda" if __import__("torch").cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (both processes)")
    parser.add_argument("--no-keras", action="store_true")
    args = parser.parse_args(argv)

    import torch

    import keraslite as keras

    if args.threads:
        torch.set_num_threads(args.threads)

    namespace: dict = {}
    exec(_TIMER, namespace)
    keras.backend.set_device(args.device) if hasattr(keras.backend, "set_device") else None
    torch.manual_seed(0)
    x = torch.randn(args.batch, args.steps, args.features, device=args.device, requires_grad=True)
    summary = {"config": vars(args), "layers": {}}
    keras_times = {} if args.no_keras else _keras_times(args)
    for name, torch_cls in (("LSTM", torch.nn.LSTM), ("GRU", torch.nn.GRU)):
        ours = getattr(keras.layers, name)(args.units, return_sequences=True)
        ours(x)
        ours.to(args.device)
        plain = torch_cls(args.features, args.units, batch_first=True).to(args.device)

        def step_ours():
            ours(x).sum().backward()

        def step_plain():
            plain(x)[0].sum().backward()

        timed = namespace["bench_interleaved"]({"ours": step_ours, "plain": step_plain}, args.iters, args.device)
        t_ours, t_plain = timed["ours"], timed["plain"]
        row = {"keraslite_ms": t_ours * 1e3, "torch_ms": t_plain * 1e3, "vs_torch": t_ours / t_plain}
        if name in keras_times:
            row["keras3_ms"] = keras_times[name] * 1e3
            row["speedup_vs_keras3"] = keras_times[name] / t_ours
        summary["layers"][name] = row
        extra = (
            f"  keras3 {row['keras3_ms']:8.2f} ms  ({row['speedup_vs_keras3']:.2f}x faster)"
            if "keras3_ms" in row
            else ""
        )
        print(
            f"{name:5s} fwd+bwd  keraslite {row['keraslite_ms']:8.2f} ms  torch {row['torch_ms']:8.2f} ms  "
            f"({row['vs_torch']:.3f}x torch){extra}"
        )
    # Right-padded masks (Embedding(mask_zero) text batches) stay on the fused kernel.
    lengths = torch.randint(1, args.steps + 1, (args.batch,), device=args.device)
    mask = torch.arange(args.steps, device=args.device)[None, :] < lengths[:, None]
    fused = keras.layers.LSTM(args.units, return_sequences=True)
    looped = keras.layers.LSTM(args.units, return_sequences=True, unroll=True)
    fused(x)
    looped(x)
    plain = torch.nn.LSTM(args.features, args.units, batch_first=True).to(args.device)
    timed = namespace["bench_interleaved"](
        {
            "fused": lambda: fused(x, mask=mask).sum().backward(),
            "loop": lambda: looped(x, mask=mask).sum().backward(),
            "plain": lambda: plain(x)[0].sum().backward(),
        },
        max(args.iters // 4, 5),
        args.device,
    )
    summary["layers"]["LSTM_masked"] = {
        "keraslite_ms": timed["fused"] * 1e3,
        "step_loop_ms": timed["loop"] * 1e3,
        "torch_unmasked_ms": timed["plain"] * 1e3,
    }
    print(
        f"LSTM masked (right-padded) keraslite {timed['fused'] * 1e3:8.2f} ms  step loop {timed['loop'] * 1e3:8.2f} "
        f"ms  torch unmasked {timed['plain'] * 1e3:8.2f} ms"
    )
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
