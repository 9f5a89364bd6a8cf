"""The `keraslite` command.

keraslite run SCRIPT.py [ARGS...]    run a Keras/tf.keras script unchanged
keraslite run -m MODULE [ARGS...]    run a module as `python -m` would
keraslite run -c CODE [ARGS...]      run a string of code
keraslite run                        interactive console with the aliases
keraslite --version
"""

from __future__ import annotations

import sys

from keraslite.compat import runner
from keraslite.version import __version__

USAGE = """usage: keraslite run SCRIPT.py [ARGS...]
       keraslite run -m MODULE [ARGS...]
       keraslite run -c CODE [ARGS...]
       keraslite --version

Runs Keras / tf.keras code unchanged on keraslite: in that process `keras`, `keras.*`,
`tensorflow`, `tensorflow.keras.*` and `tf_keras` import keraslite (and its TensorFlow shim).
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
