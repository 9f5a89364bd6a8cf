"""Audit which public names of real Keras 3 have a parity test against the Keras oracle.

    KERAS_BACKEND=torch python tools/parity_audit.py [--write tests/PARITY.md] [ROOT ...]

Lists every public class and function of `keras.layers`, `keras.losses`, `keras.metrics`
and the classes of `keras.optimizers` (real Keras, which must be installed), then reads the
test files under ROOT (default: tests/ and compat_tests/) and finds, for each name, the test
functions that take the `keras_oracle` fixture (or a module fixture built on it) and mention
the name, in their body, decorators or the module-level tables and helpers they use. Tests
whose name says they check configs, files or summaries only, and expected failures, are
left out. `NOT_APPLICABLE`
and `ORACLE_CANNOT_RUN` give the reason for names no numeric parity test can cover;
`NOT_PARITY` drops matches that are mentions, not comparisons of numbers.

Prints the counts; with --write, writes the table as Markdown.
"""

from __future__ import annotations

import argparse
import ast
import glob
import inspect
import os
import re

os.environ.setdefault("KERAS_BACKEND", "torch")

MODULES = ("layers", "losses", "metrics", "optimizers")
# Test names that say the test compares configs, files or printed output, not numbers.
NON_NUMERIC_TEST = re.compile(r"config|serializ|save|saving|summary|namespace|h5|archive|quantiz|dtype|signature", re.I)

NOT_APPLICABLE = {
    "layers.Input": "a function making a symbolic input: no numbers",
    "layers.InputLayer": "a placeholder: no computation",
    "layers.InputSpec": "an input description: no computation",
    "layers.Layer": "the abstract base class",
    "layers.Wrapper": "the abstract base of wrappers (Bidirectional, TimeDistributed are tested)",
    "layers.serialize": "config, not numbers (tests/layers/test_layer_serialization.py)",
    "layers.deserialize": "config, not numbers (tests/layers/test_layer_serialization.py)",
    "layers.FlaxLayer": "needs JAX and the JAX backend (tests/layers/test_jax_and_tf_layers.py)",
    "layers.JaxLayer": "needs JAX and the JAX backend (tests/layers/test_jax_and_tf_layers.py)",
    "layers.TFSMLayer": "needs TensorFlow (tests/layers/test_jax_and_tf_layers.py)",
    "losses.Loss": "the abstract base class",
    "losses.get": "lookup by name, not numbers (tests/losses/test_losses.py::test_functions_and_lookup)",
    "losses.serialize": "config, not numbers",
    "losses.deserialize": "config, not numbers",
    "metrics.Metric": "the abstract base class",
    "metrics.get": "lookup by name, not numbers (tests/metrics/test_metrics.py)",
    "metrics.serialize": "config, not numbers",
    "metrics.deserialize": "config, not numbers",
    "optimizers.Optimizer": "the abstract base class",
}
ORACLE_CANNOT_RUN = {
    name: "Keras 3.15.1 runs it only on TensorFlow, which is not installed; pinned to Keras's documented examples"
    f" in {where}"
    for name, where in [
        ("layers.Hashing", "tests/layers/preprocessing/test_text.py"),
        ("layers.IntegerLookup", "tests/layers/preprocessing/test_text.py"),
        ("layers.StringLookup", "tests/layers/preprocessing/test_text.py"),
        ("layers.TextVectorization", "tests/layers/preprocessing/test_text.py"),
        ("layers.HashedCrossing", "tests/layers/preprocessing/test_hashed_crossing.py"),
    ]
}
# (name, test) matches that mention the name without comparing its numbers with Keras.
NOT_PARITY = {
    ("layers.HashedCrossing", "compat_tests/test_saving_parity.py"),
    ("layers.IntegerLookup", "compat_tests/test_saving_parity.py"),
}
# Tests the name matcher cannot see (the name is built at run time).
EXTRA = {
    "layers.Lambda": ["tests/layers/test_lambda_layer.py::test_lambda_config_crosses_with_keras"],
}


def keras_names() -> dict[str, list[str]]:
    import keras

    names = {}
    for module_name in MODULES:
        module = getattr(keras, module_name)
        public = [n for n in dir(module) if not n.startswith("_") and callable(getattr(module, n))]
        if module_name == "optimizers":
            public = [n for n in public if inspect.isclass(getattr(module, n))]
        names[module_name] = public
    return names


def _pattern(module_name: str, name: str, path: str) -> str:
    if module_name == "layers":
        return rf"(?<![\w.]){name}\b|layers\.{name}\b"
    if module_name == "optimizers":
        return rf"optimizers\.{name}\b|\(\s*\"{name}\""
    if f"tests/{module_name}/" in path:  # bare names inside the module's own test folder
        return rf"(?<![\w]){name}\b"
    return rf"{module_name}\.{name}\b"


def _oracle_tests(path: str):
    """(test name, the text it runs: body, decorators, module tables and helpers it uses)."""
    source = open(path).read()
    tree = ast.parse(source)
    definitions = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        definitions[leaf.id] = ast.get_source_segment(source, node)
        elif isinstance(node, ast.FunctionDef) and not node.name.startswith("test_"):
            definitions[node.name] = ast.get_source_segment(source, node)
    fixtures = {"keras_oracle"} | {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and not node.name.startswith("test_")
        and "keras_oracle" in [a.arg for a in node.args.args]
    }
    for node in tree.body:
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
            continue
        if not fixtures & {a.arg for a in node.args.args} or NON_NUMERIC_TEST.search(node.name):
            continue
        if any("xfail" in ast.get_source_segment(source, d) for d in node.decorator_list):
            continue  # an expected failure is no evidence of parity
        text = "\n".join(
            [ast.get_source_segment(source, node)] + [ast.get_source_segment(source, d) for d in node.decorator_list]
        )
        seen, frontier = set(), set(re.findall(r"\b[A-Za-z_]\w*\b", text))
        for _ in range(3):  # tables that name other tables
            found = set()
            for identifier in frontier - seen:
                if identifier in definitions:
                    seen.add(identifier)
                    text += "\n" + definitions[identifier]
                    found |= set(re.findall(r"\b[A-Za-z_]\w*\b", definitions[identifier]))
            frontier = found
        yield node.name, text


def audit(roots, names):
    hits: dict[str, list[str]] = {}
    for root in roots:
        for path in sorted(glob.glob(f"{root}/**/test_*.py", recursive=True)):
            for test_name, text in _oracle_tests(path):
                for module_name, module_names in names.items():
                    for name in module_names:
                        key = f"{module_name}.{name}"
                        if (key, path) in NOT_PARITY or key in NOT_APPLICABLE or key in ORACLE_CANNOT_RUN:
                            continue
                        if re.search(_pattern(module_name, name, path), text):
                            hits.setdefault(key, []).append(f"{path}::{test_name}")
    for key, tests in EXTRA.items():
        hits.setdefault(key, []).extend(t for t in tests if os.path.exists(t.split("::")[0]))
    return hits


def _ranker(hits):
    """Order for naming one test: tests/ before compat_tests/, the module's own folder first,
    file, mask and alias tests last, a test named after the name, then the widest table."""
    width = {}
    for tests in hits.values():
        for test in set(tests):
            width[test] = width.get(test, 0) + 1

    def rank(key, test):
        path, test_name = test.split("::")
        own_folder = any(f"tests/{m}/" in path for m in MODULES)
        files_or_masks = bool(re.search(r"serializ|saving|masks|aliases", path))
        name = key.split(".")[1].lower().replace("_", "")
        exact = test_name.replace("_", "") == f"test{name}"
        named = name in test_name.replace("_", "")
        return ("compat_tests" in path, not own_folder, files_or_masks, not exact, not named, -width[test], test)

    return rank


def table(names, hits) -> str:
    lines = [
        "# Parity with real Keras 3.15.1",
        "",
        "Every public name of `keras.layers`, `keras.losses`, `keras.metrics` and the classes of",
        "`keras.optimizers`, and the test that compares it with real Keras 3 through the `keras_oracle`",
        "fixture (layers, losses, metrics: same weights and inputs give outputs within 1e-5;",
        "optimizers: ten steps on the same variables and gradients within 1e-6). Generated by",
        "`KERAS_BACKEND=torch python tools/parity_audit.py --write tests/PARITY.md`; only the first",
        "matching test is named.",
        "",
    ]
    rank = _ranker(hits)
    for module_name, module_names in names.items():
        covered = sum(f"{module_name}.{n}" in hits for n in module_names)
        excused = sum(f"{module_name}.{n}" in {**NOT_APPLICABLE, **ORACLE_CANNOT_RUN} for n in module_names)
        lines += [
            f"## keras.{module_name}: {covered} of {len(module_names)} names have a parity test "
            f"({excused} cannot have one)",
            "",
        ]
        lines += ["| name | parity test |", "| --- | --- |"]
        for name in module_names:
            key = f"{module_name}.{name}"
            if key in hits:
                where = f"`{min(set(hits[key]), key=lambda test: rank(key, test))}`"
            else:
                where = "none: " + NOT_APPLICABLE.get(key) if key in NOT_APPLICABLE else None
                where = where or ("none: " + ORACLE_CANNOT_RUN[key] if key in ORACLE_CANNOT_RUN else "none: missing")
            lines.append(f"| {name} | {where} |")
        lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="*", default=["tests", "compat_tests"])
    parser.add_argument("--write", help="write the Markdown table to this path")
    args = parser.parse_args()
    names = keras_names()
    hits = audit(args.roots, names)
    for module_name, module_names in names.items():
        covered = [n for n in module_names if f"{module_name}.{n}" in hits]
        excused = [n for n in module_names if f"{module_name}.{n}" in {**NOT_APPLICABLE, **ORACLE_CANNOT_RUN}]
        missing = [n for n in module_names if n not in covered and n not in excused]
        print(
            f"{module_name}: {len(covered)} of {len(module_names)} tested; {len(excused)} cannot be; missing: {missing}"
        )
    if args.write:
        with open(args.write, "w") as handle:
            handle.write(table(names, hits))


if __name__ == "__main__":
    main()
