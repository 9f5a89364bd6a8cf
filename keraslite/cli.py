"""The `keraslite` command.

keraslite run SCRIPT.py [ARGS...]    run a Keras/tf.keras script unchanged
keraslite run --output-dir DIR SCRIPT.py [ARGS...]
                                     ... with DIR (created if needed) as its working
                                     directory, where the files it writes by relative
                                     path (plots, saved models) go
keraslite run -m MODULE [ARGS...]    run a module as `python -m` would
keraslite run -c CODE [ARGS...]      run a string of code
keraslite run                        interactive console with the aliases
keraslite --version
"""

from __future__ import annotations

import os
import sys

from keraslite.compat import runner
from keraslite.version import __version__

USAGE = """usage: keraslite run SCRIPT.py [ARGS...]
       keraslite run --output-dir DIR SCRIPT.py [ARGS...]
       keraslite run -m MODULE [ARGS...]
       keraslite run -c CODE [ARGS...]
       keraslite --version

Runs Keras / tf.keras code unchanged on keraslite: in that process `keras`, `keras.*`,
`tensorflow`, `tensorflow.keras.*` and `tf_keras` import keraslite (and its TensorFlow shim).
--output-dir DIR runs the code in DIR (created if needed), so that the files it writes by
relative path land there; SCRIPT.py is found from the current directory.
"""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `keraslite` console script and of `python -m keraslite`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0 if argv else 2
    if argv[0] in ("-V", "--version"):
        print(f"keraslite {__version__}")
        return 0
    if argv[0] != "run":
        print(f"keraslite: unknown command {argv[0]!r}\n\n{USAGE}", end="", file=sys.stderr)
        return 2
    rest = argv[1:]
    if not rest:
        runner.run_interactive()
        return 0
    if rest[0] == "--output-dir" or rest[0].startswith("--output-dir="):
        if rest[0] == "--output-dir" and len(rest) < 2:
            print("keraslite run: argument expected for the --output-dir option", file=sys.stderr)
            return 2
        directory = rest[0].partition("=")[2] if "=" in rest[0] else rest[1]
        rest = rest[1:] if "=" in rest[0] else rest[2:]
        if not rest:
            print("keraslite run: a script, -m MODULE or -c CODE is expected after --output-dir", file=sys.stderr)
            return 2
        script = 1 if rest[0] == "--" and len(rest) > 1 else 0
        if script or not rest[0].startswith("-"):
            rest[script] = os.path.abspath(rest[script])  # found from where the command was typed
        os.makedirs(directory, exist_ok=True)
        os.chdir(directory)
    first = rest[0]
    if first in ("-h", "--help"):
        print(USAGE, end="")
        return 0
    if first == "-m" or first == "-c":
        if len(rest) < 2:
            print(f"keraslite run: argument expected for the {first} option", file=sys.stderr)
            return 2
        (runner.run_module if first == "-m" else runner.run_command)(rest[1], rest[2:])
        return 0
    if first.startswith("-m") or first.startswith("-c"):  # `-mpkg.mod`, as python accepts
        (runner.run_module if first[1] == "m" else runner.run_command)(first[2:], rest[1:])
        return 0
    if first == "--":
        rest = rest[1:]
    runner.run_script(rest[0], rest[1:])
    return 0
