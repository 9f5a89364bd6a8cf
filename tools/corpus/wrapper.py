"""Run one tutorial script, unchanged, after the offline preamble.

    KERAS_BACKEND=torch python tools/corpus/wrapper.py SCRIPT.py [ARGS]     # the reference
    keraslite run tools/corpus/wrapper.py SCRIPT.py [ARGS]                  # keraslite

Environment:
    CORPUS_MODE    "whole" (default: the script as one program, stops at the first error)
                   or "cells" (section by section in one namespace, going on after a
                   failing section; sections are separated by top-level string literals
                   -- the keras.io markdown blocks -- and by `# %%` lines)
    CORPUS_RESULT  where to write the JSON result (rewritten after every cell, so a
                   timeout still leaves what ran)
    CORPUS_STAGE   JSON list of {"url", "extract"}: generated files put in the current
                   directory first, for data the tutorial fetches with shell lines
    CORPUS_MAX_EPOCHS, CORPUS_MAX_STEPS, CORPUS_SEED: see preamble.py

The script runs as `__main__`, with `__file__`, `sys.argv` and `sys.path[0]` as
`python SCRIPT.py` gives them.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
import time
import traceback
import types

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import preamble  # noqa: E402  (needs the folder above on the path)

_MARKER = re.compile(r"^\s*#\s*%%")


def split_cells(source: str, filename: str):
    """Top-level statements grouped into cells: [(first_line, last_line, ast.Module)]."""
    tree = ast.parse(source, filename)
    lines = source.splitlines()
    markers = [i + 1 for i, line in enumerate(lines) if _MARKER.match(line)]
    cells, current = [], []
    previous_end = 0

    def flush():
        if current:
            cells.append((current[0].lineno, current[-1].end_lineno, ast.Module(body=list(current), type_ignores=[])))
            current.clear()

    for stmt in tree.body:
        is_markdown = (
            isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
        )
        if is_markdown:
            flush()
        else:
            if any(previous_end < m < stmt.lineno for m in markers):
                flush()
            current.append(stmt)
        previous_end = stmt.end_lineno
    flush()
    return cells


def _short(path: str) -> str:
    for marker in ("site-packages" + os.sep, os.sep + "keraslite" + os.sep):
        if marker in path:
            head, _, tail = path.rpartition(marker)
            return ("keraslite/" if marker.strip(os.sep) == "keraslite" else "") + tail
    return path


def error_info(error: BaseException, script: str) -> dict:
    frames = traceback.extract_tb(error.__traceback__)
    script_line = None
    for frame in frames:
        if os.path.abspath(frame.filename) == script:
            script_line = frame.lineno
    frames = [f for f in frames if os.path.abspath(f.filename) != os.path.abspath(__file__)]
    inner = frames[-1] if frames else None
    ours = [f for f in frames if os.sep + "keraslite" + os.sep in f.filename]
    message = str(error).strip().splitlines()
    return {
        "type": type(error).__name__,
        "message": (message[0] if message else "")[:500],
        "line": script_line,
        "raised_at": f"{_short(inner.filename)}:{inner.lineno}" if inner else None,
        "raised_in": inner.name if inner else None,
        "keraslite_at": f"{_short(ours[-1].filename)}:{ours[-1].lineno} {ours[-1].name}" if ours else None,
        "frames": [f"{_short(f.filename)}:{f.lineno} {f.name}" for f in frames[-6:]],
    }


def stage_files(spec: str) -> None:
    """Put the files a tutorial's shell lines (`!wget URL && unzip ...`) would have fetched
    into the current directory (or "dir", `~` allowed): a JSON list of
    {"url": ..., "extract": bool, "dir": ...}."""
    import shutil

    here = os.getcwd()
    for item in json.loads(spec):
        folder = os.path.expanduser(item.get("dir", "."))
        os.makedirs(folder, exist_ok=True)
        os.chdir(folder)
        payload = preamble.fake_payload(item["url"])
        if payload is None:
            raise RuntimeError(f"offline corpus: no fake for staged {item['url']}")
        name = item.get("name") or item["url"].split("?")[0].rsplit("/", 1)[-1]
        with open(name, "wb") as handle:
            handle.write(payload)
        if item.get("extract"):
            shutil.unpack_archive(name, ".")
        os.chdir(here)


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    script = os.path.abspath(argv[0])
    mode = os.environ.get("CORPUS_MODE", "whole")
    result_path = os.environ.get("CORPUS_RESULT")
    keras = preamble.install()
    if os.environ.get("CORPUS_STAGE"):
        stage_files(os.environ["CORPUS_STAGE"])
    result = {
        "script": script,
        "mode": mode,
        "keras": getattr(keras, "__file__", None),
        "keras_version": getattr(keras, "__version__", None),
        "status": "RUNNING",
        "cells": [],
    }

    def save():
        if result_path:
            with open(result_path + ".tmp", "w") as handle:
                json.dump(result, handle, indent=1)
            os.replace(result_path + ".tmp", result_path)

    with open(script, encoding="utf-8") as handle:
        source = handle.read()
    module = types.ModuleType("__main__")
    module.__file__ = script
    module.__builtins__ = __builtins__
    module.__spec__ = None
    sys.modules["__main__"] = module
    sys.argv = [script, *argv[1:]]
    sys.path[0:1] = [os.path.dirname(script)]
    if sys.path.count(_HERE):
        sys.path.remove(_HERE)

    if mode == "cells":
        units = split_cells(source, script)
    else:
        units = [(1, len(source.splitlines()), source)]
    failed = False
    started = time.perf_counter()
    for index, (first, last, code) in enumerate(units):
        cell = {"index": index, "first_line": first, "last_line": last, "status": "RUNNING"}
        result["cells"].append(cell)
        save()
        t0 = time.perf_counter()
        try:
            exec(compile(code, script, "exec", dont_inherit=True), module.__dict__)
            cell["status"] = "PASS"
        except SystemExit as stop:
            cell["status"] = "PASS" if stop.code in (None, 0) else "FAIL"
            if cell["status"] == "FAIL":
                cell["error"] = {
                    "type": "SystemExit",
                    "message": str(stop.code),
                    "line": None,
                    "raised_at": None,
                    "frames": [],
                }
                failed = True
            cell["seconds"] = round(time.perf_counter() - t0, 3)
            break
        except BaseException as error:  # noqa: BLE001  (record it; cells go on)
            cell["status"] = "FAIL"
            cell["error"] = error_info(error, script)
            failed = True
            traceback.print_exc()
            if isinstance(error, KeyboardInterrupt):
                cell["seconds"] = round(time.perf_counter() - t0, 3)
                break
        cell["seconds"] = round(time.perf_counter() - t0, 3)
        sys.stdout.flush()
        print(
            f"[corpus] cell {index} lines {first}-{last}: {cell['status']} ({cell['seconds']}s)",
            file=sys.stderr,
            flush=True,
        )
        if failed and mode != "cells":
            break
    result["seconds"] = round(time.perf_counter() - started, 3)
    result["status"] = "FAIL" if failed else "PASS"
    first_error = next((c["error"] for c in result["cells"] if c.get("error")), None)
    if first_error:
        result["error"] = first_error
    save()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
