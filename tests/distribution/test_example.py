"""`examples/distributed_mnist.py` runs as README says: under torchrun with 2 CPU processes."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_example_trains_under_torchrun_with_two_processes(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT, CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node=2",
            os.path.join(ROOT, "examples", "distributed_mnist.py"),
            "--synthetic",
            "--epochs",
            "1",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert (tmp_path / "distributed_mnist.keras").exists()  # written once, by rank 0


SCRIPT_WITHOUT_TEARDOWN = """
import atexit, os, torch.distributed as dist
import keraslite as keras

def say(text):  # one write per line: the two ranks share the pipe, and print() writes twice
    os.write(1, (text + "\\n").encode())

# Registered before initialize(): exit handlers run last-in first-out, so this one runs after
# keraslite's and sees what it left.
atexit.register(lambda: say(f"group still up after exit handlers: {dist.is_initialized()}"))
keras.distribution.initialize()
say(f"group up: {dist.is_initialized()}")
"""


def test_initialize_tears_its_process_group_down_at_exit(tmp_path):
    # A script that never destroys the group (as Keras guides do not) exits cleanly: the
    # group `initialize()` made is torn down after a barrier at exit (a rank leaving while the
    # other still finished its last collective aborted gloo: "terminate called ...").
    script = tmp_path / "script.py"
    script.write_text(SCRIPT_WITHOUT_TEARDOWN)
    env = dict(os.environ, PYTHONPATH=ROOT, CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1")
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", str(script)]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("group up: True") == 2
    assert done.stdout.count("group still up after exit handlers: False") == 2, done.stdout
