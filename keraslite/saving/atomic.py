"""Crash-proof writes: a file (or folder) is written in full elsewhere and only then put in
place, so that a failure or a kill mid-save leaves any previous file whole.

Files are created as `open()` creates them, with the umask's mode (0644 under umask 022;
folders 0755), as Keras's are. Where the OS allows it (Linux, `O_TMPFILE`), a file is
written as an unnamed file in the target's folder and linked into place when complete, so
a process killed mid-write leaves nothing behind. Elsewhere the temporary file has a name,
`.<target>.<host>.<pid>.<token>.tmp`, and the next save of the same path removes those
left by processes of this host that no longer run.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import socket

_HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]


def _temp_name(path: str, suffix: str = ".tmp") -> str:
    directory, base = os.path.split(path)
    return os.path.join(directory, f".{base}.{_HOST}.{os.getpid()}.{secrets.token_hex(4)}{suffix}")


def _process_is_running(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would signal the process there: assume it runs
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale_temporaries(path: str) -> list[str]:
    """Remove the temporary files and folders that saves of `path` by processes of this host,
    now gone, left behind (killed mid-write where no unnamed file could be used)."""
    directory, base = os.path.split(os.path.abspath(path))
    pattern = re.compile(rf"^\.{re.escape(base)}\.{_HOST}\.(\d+)\.[0-9a-f]+\.(tmp|old)$")
    removed = []
    try:
        entries = os.listdir(directory)
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry)
        if match is None or _process_is_running(int(match.group(1))):
            continue
        stale = os.path.join(directory, entry)
        with contextlib.suppress(OSError):
            if os.path.isdir(stale) and not os.path.islink(stale):
                shutil.rmtree(stale)
            else:
                os.remove(stale)
            removed.append(stale)
    return removed


def _open_unnamed(directory: str) -> int | None:
    """A file descriptor of a new file with no name in `directory` (Linux), else None."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        # The kernel applies the umask to 0o666, as for any file `open()` creates.
        return os.open(directory, flag | os.O_RDWR | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError:  # a file system without O_TMPFILE support (EOPNOTSUPP, EINVAL, EISDIR)
        return None


def _link_into_place(fd: int, path: str) -> bool:
    """Give the unnamed file `fd` the name `path` (replacing it). False if linking fails."""
    source = f"/proc/self/fd/{fd}"
    try:
        os.link(source, path, follow_symlinks=True)  # linkat(AT_SYMLINK_FOLLOW)
        return True
    except FileExistsError:
        pass
    except OSError:
        return False
    # A name cannot be replaced by linkat: link beside it, then rename over it (one step).
    named = _temp_name(path)
    try:
        os.link(source, named, follow_symlinks=True)
    except OSError:
        return False
    try:
        os.replace(named, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(named)
        raise
    return True


def _open_named(path: str) -> tuple[int, str]:
    named = _temp_name(path)
    return os.open(named, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666), named


@contextlib.contextmanager
def atomic_file(path: str, overwrite: bool = True):
    """`with atomic_file("m.keras") as handle: write(handle)`; `handle` is a binary file
    open for reading and writing (h5py, zipfile and `write()` all take it), and the file
    appears at `path` only once the block ends without an exception."""
    path = os.path.abspath(os.fspath(path))
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"File '{path}' already exists and overwrite=False.")
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    remove_stale_temporaries(path)
    fd = _open_unnamed(directory)
    named = None
    if fd is None:
        fd, named = _open_named(path)
    handle = os.fdopen(fd, "w+b")
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
            if named is None and not _link_into_place(handle.fileno(), path):
                # Linking failed (no /proc): give the bytes a name the slow way.
                fallback_fd, named = _open_named(path)
                with os.fdopen(fallback_fd, "wb") as copy:
                    handle.seek(0)
                    shutil.copyfileobj(handle, copy)
                    copy.flush()
                    os.fsync(copy.fileno())
        if named is not None:
            os.replace(named, path)
            named = None
    finally:
        if named is not None:
            with contextlib.suppress(OSError):
                os.remove(named)


@contextlib.contextmanager
def atomic_directory(path: str, overwrite: bool = True):
    """`with atomic_directory("my_model") as tmp_dir: ...` then swapped into place.

    A directory cannot be replaced by one rename: the old one is renamed aside first,
    the new one into place, then the old one deleted."""
    path = os.path.abspath(os.fspath(path).rstrip("/\\") or os.fspath(path))
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"Directory '{path}' already exists and overwrite=False.")
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    remove_stale_temporaries(path)
    tmp_dir = _temp_name(path)
    os.mkdir(tmp_dir, 0o777)  # the umask applies, as for `os.makedirs`
    try:
        yield tmp_dir
    except BaseException:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        raise
    if os.path.isdir(path):
        old = _temp_name(path, ".old")
        os.replace(path, old)
        os.replace(tmp_dir, path)
        shutil.rmtree(old, ignore_errors=True)
    else:
        if os.path.exists(path):
            shutil.rmtree(tmp_dir, ignore_errors=True)
            raise FileExistsError(f"Cannot save a model directory to '{path}': a file with that name exists.")
        os.replace(tmp_dir, path)
