"""Run a script or module as `__main__` with the keras/tensorflow aliases installed.

What Python itself does for `python script.py` / `python -m module` is kept: `sys.argv`,
`sys.path[0]`, `__file__`, the exit status, and tracebacks that start at the script
(the runner's own frames are left out of them).
"""

from __future__ import annotations

import code
import os
import runpy
import signal
import sys
import types
import warnings
import zipfile

from keraslite import __version__
from keraslite.compat.aliases import install_aliases


def _exec_script(path: str) -> None:
    if os.path.isdir(path) or not path.endswith((".py", ".pyw")) and _is_zip(path):
        # A directory or zip archive with a __main__.py, as `python DIR` runs it.
        runpy.run_path(path, run_name="__main__")
        return
    # Python 3.9+ gives the script's absolute path to `__file__` and to tracebacks.
    path = os.path.abspath(path)
    with open(path, "rb") as source_file:
        source = source_file.read()
    code = compile(source, path, "exec", dont_inherit=True)
    module = types.ModuleType("__main__")
    module.__file__ = path
    module.__builtins__ = __builtins__
    module.__spec__ = None
    module.__cached__ = None
    # The script's module *is* `__main__` for the rest of the process (pickling classes
    # defined in the script, `if __name__ == "__main__"`, multiprocessing), as under python.
    sys.modules["__main__"] = module
    exec(code, module.__dict__)


def _is_zip(path: str) -> bool:
    return os.path.isfile(path) and zipfile.is_zipfile(path)


def _own_frame(frame_summary_filename: str) -> bool:
    here = os.path.dirname(os.path.abspath(__file__))
    package_root = os.path.dirname(here)
    return (
        frame_summary_filename == __file__
        or os.path.abspath(frame_summary_filename)
        in (
            os.path.abspath(__file__),
            os.path.join(package_root, "cli.py"),
            os.path.join(package_root, "__main__.py"),
        )
        or os.path.basename(frame_summary_filename) == "runpy.py"
        or frame_summary_filename.startswith("<frozen runpy")
    )


def _strip_runner_frames(traceback_object):
    while traceback_object is not None and _own_frame(traceback_object.tb_frame.f_code.co_filename):
        traceback_object = traceback_object.tb_next
    return traceback_object


def _report_and_exit(error: BaseException) -> None:
    traceback_object = _strip_runner_frames(error.__traceback__)
    sys.excepthook(type(error), error.with_traceback(traceback_object), traceback_object)
    sys.stdout.flush()
    if isinstance(error, KeyboardInterrupt):
        # Die of SIGINT as Python does, so that the shell sees 130.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    sys.exit(1)


def _prepare() -> None:
    install_aliases()
    # TensorFlow code reads scalars with `float(loss)`; torch warns when the tensor
    # requires grad, which says nothing useful to the tutorial's reader.
    warnings.filterwarnings("ignore", message="Converting a tensor with requires_grad=True to a scalar")


def run_script(path: str, args: list[str] | tuple = ()) -> None:
    """Run the file at `path` as `__main__` with `sys.argv = [path, *args]`."""
    if not os.path.exists(path):
        print(
            f"keraslite run: can't open file {os.path.abspath(path)!r}: [Errno 2] No such file or directory",
            file=sys.stderr,
        )
        sys.exit(2)
    _prepare()
    sys.argv = [path, *args]
    sys.path[0:1] = [os.path.dirname(os.path.abspath(path))]
    try:
        _exec_script(path)
    except SystemExit:
        raise
    except BaseException as error:  # noqa: BLE001  (report it as Python would, then exit 1)
        _report_and_exit(error)


def run_module(name: str, args: list[str] | tuple = ()) -> None:
    """Run module `name` as `__main__` (like `python -m name`)."""
    _prepare()
    sys.argv = [name, *args]
    sys.path[0:1] = [os.getcwd()]
    try:
        runpy.run_module(name, run_name="__main__", alter_sys=True)
    except SystemExit:
        raise
    except ImportError as error:
        if getattr(error, "name", None) == name or str(error).startswith("No module named"):
            print(f"keraslite run: {error}", file=sys.stderr)
            sys.exit(1)
        _report_and_exit(error)
    except BaseException as error:  # noqa: BLE001
        _report_and_exit(error)


def run_command(command: str, args: list[str] | tuple = ()) -> None:
    """Run `command` (a string of code) as `__main__` (like `python -c`)."""
    _prepare()
    sys.argv = ["-c", *args]
    sys.path[0:1] = [""]
    module = types.ModuleType("__main__")
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    try:
        exec(compile(command, "<string>", "exec"), module.__dict__)
    except SystemExit:
        raise
    except BaseException as error:  # noqa: BLE001
        _report_and_exit(error)


def run_interactive() -> None:
    """An interactive console in which `import keras` / `import tensorflow` give keraslite."""
    _prepare()
    sys.argv = [""]
    code.interact(
        banner=f"keraslite {_version()} (keras and tensorflow alias keraslite here)", local={"__name__": "__main__"}
    )


def _version() -> str:
    return __version__
