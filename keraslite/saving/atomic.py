"""Crash-proof writes: everything is written to a temporary file (or folder) beside the
target and renamed into place, so that a failure mid-save leaves any previous file intact."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile


@contextlib.contextmanager
def atomic_file(path: str, overwrite: bool = True):
    """`with atomic_file("m.keras") as tmp_path: write(tmp_path)` then renamed to `path`."""
    path = os.fspath(path)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"File '{path}' already exists and overwrite=False.")
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, tmp_path = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    os.close(handle)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp_path)
        raise


@contextlib.contextmanager
def atomic_directory(path: str, overwrite: bool = True):
    """`with atomic_directory("my_model") as tmp_dir: ...` then swapped into place.

    A directory cannot be replaced by one rename: the old one is renamed aside first,
    the new one into place, then the old one deleted."""
    path = os.fspath(path).rstrip("/\\") or path
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"Directory '{path}' already exists and overwrite=False.")
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp_dir = tempfile.mkdtemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=parent)
    try:
        yield tmp_dir
    except BaseException:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        raise
    if os.path.isdir(path):
        old = tempfile.mkdtemp(prefix="." + os.path.basename(path) + ".", suffix=".old", dir=parent)
        os.rmdir(old)
        os.replace(path, old)
        os.replace(tmp_dir, path)
        shutil.rmtree(old, ignore_errors=True)
    else:
        if os.path.exists(path):
            raise FileExistsError(f"Cannot save a model directory to '{path}': a file with that name exists.")
        os.replace(tmp_dir, path)
