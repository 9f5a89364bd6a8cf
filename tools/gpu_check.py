"""The GPU check: does keraslite use a CUDA device as Keras users expect, and how fast?

    python tools/gpu_check.py                  # every check, then the benchmark on CUDA
    python tools/gpu_check.py --smoke          # the checks at tiny sizes, no benchmark
    python tools/gpu_check.py --bench-workloads W1,W4 --bench-timeout 300

Checks (each prints PASS, FAIL or SKIP with what it saw):

  default_device     a new model's weights are on CUDA without being asked
  to_cuda            a model built on the CPU (`keras.device("cpu")`) moved with `.to("cuda")`
                     trains and predicts there
  seed_models        the seed guide's three models (tools/benchmark_workloads.py W1-W3) fit on
                     CUDA, eager and `jit_compile=True`, with a finite loss
  mixed_float16      the `mixed_float16` policy trains with float16 autocast and loss scaling
  cudnn_rnn          LSTM / GRU run cuDNN's fused kernel (`aten::_cudnn_rnn` in the profile),
                     not the per-timestep Python loop; with and without a mask
  conv_weight_copy   channels-last Conv2D: how many copies of the Keras-layout kernel a
                     forward+backward makes, and its time against `F.conv2d` with a
                     pre-laid-out weight (runs on the CPU too, as a measurement)
  benchmark          tools/benchmark.py's workloads on CUDA, as ratios to hand-written torch
                     (eager and compiled)

On a machine without CUDA every GPU part is skipped with a message saying so, and the exit
status is 0; it is 1 when a check fails.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402
from benchmark_workloads import BATCH, keras_model, keras_xy, make_data  # noqa: E402

import keraslite as keras  # noqa: E402

NO_CUDA = "skipped: no CUDA device here (torch.cuda.is_available() is False)"
results: list[tuple[str, str, str]] = []


def report(name, status, detail):
    results.append((name, status, detail))
    print(f"{status:4} {name}: {detail}", flush=True)


def check(name, needs_cuda=True):
    """Run the decorated check now, recording PASS (its returned detail), FAIL or SKIP."""

    def run(fn):
        if needs_cuda and not torch.cuda.is_available():
            report(name, "SKIP", NO_CUDA)
            return fn
        try:
            report(name, "PASS", fn())
        except Exception as error:  # a check's failure is reported, the others still run
            report(name, "FAIL", f"{type(error).__name__}: {str(error).splitlines()[0][:300] if str(error) else ''}")
        return fn

    return run


def small_mlp():
    inputs = keras.Input(shape=(8,))
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Dense(16, activation="relu")(inputs)))
    model.compile(optimizer="adam", loss="mse")
    return model


def weight_devices(model):
    return {str(w.device if isinstance(w, torch.Tensor) else w.value.device) for w in model.weights}


def profile_ops(fn, parents=False):
    """`(name, input shapes)` of the aten ops `fn` runs; with `parents`, also the name of
    the op (or autograd node) each was called from."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        fn()
    if not parents:
        return [(event.name, event.input_shapes) for event in prof.events()]
    return [(event.name, event.input_shapes, _caller(event)) for event in prof.events()]


def _caller(event):
    """The op above a copy: past the `clone` / `_to_copy` plumbing, the one that wanted it."""
    parent = event.cpu_parent
    while parent is not None and parent.name in ("aten::clone", "aten::_to_copy", "aten::contiguous", "aten::to"):
        if parent.cpu_parent is None:
            break
        parent = parent.cpu_parent
    return parent.name if parent is not None else "?"


def run_checks(args):
    rng = np.random.default_rng(0)

    @check("default_device")
    def _():
        model = small_mlp()
        devices = weight_devices(model)
        if devices != {"cuda:0"}:
            raise AssertionError(f"weights on {devices}, expected cuda:0")
        return f"keras.config.get_device() = {keras.config.get_device()}, weights on {devices}"

    @check("to_cuda")
    def _():
        with keras.device("cpu"):
            model = small_mlp()
        assert weight_devices(model) == {"cpu"}, weight_devices(model)
        model.to("cuda")
        x, y = rng.random((64, 8), dtype=np.float32), rng.random((64, 2), dtype=np.float32)
        loss = model.fit(x, y, epochs=1, batch_size=16, verbose=0).history["loss"][-1]
        out = model.predict(x, verbose=0)
        if weight_devices(model) != {"cuda:0"} or not np.isfinite(loss) or out.shape != (64, 2):
            raise AssertionError(f"weights on {weight_devices(model)}, loss {loss}, predict shape {out.shape}")
        return f"trained on cuda:0, loss {loss:.4f}"

    for jit in (False, True):

        @check(f"seed_models{' (jit_compile=True)' if jit else ''}")
        def _():
            seen = []
            for workload in ("W1", "W2", "W3"):
                keras.backend.clear_session()
                model = keras_model(keras, workload)
                if jit:
                    model.compile(**{**model._compile_config, "optimizer": "rmsprop", "jit_compile": True})
                x, y = keras_xy(workload, make_data(workload, BATCH[workload] * 4, rng))
                start = time.perf_counter()
                loss = model.fit(x, y, batch_size=BATCH[workload], epochs=2, verbose=0).history["loss"][-1]
                model.predict(x, batch_size=256, verbose=0)
                devices = weight_devices(model)
                if devices != {"cuda:0"} or not np.isfinite(loss):
                    raise AssertionError(f"{workload}: weights on {devices}, loss {loss}")
                seen.append(f"{workload} loss {loss:.3f} ({time.perf_counter() - start:.1f} s)")
            return ", ".join(seen)

    @check("mixed_float16")
    def _():
        keras.mixed_precision.set_global_policy("mixed_float16")
        try:
            keras.backend.clear_session()
            model = keras_model(keras, "W2")
            x, y = keras_xy("W2", make_data("W2", 256, rng))
            history = model.fit(x, y, batch_size=64, epochs=3, verbose=0).history["loss"]
            runner = model._training_state.runner
            with torch.no_grad(), torch.autocast("cuda", torch.float16):
                out = runner.forward([torch.as_tensor(x[:4], device="cuda")], False)[0]
            if runner.autocast != ("cuda", torch.float16) or runner.grad_scaler is None:
                raise AssertionError(f"autocast {runner.autocast}, loss scaler {runner.grad_scaler}")
            if not all(np.isfinite(history)):
                raise AssertionError(f"losses {history}")
            scale = runner.grad_scaler.get_scale()
            return f"losses {[round(v, 3) for v in history]}, loss scale {scale}, logits {out.dtype}"
        finally:
            keras.mixed_precision.set_global_policy("float32")

    @check("cudnn_rnn")
    def _():
        lines = []
        for kind in ("LSTM", "GRU"):
            for masked in (False, True):
                keras.backend.clear_session()
                inputs = keras.Input(shape=(None,), dtype="int32")
                x = keras.layers.Embedding(1000, 32, mask_zero=masked)(inputs)
                model = keras.Model(inputs, keras.layers.Dense(1)(getattr(keras.layers, kind)(64)(x)))
                model.compile(optimizer="adam", loss="mse")
                tokens = rng.integers(1, 1000, (32, 50)).astype("int32")
                if masked:
                    tokens[:, 40:] = 0  # right padding
                y = rng.random((32, 1), dtype=np.float32)
                model.fit(tokens, y, epochs=1, batch_size=32, verbose=0)
                ops = profile_ops(lambda: model.fit(tokens, y, epochs=1, batch_size=32, verbose=0))  # noqa: B023
                fused = sum(name == "aten::_cudnn_rnn" for name, _ in ops)
                lines.append(f"{kind}{' masked' if masked else ''}: {fused} cuDNN call(s)")
                if not masked and fused == 0:
                    raise AssertionError(f"{kind} did not use cuDNN; " + "; ".join(lines))
        return "; ".join(lines)

    @check("conv_weight_copy", needs_cuda=False)
    def _():
        device = "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cpu":
            torch.set_num_threads(1)  # stable timings on a shared CPU (no spinning thread pool)
        keras.backend.clear_session()
        channels, side = (16, 8) if args.smoke else (64, 32)
        layer = keras.layers.Conv2D(channels, 3, padding="same")
        batch = torch.randn(16, side, side, channels, device=device, requires_grad=True)
        layer(batch)  # builds
        kernel_shapes = {tuple(layer.kernel.shape), (channels, channels, 3, 3)}

        def keraslite_call():
            layer(batch).sum().backward()

        # The leaf copies (`aten::copy_`) of a kernel-sized tensor, and the op that asked for each
        # (`contiguous` in the convolution, `to` in its backward, ...).
        copies = [
            parent
            for name, shapes, parent in profile_ops(keraslite_call, parents=True)
            if name == "aten::copy_" and any(tuple(s) in kernel_shapes for s in shapes if s)
        ]
        weight = layer._torch_kernel().detach().contiguous(memory_format=torch.channels_last).requires_grad_(True)
        bias = layer.bias.detach().clone().requires_grad_(True)

        def torch_call():
            torch.nn.functional.conv2d(batch.movedim(-1, 1), weight, bias, padding=1).sum().backward()

        def timed(fn, n=3 if args.smoke else 30):
            fn()
            if device == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            for _ in range(n):
                fn()
            if device == "cuda":
                torch.cuda.synchronize()
            return (time.perf_counter() - start) / n * 1e3

        ours, theirs = timed(keraslite_call), timed(torch_call)
        return (
            f"on {device}, {tuple(batch.shape)} input: {len(copies)} kernel-sized copies per "
            f"forward+backward (made in {copies}); "
            f"{ours:.2f} ms vs {theirs:.2f} ms hand-written ({ours / theirs:.2f}x)"
        )

    if args.smoke:
        report("benchmark", "SKIP", "--smoke: the benchmark is not run")
        return

    @check("benchmark")
    def _():
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "benchmark.py")
        command = [sys.executable, script, "--quick", "--workloads", args.bench_workloads]
        command += ["--impls", args.bench_impls, "--timeout", str(args.bench_timeout)]
        command += ["--threads", str(args.threads), "--json", args.bench_json]
        proc = subprocess.run(command, capture_output=True, text=True)
        print(proc.stdout, flush=True)
        if proc.returncode:
            raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "benchmark failed")
        return f"table above; raw results in {args.bench_json}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes and no benchmark (a CPU-only machine: seconds)"
    )
    parser.add_argument("--bench-workloads", default="W1,W2,W3,W4,W5,W6")
    parser.add_argument("--bench-impls", default="torch_eager,torch_compiled,keraslite_eager,keraslite_jit")
    parser.add_argument("--bench-timeout", type=int, default=600, help="seconds per benchmark process")
    parser.add_argument("--bench-json", default="gpu_benchmark.json")
    parser.add_argument("--threads", type=int, default=4, help="torch CPU threads in the benchmark processes")
    args = parser.parse_args()
    if torch.cuda.is_available():
        cudnn = torch.backends.cudnn.version()
        print(f"Device: {torch.cuda.get_device_name(0)}; torch {torch.__version__}; cuDNN {cudnn}")
    else:
        print(f"No CUDA device here: GPU checks skipped, the CPU-side measurement runs. torch {torch.__version__}")
    run_checks(args)
    failed = [name for name, status, _ in results if status == "FAIL"]
    print(f"\n{len(results)} checks: {len(failed)} failed" + (f" ({', '.join(failed)})" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
