"""Copy the corpus scripts out of fetched repository snapshots, checking their sha256.

    python tools/corpus/restore.py [--mirror /work/.mirror] [--all] [CASE_GLOB ...]

Notebooks (`.ipynb`) are converted to scripts on the way (notebook.py: code cells only,
shell and magic lines dropped). A snapshot of `owner/name` is looked for as a bare git directory at
`MIRROR/owner+name/repo` (where the `fetch` tool puts it) or `MIRROR/owner+name`.
Scripts land in `tools/corpus/_work/scripts/<owner+name>/<path>` (git-ignored: they are
third-party code and are never committed). Skipped cases are restored only with --all.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import subprocess
import sys

from notebook import is_notebook, notebook_to_script, script_name

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(HERE, "corpus.json")
WORK = os.path.join(HERE, "_work")
SCRIPTS = os.path.join(WORK, "scripts")


def load_manifest(path=MANIFEST):
    with open(path) as handle:
        return json.load(handle)


def script_path(case) -> str:
    return os.path.join(SCRIPTS, case["repository"].replace("/", "+"), script_name(case["path"]))


def git_dir_for(mirror: str, repository: str) -> str | None:
    base = os.path.join(mirror, repository.replace("/", "+"))
    for candidate in (os.path.join(base, "repo"), base):
        if os.path.isdir(candidate) and (os.path.exists(os.path.join(candidate, "HEAD"))):
            return candidate
    return None


def select(cases, patterns, include_skipped):
    out = []
    for case in cases:
        if patterns and not any(fnmatch.fnmatch(case["id"], p) or p in case["id"] for p in patterns):
            continue
        if case.get("settings", {}).get("skip") and not include_skipped:
            continue
        out.append(case)
    return out


def restore(case, mirror) -> str:
    """Write the case's script (a notebook converted to one); returns "ok", "present" or a
    reason it could not. `sha256` is the source file's, as the repository holds it."""
    target = script_path(case)
    if os.path.exists(target) and not is_notebook(case["path"]):
        with open(target, "rb") as handle:
            if hashlib.sha256(handle.read()).hexdigest() == case["sha256"]:
                return "present"
    git_dir = git_dir_for(mirror, case["repository"])
    if git_dir is None:
        return f"no snapshot of {case['repository']} under {mirror} (fetch github:{case['repository']})"
    done = subprocess.run(
        ["git", "--git-dir", git_dir, "show", f"{case['commit']}:{case['path']}"], capture_output=True
    )
    if done.returncode != 0:
        return "git show failed: " + done.stderr.decode(errors="replace").strip()
    digest = hashlib.sha256(done.stdout).hexdigest()
    if digest != case["sha256"]:
        return f"sha256 mismatch: {digest}"
    text = done.stdout
    if is_notebook(case["path"]):
        text = notebook_to_script(text).encode("utf-8")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as handle:
        handle.write(text)
    return "ok"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("patterns", nargs="*", help="case ids (glob or substring)")
    parser.add_argument("--mirror", default=os.environ.get("CORPUS_MIRROR", "/work/.mirror"))
    parser.add_argument("--all", action="store_true", help="also the skipped cases")
    args = parser.parse_args(argv)
    cases = select(load_manifest()["cases"], args.patterns, args.all)
    bad = 0
    for case in cases:
        status = restore(case, args.mirror)
        if status not in ("ok", "present"):
            bad += 1
            print(f"{case['id']}: {status}", file=sys.stderr)
    print(f"{len(cases) - bad} of {len(cases)} scripts in {SCRIPTS}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
