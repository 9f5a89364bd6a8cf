"""keraslite's public API is Keras 3.15.1's: every dotted path real Keras exposes resolves in
keraslite, and every signature (parameter names, order, kinds, defaults) is the same, apart
from the short ALLOWED list below, each entry with its reason.

Real Keras and keraslite are described in separate fresh processes by
`api_surface_describe.py`; this module compares the two descriptions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

DESCRIBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "api_surface_describe.py")

# Path (or path prefix ending in ".") -> why keraslite differs there. At most 20 entries; an
# entry no longer needed fails the test, so the list only shrinks.
ALLOWED = {}

MAX_ALLOWED = 20
REQUIRED_COVERAGE = 0.97


def _describe(package, wanted=None):
    env = dict(os.environ, KERAS_BACKEND="torch", CUDA_VISIBLE_DEVICES="")
    env.pop("KERASLITE_DIALECT", None)
    done = subprocess.run(
        [sys.executable, DESCRIBE, package],
        input=json.dumps(wanted or []),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, f"describing {package} failed:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def surfaces():
    keras = _describe("keras")
    lite = _describe("keraslite", sorted(keras["paths"]))
    return keras, lite


def _allowed_by(path):
    for entry in ALLOWED:
        if path == entry or (entry.endswith(".") and path.startswith(entry)):
            return entry
    return None


def _same_default(keras_default, lite_default):
    if keras_default == lite_default:
        return True
    # Keras writes `strides=1` where it means (1, 1): an int n and a tuple of n's are one value.
    k, lt = keras_default.get("value"), lite_default.get("value")
    if isinstance(k, int) and isinstance(lt, list) and lt and all(v == k for v in lt):
        return True
    if isinstance(lt, int) and isinstance(k, list) and k and all(v == lt for v in k):
        return True
    return False


def signature_differences(keras_sig, lite_sig):
    """What a call valid in Keras would meet differently in keraslite (empty: none)."""
    if keras_sig is None or all(p[1] in ("VAR_POSITIONAL", "VAR_KEYWORD") for p in keras_sig):
        return []  # Keras declares nothing (a C callable, or a method meant to be overridden)
    if lite_sig is None:
        return ["keraslite's signature cannot be read"]
    problems = []
    lite_by_name = {p[0]: p for p in lite_sig}
    positional_kinds = ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")
    keras_positional = [p[0] for p in keras_sig if p[1] in positional_kinds]
    lite_positional = [p[0] for p in lite_sig if p[1] in positional_kinds]
    for name, kind, default in keras_sig:
        if kind in ("VAR_POSITIONAL", "VAR_KEYWORD"):
            if not any(p[1] == kind for p in lite_sig):
                problems.append(
                    f"keras takes {'*args' if kind == 'VAR_POSITIONAL' else '**kwargs'}, keraslite does not"
                )
            continue
        lite = lite_by_name.get(name)
        if lite is None:
            problems.append(f"`{name}` missing")
            continue
        if kind == "POSITIONAL_OR_KEYWORD" and lite[1] != kind:
            problems.append(f"`{name}` is {lite[1].lower()} in keraslite")
        if kind == "KEYWORD_ONLY" and lite[1] not in ("KEYWORD_ONLY", "POSITIONAL_OR_KEYWORD"):
            problems.append(f"`{name}` is {lite[1].lower()} in keraslite")
        if kind in positional_kinds and lite[1] in positional_kinds:
            mine, theirs = lite_positional.index(name), keras_positional.index(name)
            if mine != theirs:
                problems.append(f"`{name}` is positional #{mine + 1}, keras #{theirs + 1}")
        if default != {"none": True} and not _same_default(default, lite[2]):
            problems.append(f"`{name}` default: keras {default}, keraslite {lite[2]}")
    keras_names = {p[0] for p in keras_sig}
    for name, kind, default in lite_sig:
        if name in keras_names or kind in ("VAR_POSITIONAL", "VAR_KEYWORD"):
            continue
        if default == {"none": True}:
            problems.append(f"keraslite requires `{name}`, keras has no such parameter")
        elif kind in positional_kinds and lite_positional.index(name) < len(keras_positional):
            problems.append(f"keraslite's extra `{name}` sits among keras's positional parameters")
    return problems


def compare(keras, lite):
    """Every difference between the two surfaces as (path, problem) pairs."""
    found = []
    for path, entry in sorted(keras["paths"].items()):
        mine = lite["paths"].get(path)
        if mine is None:
            found.append((path, "missing"))
            continue
        if entry["kind"] == "module" or entry["kind"] == "value":
            continue
        if entry["kind"] == "class" and mine["kind"] != "class":
            found.append((path, f"a class in keras, a {mine['kind']} in keraslite"))
        for problem in signature_differences(entry.get("signature"), mine.get("signature")):
            found.append((path, problem))
    for class_path, members in keras["classes"].items():
        mine = lite["classes"].get(class_path) or {}
        for name, entry in members.items():
            path = f"keras.{class_path}.{name}"
            if name not in mine:
                found.append((path, "missing member"))
            elif entry["kind"] == "method" and mine[name]["kind"] == "method":
                for problem in signature_differences(entry["signature"], mine[name]["signature"]):
                    found.append((path, problem))
    return found


def test_allow_list_is_short_and_explained():
    assert len(ALLOWED) <= MAX_ALLOWED
    assert all(isinstance(reason, str) and len(reason) > 20 for reason in ALLOWED.values())


def test_public_paths_resolve(surfaces):
    keras, lite = surfaces
    public = [p for p, e in keras["paths"].items() if e["kind"] != "module"]
    present = [p for p in public if lite["paths"].get(p) is not None]
    assert len(present) / len(public) >= REQUIRED_COVERAGE, f"{len(present)}/{len(public)} paths resolve"


def test_no_difference_outside_the_allow_list(surfaces):
    keras, lite = surfaces
    differences = compare(keras, lite)
    unexplained = [f"{path}: {problem}" for path, problem in differences if _allowed_by(path) is None]
    assert not unexplained, f"{len(unexplained)} differences from Keras 3.15.1:\n" + "\n".join(unexplained)


def test_every_allowed_entry_is_still_needed(surfaces):
    keras, lite = surfaces
    used = {_allowed_by(path) for path, _ in compare(keras, lite)}
    assert not set(ALLOWED) - used, f"stale allow-list entries: {sorted(set(ALLOWED) - used)}"


def test_the_comparison_catches_differences():
    keras_sig = [
        ["units", "POSITIONAL_OR_KEYWORD", {"none": True}],
        ["activation", "POSITIONAL_OR_KEYWORD", {"value": None}],
    ]
    assert signature_differences(keras_sig, keras_sig) == []
    swapped = [keras_sig[1], keras_sig[0]]
    assert signature_differences(keras_sig, swapped)
    other_default = [keras_sig[0], ["activation", "POSITIONAL_OR_KEYWORD", {"value": "relu"}]]
    assert signature_differences(keras_sig, other_default) == [
        "`activation` default: keras {'value': None}, keraslite {'value': 'relu'}"
    ]
    keyword_only = [keras_sig[0], ["activation", "KEYWORD_ONLY", {"value": None}]]
    assert signature_differences(keras_sig, keyword_only)
    strides = [["strides", "POSITIONAL_OR_KEYWORD", {"value": 1}]]
    assert signature_differences(strides, [["strides", "POSITIONAL_OR_KEYWORD", {"value": [1, 1]}]]) == []
