"""`keraslite run`: scripts and modules as __main__, with keras/tensorflow aliased."""

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import pytest

from keraslite.compat import aliases, install_aliases, uninstall_aliases

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import keras
    import tensorflow as tf
    from tensorflow import keras as tf_keras
    from tensorflow.keras import layers
    from tensorflow.keras.models import Model
    from keras.layers import Dense
    import tf_keras as legacy
    import keraslite

    class Local:
        pass

    print(json.dumps({
        "argv": sys.argv,
        "file": __file__,
        "name": __name__,
        "path0": sys.path[0],
        "keras": keras is keraslite and tf_keras is keraslite and legacy is keraslite and tf.keras is keraslite,
        "layers": layers is keraslite.layers and Dense is keraslite.layers.Dense and Model is keraslite.Model,
        "tf_dense": tf.keras.layers.Dense is keraslite.layers.Dense,
        "main_module": sys.modules["__main__"].Local is Local,
        "keraslite_spec": keraslite.__spec__.name,
    }))
    sys.stdout.flush()

    def fail():
        raise ValueError("boom from the script")

    if "--fail" in sys.argv:
        fail()
    sys.exit(int(sys.argv[-1]) if sys.argv[-1].isdigit() else 0)
    """
)


def _run(args, cwd):
    env = dict(os.environ, OMP_NUM_THREADS="1", KERASLITE_DEVICE="cpu")
    return subprocess.run(
        [sys.executable, "-m", "keraslite", "run", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_script_runs_as_main_with_aliases_and_python_tracebacks(tmp_path):
    script = tmp_path / "tutorial.py"
    script.write_text(SCRIPT)
    result = _run([str(script), "--fail"], cwd=tmp_path)
    report = json.loads(result.stdout)
    assert report["argv"] == [str(script), "--fail"]
    assert report["file"] == str(script) and report["name"] == "__main__"
    assert report["path0"] == str(tmp_path)
    assert report["keras"] and report["layers"] and report["tf_dense"] and report["main_module"]
    assert report["keraslite_spec"] == "keraslite"  # the aliases leave keraslite's own spec alone
    # An uncaught exception: Python's traceback, starting at the script, and exit status 1.
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1].startswith(f'  File "{script}", line ') and "in <module>" in lines[1]
    assert lines[-1] == "ValueError: boom from the script"
    assert "runner.py" not in result.stderr and "runpy" not in result.stderr


def test_module_and_command_forms(tmp_path):
    (tmp_path / "tutorial_module.py").write_text(SCRIPT)
    result = _run(["-m", "tutorial_module", "x", "3"], cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    report = json.loads(result.stdout)
    assert report["argv"] == [str(tmp_path / "tutorial_module.py"), "x", "3"]
    assert report["keras"] and report["name"] == "__main__"

    command = "import sys, keras, tensorflow as tf; print(keras.__name__, tf.float32.__repr__(), sys.argv[1:])"
    result = _run(["-c", command, "a"], cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "keraslite tf.float32 ['a']"


def test_missing_script_exits_2(tmp_path, capsys):
    from keraslite.compat import runner

    with pytest.raises(SystemExit) as exit_info:
        runner.run_script(str(tmp_path / "nope.py"))
    assert exit_info.value.code == 2 and "No such file" in capsys.readouterr().err


def test_cli_usage_and_version(capsys):
    from keraslite.cli import main

    assert main(["--version"]) == 0 and capsys.readouterr().out.startswith("keraslite ")
    assert main(["frobnicate"]) == 2 and "unknown command" in capsys.readouterr().err
    assert main([]) == 2 and "keraslite run SCRIPT.py" in capsys.readouterr().out


def test_install_aliases_in_process_and_uninstall():
    assert "tensorflow" not in sys.modules
    install_aliases()
    try:
        import keras  # noqa: F401  (resolved by the alias finder)
        import tensorflow as tf
        from tensorflow.keras import layers

        import keraslite

        assert keras is keraslite and layers is keraslite.layers and tf.keras is keraslite
        # TF 2.2-2.5's home of the preprocessing layers, by import and by attribute path.
        from tensorflow.keras.layers.experimental.preprocessing import Normalization

        assert Normalization is keraslite.layers.Normalization
        assert tf.keras.layers.experimental.preprocessing.Rescaling is keraslite.layers.Rescaling
        assert aliases.resolve("tensorflow.keras.layers") == "keraslite.layers"
        assert aliases.resolve("keras.src") == "keraslite.src"
        with pytest.raises(ModuleNotFoundError, match="keras.no_such_module"):
            importlib.import_module("keras.no_such_module")
    finally:
        from keraslite.graph import display

        display.set_display_types(tuple, str)
        uninstall_aliases()
    assert not [name for name in sys.modules if name.partition(".")[0] in ("keras", "tensorflow", "tf_keras")]
    # Nothing is installed under the alias names: after uninstalling, `tensorflow` is unknown.
    assert importlib.util.find_spec("tensorflow") is None
    spec = importlib.util.find_spec("keras")
    assert spec is None or not _inside_keraslite_package(spec.origin)
    assert not os.path.exists(os.path.join(os.path.dirname(os.path.dirname(keraslite_file())), "tensorflow"))


def _inside_keraslite_package(origin) -> bool:
    """Whether a module file is one of keraslite's own (not: whether its path mentions
    "keraslite", which a checkout named `keraslite` with its `.venv` inside gives real Keras)."""
    if not origin:
        return False
    package = os.path.dirname(os.path.realpath(keraslite_file()))
    return os.path.commonpath([os.path.realpath(origin), package]) == package


def test_real_keras_inside_a_checkout_named_keraslite_is_not_ours():
    package = os.path.dirname(os.path.realpath(keraslite_file()))
    assert _inside_keraslite_package(os.path.join(package, "layers", "__init__.py"))
    venv_keras = os.path.join(os.path.dirname(package), ".venv", "lib", "site-packages", "keras", "__init__.py")
    assert not _inside_keraslite_package(venv_keras)  # .../keraslite/.venv/...: real Keras, not ours
    assert not _inside_keraslite_package("/home/u/keraslite/.venv/lib/python3.11/site-packages/keras/__init__.py")


def keraslite_file():
    import keraslite

    return keraslite.__file__


@pytest.fixture
def in_process_run(monkeypatch):
    """`keraslite run` in this process makes the script `__main__` for good (as python does) and
    installs the aliases: put both back, or a later test that spawns processes would re-run the
    script in its children (multiprocessing re-imports `__main__`), and real keras would alias."""
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield
    uninstall_aliases()


def test_output_dir_runs_the_script_there(tmp_path, monkeypatch, in_process_run):
    from keraslite.cli import main

    script = tmp_path / "writes.py"
    script.write_text("import os\nopen('plot.png', 'w').write('x')\nprint(os.getcwd())\n")
    start = tmp_path / "checkout"
    start.mkdir()
    monkeypatch.chdir(start)
    assert main(["run", "--output-dir", "outputs/job", "../writes.py"]) == 0
    assert (start / "outputs" / "job" / "plot.png").exists()
    assert sorted(os.listdir(start)) == ["outputs"]
    assert main(["run", "--output-dir"]) == 2
