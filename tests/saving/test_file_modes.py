"""Saved files look as a user expects: created with the umask's mode (as Keras's are), and
a save killed mid-write leaves no temporary file once the next save of that path is done
(none at all where the OS gives unnamed files)."""

import contextlib
import os
import stat
import subprocess
import sys
import textwrap

import pytest

import keraslite as keras
from keraslite import layers
from keraslite.saving import atomic


def small_model():
    inputs = keras.Input((4,), name="x")
    return keras.Model(inputs, layers.Dense(2)(inputs))


@contextlib.contextmanager
def umask(value):
    previous = os.umask(value)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


SAVES = {
    "m.keras": lambda m, p: m.save(p),
    "m.h5": lambda m, p: m.save(p),
    "m.weights.h5": lambda m, p: m.save_weights(p),
    "m.safetensors": lambda m, p: m.save_weights(p),
}


@pytest.mark.parametrize("name", sorted(SAVES))
@pytest.mark.parametrize("mask,expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_saved_files_take_the_umask_mode(tmp_path, name, mask, expected):
    with umask(mask):
        SAVES[name](small_model(), tmp_path / name)
        SAVES[name](small_model(), tmp_path / name)  # and when replacing a file
    assert mode(tmp_path / name) == expected
    assert sorted(os.listdir(tmp_path)) == [name]


def test_saved_directories_take_the_umask_mode(tmp_path):
    with umask(0o022):
        small_model().save(tmp_path / "model_dir")
        small_model().save(tmp_path / "model_dir")
    assert mode(tmp_path / "model_dir") == 0o755
    assert {mode(tmp_path / "model_dir" / f) for f in os.listdir(tmp_path / "model_dir")} == {0o644}
    assert sorted(os.listdir(tmp_path)) == ["model_dir"]


def test_keras_files_have_the_same_mode_as_real_keras(keras_oracle, tmp_path):
    keras_oracle.run(
        "import os\nos.umask(0o022)\n"
        "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n"
        f"m.save({str(tmp_path / 'k.keras')!r})\n"
    )
    with umask(0o022):
        small_model().save(tmp_path / "m.keras")
    assert mode(tmp_path / "m.keras") == mode(tmp_path / "k.keras") == 0o644


def _killed_save(path, use_unnamed_file: bool) -> None:
    """Save in a child process that SIGKILLs itself half-way through writing the archive."""
    script = textwrap.dedent(
        f"""
        import os, signal, zipfile
        import keraslite as keras
        from keraslite import layers
        from keraslite.saving import atomic
        if not {use_unnamed_file!r}:
            atomic._open_unnamed = lambda directory: None  # as on an OS without O_TMPFILE
        inputs = keras.Input((4,))
        model = keras.Model(inputs, layers.Dense(2)(inputs))
        real = zipfile.ZipFile.writestr
        def killed(self, name, data, *a, **k):
            real(self, name, data, *a, **k)
            if name == "config.json":
                self.fp.flush()
                os.kill(os.getpid(), signal.SIGKILL)
        zipfile.ZipFile.writestr = killed
        model.save({str(path)!r})
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert result.returncode == -9, result.stderr.decode()[-2000:]


@pytest.mark.skipif(atomic._open_unnamed(os.getcwd()) is None, reason="no O_TMPFILE on this OS / file system")
def test_a_killed_save_leaves_nothing_with_unnamed_files(tmp_path):
    path = tmp_path / "m.keras"
    small_model().save(path)
    original = path.read_bytes()
    _killed_save(path, use_unnamed_file=True)
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]  # not even before the next save
    assert path.read_bytes() == original
    small_model().save(path)
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]


def test_a_killed_save_leaves_no_temp_file_after_the_next_save(tmp_path):
    path = tmp_path / "m.keras"
    small_model().save(path)
    original = path.read_bytes()
    _killed_save(path, use_unnamed_file=False)
    leftovers = [n for n in os.listdir(tmp_path) if n != "m.keras"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".m.keras.") and leftovers[0].endswith(".tmp")
    assert path.read_bytes() == original  # the old file stays whole
    keras.models.load_model(path)
    small_model().save(path)
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]


def test_temp_files_of_running_processes_and_other_files_are_kept(tmp_path):
    path = tmp_path / "m.keras"
    mine = tmp_path / f".m.keras.{atomic._HOST}.{os.getpid()}.abcd1234.tmp"  # a save in progress
    other = tmp_path / ".m.keras.notours.tmp"
    for f in (mine, other):
        f.write_bytes(b"x")
    small_model().save(path)
    assert sorted(os.listdir(tmp_path)) == sorted(["m.keras", mine.name, other.name])
