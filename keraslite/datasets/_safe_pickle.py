"""Reading the pickled parts of the Keras datasets without running arbitrary code.

Two of the published dataset formats are pickles: the CIFAR "python version" batches
(a pickled dict of NumPy arrays and lists, written by Python 2) and the IMDB/Reuters
`.npz` files, whose ragged sequences are `dtype=object` arrays that NumPy stores as a
pickle stream. That is the datasets' own format, so it must be unpickled; a plain
`pickle.load` would, though, execute whatever a tampered file asks for. The unpickler
here admits only the globals needed to rebuild NumPy arrays, NumPy scalars and bytes,
and refuses everything else (`os.system`, `builtins.eval`, ...).
"""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np

# (module, name) pairs a NumPy array, dtype, scalar or Python-2 byte string pickle uses,
# in both the NumPy < 2 (`numpy.core`) and NumPy >= 2 (`numpy._core`) spellings.
_ALLOWED_GLOBALS = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
        ("_codecs", "encode"),
    }
)


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds plain data and NumPy arrays, and nothing else."""

    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Refusing to load `{module}.{name}` while reading a Keras dataset file: only NumPy arrays and "
            "plain data are allowed. The file may be corrupted or malicious."
        )


def load_pickle(path: str, encoding: str = "bytes"):
    """Unpickle a dataset file (e.g. a CIFAR batch) with `RestrictedUnpickler`."""
    with open(path, "rb") as file:
        return RestrictedUnpickler(file, encoding=encoding).load()


def _read_npy(stream) -> np.ndarray:
    try:
        # Numeric arrays: no pickle involved at all.
        return np.lib.format.read_array(stream, allow_pickle=False)
    except ValueError:
        # An object array: skip the .npy header, then unpickle the payload restrictedly.
        stream.seek(0)
        version = np.lib.format.read_magic(stream)
        if version[0] == 1:
            np.lib.format.read_array_header_1_0(stream)
        elif version[0] in (2, 3):
            # Format 3.0 differs from 2.0 only in the header's text encoding; the length
            # field skipped here has the same layout.
            np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"Unsupported .npy format version {version} in a dataset file.")
        return RestrictedUnpickler(stream).load()


def load_npz(path: str) -> dict:
    """`np.load(path, allow_pickle=True)` for dataset `.npz` files, minus arbitrary code execution."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                with archive.open(member) as raw:
                    arrays[member[: -len(".npy")]] = _read_npy(io.BytesIO(raw.read()))
    return arrays
