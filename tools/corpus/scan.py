"""Propose manifest entries from a fetched repository snapshot (facts only).

    python tools/corpus/scan.py GIT_DIR REPO COMMIT PATH_GLOB... [--merge tools/corpus/corpus.json]

For every matching `.py` file (or `.ipynb` notebook: its code cells) at COMMIT it records
repository, commit, path, sha256 and dialect, and a skip reason when the script imports a
package the corpus environment does not have (so it cannot run offline here). Existing
entries (same repository and path) keep their settings. The script text itself is never written anywhere.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import re
import subprocess
import sys

from notebook import is_notebook, notebook_to_script

# Packages a case may not import: not in the reference environment, or they download
# models/data sets at run time. (`tensorflow_datasets` and `gdown` have stand-ins in the
# preamble for the data sets the corpus uses.)
UNAVAILABLE = {
    "jax": "needs JAX (not in the corpus environment)",
    "tensorflow_hub": "needs tensorflow_hub (downloads models)",
    "keras_nlp": "needs keras_nlp / keras_hub (pretrained presets)",
    "keras_cv": "needs keras_cv (pretrained presets)",
    "keras_hub": "needs keras_hub (pretrained presets)",
    "gym": "needs gym",
    "imgaug": "needs imgaug",
    "cv2": "needs OpenCV",
    "transformers": "needs transformers (downloads models)",
    "datasets": "needs HF datasets (downloads data sets)",
    "tensorflow_io": "needs tensorflow_io",
    "tensorflow_text": "needs tensorflow_text",
    "tensorflow_addons": "needs tensorflow_addons",
    "ipywidgets": "needs ipywidgets",
    "conlleval": "needs conlleval (a file downloaded by shell command)",
    "tensorflow_serving": "needs tensorflow_serving and a server",
    "tensorflow_probability": "needs tensorflow_probability",
}
_IMPORT = re.compile(r"^(?:import|from)\s+([A-Za-z_][\w]*)", re.M)
_TF2 = re.compile(r"tensorflow\.keras|tf\.keras|from tensorflow import keras")


def dialect_of(text: str) -> str:
    return "tf2" if _TF2.search(text) else "keras3"


def skip_reason(text: str) -> str | None:
    # Only top-level (unindented) imports: an import under `if backend == "jax":` is fine.
    for name in _IMPORT.findall(text):
        if name in UNAVAILABLE:
            return UNAVAILABLE[name]
    return None


def case_id(repository: str, path: str) -> str:
    short = {
        "keras-team/keras": "keras",
        "keras-team/keras-core": "keras-core",
        "keras-team/keras-io": "keras-io",
        "tensorflow/docs": "tf-docs",
    }.get(repository, repository.replace("/", "_"))
    for suffix in (".py", ".ipynb"):
        if path.endswith(suffix):
            return short + ":" + path[: -len(suffix)]
    return short + ":" + path


def scan(git_dir, repository, commit, patterns, reference=None):
    names = subprocess.run(
        ["git", "--git-dir", git_dir, "ls-tree", "-r", "--name-only", commit],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    cases = []
    for path in sorted(names):
        if not path.endswith((".py", ".ipynb")) or not any(fnmatch.fnmatch(path, p) for p in patterns):
            continue
        blob = subprocess.run(
            ["git", "--git-dir", git_dir, "show", f"{commit}:{path}"], check=True, capture_output=True
        ).stdout
        text = notebook_to_script(blob) if is_notebook(path) else blob.decode("utf-8", "replace")
        case = {
            "id": case_id(repository, path),
            "repository": repository,
            "commit": commit,
            "path": path,
            "sha256": hashlib.sha256(blob).hexdigest(),
            "dialect": dialect_of(text),
            "settings": {},
        }
        if reference:
            case["settings"]["reference"] = reference
        reason = skip_reason(text)
        if reason:
            case["settings"]["skip"] = reason
        cases.append(case)
    return cases


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dir")
    parser.add_argument("repository")
    parser.add_argument("commit")
    parser.add_argument("patterns", nargs="+")
    parser.add_argument(
        "--reference",
        choices=["keras3", "tf_keras"],
        help="the framework the cases were written for (default keras3: Keras 3; tf_keras: TF 2 with tf.keras 2)",
    )
    parser.add_argument("--merge", help="manifest to merge into (written in place)")
    args = parser.parse_args(argv)
    found = scan(args.git_dir, args.repository, args.commit, args.patterns, args.reference)
    if not args.merge:
        json.dump(found, sys.stdout, indent=1)
        return 0
    try:
        with open(args.merge) as handle:
            manifest = json.load(handle)
    except FileNotFoundError:
        manifest = {"version": 1, "defaults": {}, "cases": []}
    known = {(c["repository"], c["path"]): c for c in manifest["cases"]}
    for case in found:
        old = known.get((case["repository"], case["path"]))
        if old is not None:
            case["settings"] = {**case["settings"], **old.get("settings", {})}
            manifest["cases"][manifest["cases"].index(old)] = case
        else:
            manifest["cases"].append(case)
    with open(args.merge, "w") as handle:
        json.dump(manifest, handle, indent=1)
        handle.write("\n")
    print(f"{len(found)} cases scanned; manifest has {len(manifest['cases'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
