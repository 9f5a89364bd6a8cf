"""Jupyter notebook -> Python script, for notebook tutorials (tensorflow.org's).

Code cells only, in order, each after a `# %%` line (the wrapper's cell marker, so cell
mode runs them one by one); a line that is a shell command (`!pip ...`) or an IPython
magic (`%matplotlib inline`, `%load_ext`) is dropped, and nothing else is changed. Cell
magics act on the whole cell as IPython does: `%%writefile NAME` becomes the code that writes
the cell's text to NAME, `%%time`/`%%timeit`/`%%capture` leave the cell's code to run, and a
cell in another language (`%%bash`, `%%html`, ...) is dropped; a cell indented as a whole is
dedented (IPython strips that leading indentation). The converted text is as much third-party
code as the notebook: it lives only in the git-ignored work folder.
"""

from __future__ import annotations

import json
import textwrap

_DROPPED_PREFIXES = ("!", "%")
_CODE_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")


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
        lines = text.splitlines()
        magic = lines[0].split() if lines and lines[0].startswith("%%") else None
        if magic:
            if magic[0] == "%%writefile" and len(magic) > 1:
                body = "\n".join(lines[1:]) + "\n"
                chunks.append(f"# %%\nwith open({magic[-1]!r}, 'w') as _cell_file:\n    _cell_file.write({body!r})\n")
                continue
            if magic[0] not in _CODE_CELL_MAGICS:
                continue
            lines = lines[1:]
        kept = [line for line in lines if not line.lstrip().startswith(_DROPPED_PREFIXES)]
        if any(line.strip() for line in kept):
            chunks.append("# %%\n" + textwrap.dedent("\n".join(kept)).rstrip() + "\n")
    return "\n".join(chunks)
