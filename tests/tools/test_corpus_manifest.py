"""The tutorial-corpus harness (tools/corpus): manifest schema and the offline preamble.

No network and no tutorial script is needed: the scripts themselves are restored from
fetched snapshots only when the corpus is run (see tools/corpus/README.md).
"""

import importlib.util
import io
import json
import re
import sys
import tarfile
import zipfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "tools" / "corpus"


def _load(name):
    if str(CORPUS) not in sys.path:  # the harness's modules import each other by name
        sys.path.insert(0, str(CORPUS))
    spec = importlib.util.spec_from_file_location(f"corpus_{name}", CORPUS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_manifest_schema():
    manifest = json.loads((CORPUS / "corpus.json").read_text())
    cases = manifest["cases"]
    assert len(cases) >= 60
    ids = set()
    for case in cases:
        for key in ("id", "repository", "commit", "path", "sha256", "dialect", "settings"):
            assert key in case, (case.get("id"), key)
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", case["repository"]), case["id"]
        assert re.fullmatch(r"[0-9a-f]{40}", case["commit"]), case["id"]
        assert re.fullmatch(r"[0-9a-f]{64}", case["sha256"]), case["id"]
        assert case["dialect"] in ("keras3", "tf2"), case["id"]
        assert isinstance(case["settings"], dict), case["id"]
        assert case["id"] not in ids, case["id"]
        ids.add(case["id"])


def test_preamble_imports_and_fakes_real_formats():
    preamble = _load("preamble")
    assert callable(preamble.install)
    (x, y), (xt, yt) = preamble._mnist_like("mnist", 50, 10)
    assert x.shape == (50, 28, 28) and x.dtype == "uint8" and y.dtype == "uint8" and xt.shape[0] == 10
    (x, y), _ = preamble._cifar_like("cifar10", 10, 20, 5)
    assert x.shape == (20, 32, 32, 3) and y.shape == (20, 1)
    heart = preamble.fake_payload("http://example.org/data/heart.csv").decode()
    assert heart.splitlines()[0].endswith(",thal,target") and len(heart.splitlines()) == 304
    with zipfile.ZipFile(io.BytesIO(preamble.fake_payload("http://x/spa-eng.zip"))) as archive:
        assert "spa-eng/spa.txt" in archive.namelist()
    with tarfile.open(fileobj=io.BytesIO(preamble.fake_payload("https://x/aclImdb_v1.tar.gz"))) as tar:
        assert any(n.startswith("aclImdb/train/pos/") for n in tar.getnames())
    assert preamble.fake_payload("https://example.org/unknown.bin") is None


def test_wrapper_splits_keras_io_sections():
    wrapper = _load("wrapper")
    source = '"""\nTitle\n"""\nimport os\nx = 1\n"""\n## Part\n"""\ny = x + 1\n# %%\nz = y\n'
    cells = wrapper.split_cells(source, "s.py")
    assert [(first, last) for first, last, _ in cells] == [(4, 5), (9, 9), (11, 11)]


def test_notebooks_become_scripts_of_their_code_cells():
    notebook = _load("notebook")
    raw = json.dumps(
        {
            "cells": [
                {"cell_type": "markdown", "source": ["# Title\n"]},
                {"cell_type": "code", "source": ["!pip install -q tf-nightly\n", "import numpy as np\n"]},
                {"cell_type": "code", "source": "%matplotlib inline\n"},
                {"cell_type": "code", "source": ["x = np.ones(3)\n", "  %time y = 1\n", "x.sum()"]},
            ]
        }
    ).encode()
    script = notebook.notebook_to_script(raw)
    assert script == "# %%\nimport numpy as np\n\n# %%\nx = np.ones(3)\nx.sum()\n"
    assert notebook.script_name("site/en/a/b.ipynb") == "site/en/a/b.py"


def test_cell_magics_act_on_the_whole_cell(tmp_path, monkeypatch):
    notebook = _load("notebook")
    cells = [
        ["%%writefile data.csv\n", "a,b\n", ",2"],
        ["%%time\n", "y = 2\n"],
        ["%%bash\n", "ls -l\n"],
        [" for i in range(2):\n", "   print(i)\n"],  # indented as a whole: IPython dedents it
    ]
    raw = json.dumps({"cells": [{"cell_type": "code", "source": c} for c in cells]}).encode()
    script = notebook.notebook_to_script(raw)
    assert "ls -l" not in script and "%%" not in script.replace("# %%", "")
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(script, "notebook", "exec"), namespace)
    assert (tmp_path / "data.csv").read_text() == "a,b\n,2\n"
    assert namespace["y"] == 2 and namespace["i"] == 1


def test_tf_keras_reference_cases_are_marked():
    manifest = json.loads((CORPUS / "corpus.json").read_text())
    tf2 = [c for c in manifest["cases"] if c["repository"] == "tensorflow/docs"]
    assert len(tf2) >= 20
    assert all(c["settings"].get("reference") == "tf_keras" and c["path"].endswith(".ipynb") for c in tf2)
