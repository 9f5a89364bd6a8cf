"""tools/gpu_check.py runs on a CPU-only machine: its smoke mode takes under 30 s (of CPU),
skips every GPU check with a message saying why, and still measures the conv kernel copies."""

import os
import resource
import subprocess
import sys
import time

import pytest
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU-only behaviour is what is tested")
def test_smoke_mode_on_a_cpu_only_machine_skips_the_gpu_parts_in_under_30_s():
    env = dict(os.environ, PYTHONPATH=ROOT, KERAS_BACKEND="torch")
    start, cpu_start = time.perf_counter(), _children_cpu_seconds()
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "gpu_check.py"), "--smoke"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    elapsed, cpu = time.perf_counter() - start, _children_cpu_seconds() - cpu_start
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    skipped = [line for line in lines if line.startswith("SKIP")]
    for name in ("default_device", "to_cuda", "seed_models", "mixed_float16", "cudnn_rnn"):
        assert any(f" {name}: skipped: no CUDA device here" in line for line in skipped), proc.stdout
    assert any(line.startswith("PASS conv_weight_copy: on cpu,") for line in lines), proc.stdout
    assert "0 failed" in proc.stdout
    # CPU time is what the script costs; wall time on a shared, loaded machine is a multiple
    # of it (the limit on wall time is only a sanity bound there).
    assert cpu < 30, f"smoke run took {cpu:.1f} s of CPU"
    assert elapsed < 120, f"smoke run took {elapsed:.1f} s"


def _children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
