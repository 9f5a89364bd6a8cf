"""Run corpus cases under the reference (real Keras 3, torch backend) and under keraslite.

    python tools/corpus/run.py [CASE ...] [--side both|reference|keraslite] [--mode whole|cells]
                               [--report NAME] [--timeout S] [--all-keraslite] [--resume]

Each case runs in a fresh process and a fresh temporary directory (its HOME and
KERAS_HOME too), unchanged, through wrapper.py (offline preamble, epoch/step caps), at
`nice -n 10`, one at a time: first under the reference, then -- if the reference passed,
or with --all-keraslite -- under `keraslite run`. Results go to
tools/corpus/_work/reports/NAME.json and NAME.md (git-ignored); logs to
tools/corpus/_work/logs/NAME/.

Interpreters: CORPUS_REF_PYTHON (default /work/venv-ref/bin/python: torch, keras==3.15.1,
tensorflow-cpu, pandas, matplotlib, scipy) and CORPUS_KERASLITE_PYTHON (default: the same
interpreter; keraslite is taken from this checkout through PYTHONPATH, and its import
aliases answer `import keras` / `import tensorflow` before the installed packages).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from restore import WORK, load_manifest, restore, script_path, select  # noqa: E402

WRAPPER = os.path.join(HERE, "wrapper.py")
REF_PYTHON = os.environ.get("CORPUS_REF_PYTHON", "/work/venv-ref/bin/python")
KL_PYTHON = os.environ.get("CORPUS_KERASLITE_PYTHON", REF_PYTHON)


def run_side(case, side, mode, defaults, timeout, log_dir, reference_wall=None):
    settings = {**defaults, **case.get("settings", {})}
    script = script_path(case)
    tmp = tempfile.mkdtemp(prefix="corpus-")
    local = os.path.join(tmp, os.path.basename(script))
    shutil.copy(script, local)
    result_file = os.path.join(tmp, ".corpus-result.json")
    env = dict(os.environ)
    env.update(
        {
            "HOME": tmp,
            "KERAS_HOME": os.path.join(tmp, ".keras"),
            "MPLBACKEND": "Agg",
            "CORPUS_MODE": mode,
            "CORPUS_RESULT": result_file,
            "CORPUS_MAX_EPOCHS": str(settings.get("max_epochs", 2)),
            "CORPUS_MAX_STEPS": str(settings.get("max_steps", 5)),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            # One compute thread on each side: torch reads OMP_NUM_THREADS; TensorFlow (the
            # tf_keras reference) sizes its own pools unless told by these two.
            "OMP_NUM_THREADS": "1",
            "TF_NUM_INTRAOP_THREADS": "1",
            "TF_NUM_INTEROP_THREADS": "1",
            "PYTHONUNBUFFERED": "1",
            "PYTHONHASHSEED": "0",
        }
    )
    env.update({k: str(v) for k, v in settings.get("env", {}).items()})
    if settings.get("stage"):
        env["CORPUS_STAGE"] = json.dumps(settings["stage"])
    tf_keras_reference = settings.get("reference") == "tf_keras"
    if side == "reference" and tf_keras_reference:
        # TF-2-era code: real TensorFlow with tf.keras 2 (the tf_keras package), which is
        # what `tf.keras` meant when it was written.
        env["TF_USE_LEGACY_KERAS"] = "1"
        env["CORPUS_KERAS_MODULE"] = "tf_keras.api._v2.keras"  # what `tf.keras` is
        env.pop("PYTHONPATH", None)
        command = [REF_PYTHON, WRAPPER, local]
    elif side == "reference":
        # The torch backend, unless the manifest says the script was written for another
        # one (it sets KERAS_BACKEND itself, or calls that framework's ops on Keras tensors).
        env["KERAS_BACKEND"] = settings.get("reference_backend", "torch")
        env.pop("PYTHONPATH", None)
        command = [REF_PYTHON, WRAPPER, local]
    else:
        env["PYTHONPATH"] = ROOT
        # -P: the temp dir (the cwd) is not put on sys.path before the script runs, as with
        # `python script.py` (a tutorial named csv.py must not shadow the csv module).
        command = [KL_PYTHON, "-P", "-m", "keraslite", "run", WRAPPER, local]
        if tf_keras_reference:
            # The preamble reaches Keras the way the script does (through TensorFlow), so it
            # does not itself choose keraslite's Keras 3 dialect by importing `keras`.
            env["CORPUS_KERAS_MODULE"] = "tensorflow.keras"
    command = ["nice", "-n", "10", *command]
    limit = timeout or settings.get("timeout_s", 300)
    if reference_wall:
        # keraslite may take up to the target ratio (1.5x) of what the reference took.
        limit = max(limit, int(reference_wall * 1.6) + 10)
    safe = case["id"].replace("/", "__").replace(":", "--")
    log_path = os.path.join(log_dir, f"{safe}.{side}.{mode}.log")
    started = time.perf_counter()
    timed_out = False
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    wall = round(time.perf_counter() - started, 2)
    try:
        with open(result_file) as handle:
            result = json.load(handle)
    except (FileNotFoundError, json.JSONDecodeError):
        result = {"status": "CRASH", "cells": []}
    if timed_out:
        result["status"] = "TIMEOUT"
        result["error"] = {"type": "Timeout", "message": f"over {limit}s", "line": None, "raised_at": None}
    elif result.get("status") == "RUNNING":
        result["status"] = "CRASH"
        result["error"] = {"type": "Crash", "message": f"exit {process.returncode}", "line": None, "raised_at": None}
    elif result["status"] == "CRASH":
        tail = open(log_path, errors="replace").read().strip().splitlines()[-1:] or [""]
        result["error"] = {
            "type": "Crash",
            "message": f"exit {process.returncode}: {tail[0][:300]}",
            "line": None,
            "raised_at": None,
        }
    keras_file = result.get("keras") or ""
    if side == "keraslite":
        expected = "keraslite"
    else:
        expected = os.sep + ("tf_keras" if tf_keras_reference else "keras") + os.sep
    if result["status"] in ("PASS", "FAIL") and expected not in keras_file:
        result["status"] = "WRONG_KERAS"
        result["error"] = {
            "type": "WrongKeras",
            "message": f"`import keras` gave {keras_file}",
            "line": None,
            "raised_at": None,
        }
    result["wall_s"] = wall
    if side == "reference":
        result["backend"] = "tf_keras" if tf_keras_reference else env["KERAS_BACKEND"]
    result["returncode"] = process.returncode
    result["log"] = os.path.relpath(log_path, ROOT)
    shutil.rmtree(tmp, ignore_errors=True)
    return result


def summarize_cells(result):
    cells = result.get("cells", [])
    return sum(c["status"] == "PASS" for c in cells), len(cells)


def _err(result):
    error = result.get("error")
    if not error:
        return ""
    where = f" (line {error['line']})" if error.get("line") else ""
    at = f" @ {error['raised_at']}" if error.get("raised_at") else ""
    if error.get("keraslite_at") and error["keraslite_at"].split(" ")[0] != error.get("raised_at"):
        at += f" (keraslite: {error['keraslite_at']})"
    return f"{error['type']}: {error['message'][:160]}{where}{at}"


def render_markdown(report):
    lines = [f"# Corpus report `{report['name']}`", "", f"mode: {report['mode']}; command: `{report['command']}`", ""]
    included, excluded, skipped = [], [], []
    for case_id, entry in report["cases"].items():
        if entry.get("skip"):
            skipped.append((case_id, entry["skip"]))
            continue
        ref = entry.get("reference")
        if ref is not None and ref["status"] != "PASS":
            excluded.append((case_id, ref))
            continue
        included.append((case_id, entry))
    kl_pass = sum(1 for _, e in included if e.get("keraslite", {}).get("status") == "PASS")
    kl_run = sum(1 for _, e in included if "keraslite" in e)
    cell_pass = sum(summarize_cells(e["keraslite"])[0] for _, e in included if "keraslite" in e)
    cell_all = sum(summarize_cells(e["keraslite"])[1] for _, e in included if "keraslite" in e)
    lines += [
        f"reference-passing cases: {len(included)}; keraslite PASS {kl_pass}/{kl_run}"
        + (f"; keraslite cells PASS {cell_pass}/{cell_all}" if report["mode"] == "cells" else ""),
        "",
        "| case | reference | s | keraslite | s | ratio | cells | first keraslite error |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for case_id, entry in included:
        ref, kl = entry.get("reference", {}), entry.get("keraslite")
        ratio = ""
        if kl and ref.get("wall_s"):
            ratio = f"{kl['wall_s'] / ref['wall_s']:.2f}"
        cells = ""
        if kl and report["mode"] == "cells":
            p, n = summarize_cells(kl)
            cells = f"{p}/{n}"
        backend = ref.get("backend", "torch")
        backend_note = "" if backend == "torch" else f" ({backend})"
        lines.append(
            f"| {case_id} | {ref.get('status', '-')}{backend_note} | {ref.get('wall_s', '')} | "
            f"{kl['status'] if kl else '-'} | {kl['wall_s'] if kl else ''} | {ratio} | {cells} | "
            f"{_err(kl).replace('|', '/') if kl else ''} |"
        )
    lines += [
        "",
        "## Excluded: failing under the reference",
        "",
        "| case | status | s | reference error |",
        "| --- | --- | --- | --- |",
    ]
    for case_id, ref in excluded:
        lines.append(f"| {case_id} | {ref['status']} | {ref.get('wall_s', '')} | {_err(ref).replace('|', '/')} |")
    lines += ["", "## Skipped by the manifest", ""] + [f"- {c}: {why}" for c, why in skipped]
    if report["mode"] == "cells":
        lines += ["", "## Failing keraslite cells", ""]
        for case_id, entry in included:
            ref_cells = {c["index"]: c for c in entry.get("reference", {}).get("cells", [])}
            for cell in entry.get("keraslite", {}).get("cells", []):
                if cell["status"] != "PASS":
                    ref_status = ref_cells.get(cell["index"], {}).get("status", "?")
                    lines.append(
                        f"- {case_id} cell {cell['index']} (lines {cell['first_line']}-"
                        f"{cell['last_line']}; reference {ref_status}): "
                        f"{_err(cell).replace(chr(10), ' ')}"
                    )
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case ids (glob or substring); default: all")
    parser.add_argument("--side", choices=["both", "reference", "keraslite"], default="both")
    parser.add_argument("--mode", choices=["whole", "cells"], default="whole")
    parser.add_argument("--report", default=None, help="report name (default: the mode)")
    parser.add_argument("--timeout", type=int, default=None, help="seconds per side (default: manifest)")
    parser.add_argument("--all-keraslite", action="store_true", help="run keraslite even where the reference failed")
    parser.add_argument("--resume", action="store_true", help="keep results already in the report and skip those sides")
    parser.add_argument("--redo", default="", help="with --resume: statuses to run again, e.g. TIMEOUT,CRASH")
    parser.add_argument("--include-skipped", action="store_true")
    args = parser.parse_args(argv)

    manifest = load_manifest()
    name = args.report or args.mode
    reports = os.path.join(WORK, "reports")
    log_dir = os.path.join(WORK, "logs", name)
    os.makedirs(reports, exist_ok=True)
    os.makedirs(log_dir, exist_ok=True)
    json_path = os.path.join(reports, name + ".json")
    report = {
        "name": name,
        "mode": args.mode,
        "command": "python tools/corpus/run.py " + " ".join(argv or sys.argv[1:]),
        "cases": {},
    }
    if os.path.exists(json_path):
        with open(json_path) as handle:
            old = json.load(handle)
        report["cases"] = old.get("cases", {})
    mirror = os.environ.get("CORPUS_MIRROR", "/work/.mirror")
    all_cases = select(manifest["cases"], args.cases, True)
    for case in all_cases:
        entry = report["cases"].setdefault(case["id"], {})
        skip = case.get("settings", {}).get("skip")
        if skip and not args.include_skipped:
            entry.clear()
            entry["skip"] = skip
            continue
        entry.pop("skip", None)
        status = restore(case, mirror)
        if status not in ("ok", "present"):
            print(f"{case['id']}: cannot restore: {status}", file=sys.stderr)
            continue
        sides = ["reference", "keraslite"] if args.side == "both" else [args.side]
        for side in sides:
            redo = set(filter(None, args.redo.split(",")))
            if args.resume and side in entry and entry[side]["status"] not in redo:
                continue
            if side == "keraslite" and args.side == "both" and not args.all_keraslite:
                if entry.get("reference", {}).get("status") != "PASS":
                    entry.pop("keraslite", None)
                    continue
            reference_wall = entry.get("reference", {}).get("wall_s") if side == "keraslite" else None
            result = run_side(
                case, side, args.mode, manifest.get("defaults", {}), args.timeout, log_dir, reference_wall
            )
            entry[side] = result
            p, n = summarize_cells(result)
            print(
                f"{case['id']:70s} {side:9s} {result['status']:7s} {result['wall_s']:7.1f}s "
                f"cells {p}/{n}  {_err(result)[:150]}",
                flush=True,
            )
            with open(json_path, "w") as handle:
                json.dump(report, handle, indent=1)
        with open(os.path.join(reports, name + ".md"), "w") as handle:
            handle.write(render_markdown(report))
    with open(json_path, "w") as handle:
        json.dump(report, handle, indent=1)
    with open(os.path.join(reports, name + ".md"), "w") as handle:
        handle.write(render_markdown(report))
    print(f"report: {os.path.relpath(json_path, ROOT)} and {name}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
