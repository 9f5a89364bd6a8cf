"""README's main job (its first command) writes its plots and saved model into the folder
README names, which git ignores, and nothing into the directory it is run from."""

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUTPUTS = (
    "my_first_model.png",
    "my_first_model_with_shape_info.png",
    "multi_input_and_output_model.png",
    "mini_resnet.png",
    "path_to_my_model",
)


def main_job_command() -> list[str]:
    """The `keraslite run ...` part of README's first bash block."""
    with open(os.path.join(ROOT, "README.md")) as file:
        readme = file.read()
    first_block = re.search(r"```bash\n(.*?)\n```", readme, re.S).group(1)
    command = first_block.split("&&")[-1].strip()
    assert command.startswith("keraslite run "), command
    return shlex.split(command)


def output_dir(command: list[str]) -> str:
    assert "--output-dir" in command, f"README's main job names no output folder: {command}"
    return command[command.index("--output-dir") + 1]


def test_readme_names_the_output_folder_and_git_ignores_it():
    folder = output_dir(main_job_command())
    with open(os.path.join(ROOT, "README.md")) as file:
        assert f"`{folder}/`" in file.read()
    inside = shutil.which("git") and subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT, capture_output=True
    )
    if not inside or inside.returncode != 0:
        pytest.skip("not a git checkout")
    for name in OUTPUTS:
        ignored = subprocess.run(["git", "check-ignore", "-q", f"{folder}/{name}"], cwd=ROOT)
        assert ignored.returncode == 0, f"{folder}/{name} is not ignored by git"


def test_the_main_job_writes_into_its_output_folder(tmp_path):
    command = main_job_command()
    folder = output_dir(command)
    # The checkout as README's reader has it, run from its root (here a copy of that root:
    # the examples folder, linked).
    os.symlink(os.path.join(ROOT, "examples"), tmp_path / "examples")
    env = dict(os.environ, KERASLITE_DEVICE="cpu", OMP_NUM_THREADS="1", KERASLITE_OFFLINE="1")
    result = subprocess.run(
        [sys.executable, "-m", "keraslite"] + command[1:],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(os.listdir(tmp_path)) == sorted(["examples", folder.split("/")[0]])
    for name in OUTPUTS:
        assert (tmp_path / folder / name).exists(), name
