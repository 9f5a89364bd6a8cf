"""Jupyter notebook -> Python script, for notebook tutorials (tensorflow.org's).

Code cells only, in order, each after a `# %%` line (the wrapper's cell marker, so cell
mode runs them one by one); a line that is a shell command (`!pip ...`) or an IPython
magic (`%matplotlib inline`, `%%time`, `%load_ext`) is dropped, and nothing else is
changed. The converted text is as much third-party code as the notebook: it lives only in
the git-ignored work folder.
"""

from __future__ import annotations

import json

_DROPPED_PREFIXES = ("!", "%")


def is_notebook(path: str) -> bool:
    return path.endswith(".ipynb")


def script_name(path: str) -> str:
    """The converted script's path for a notebook path (`a/b.ipynb` -> `a/b.py`)."""
    return path[: -len(".ipynb")] + ".py" if is_notebook(path) else path


def notebook_to_script(raw: bytes) -> str:
    notebook = json.loads(raw.decode("utf-8"))
    chunks = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        kept = [line for line in text.splitlines() if not line.lstrip().startswith(_DROPPED_PREFIXES)]
        if any(line.strip() for line in kept):
            chunks.append("# %%\n" + "\n".join(kept).rstrip() + "\n")
    return "\n".join(chunks)
