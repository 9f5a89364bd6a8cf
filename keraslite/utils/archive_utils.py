"""File hashing and safe archive extraction, for `keras.utils.get_file`."""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import warnings
import zipfile


def _resolve_hasher(algorithm: str, file_hash: str | None = None):
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None and len(file_hash) == 64):
        return hashlib.sha256()
    if algorithm in ("md5", "auto"):
        # md5 only for legacy hashes (32 hex digits), as Keras.
        return hashlib.md5()
    raise ValueError(f'`hash_algorithm` must be "auto", "sha256" or "md5". Received: hash_algorithm={algorithm!r}')


def hash_file(fpath: str, algorithm: str = "sha256", chunk_size: int = 65535) -> str:
    """Returns the sha256 (or md5) hex digest of a file.

    Args:
        fpath: Path to the file.
        algorithm: `"sha256"`, `"md5"` or `"auto"` (sha256).
        chunk_size: Bytes read at a time.
    """
    hasher = _resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as file:
        for chunk in iter(lambda: file.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath: str, file_hash: str, algorithm: str = "auto", chunk_size: int = 65535) -> bool:
    """Whether the file's sha256 or md5 hash is `file_hash` (`"auto"`: sha256 for 64 hex digits, else md5)."""
    hasher = _resolve_hasher(algorithm, file_hash)
    return hash_file(fpath, hasher, chunk_size) == str(file_hash)


def _inside(base_dir: str, relative_path: str) -> bool:
    target = os.path.realpath(os.path.join(base_dir, relative_path))
    try:
        return os.path.commonpath([target, base_dir]) == base_dir
    except ValueError:
        return False


def _safe_tar_members(archive: tarfile.TarFile, base_dir: str):
    # Members that would land outside the extraction folder (absolute paths, `..`,
    # links pointing out) are skipped with a warning: an archive from the internet
    # must not write anywhere else.
    for member in archive:
        ok = _inside(base_dir, member.name)
        if ok and (member.issym() or member.islnk()):
            link_base = base_dir if member.islnk() else os.path.dirname(os.path.join(base_dir, member.name))
            ok = _inside(base_dir, os.path.relpath(os.path.join(link_base, member.linkname), base_dir))
        if ok:
            yield member
        else:
            warnings.warn(f"Skipping invalid path during archive extraction: '{member.name}'.", stacklevel=3)


def _extract_into(file_path: str, path: str, archive_type: str) -> None:
    base_dir = os.path.realpath(path)
    if archive_type == "tar":
        with tarfile.open(file_path) as archive:
            kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            archive.extractall(base_dir, members=_safe_tar_members(archive, base_dir), **kwargs)
    else:
        with zipfile.ZipFile(file_path) as archive:
            members = []
            for info in archive.infolist():
                if _inside(base_dir, info.filename):
                    members.append(info)
                else:
                    warnings.warn(f"Skipping invalid path during archive extraction: '{info.filename}'.", stacklevel=3)
            archive.extractall(base_dir, members=members)


def extract_archive(file_path: str, path: str = ".", archive_format="auto") -> bool:
    """Extracts a tar (.tar, .tar.gz, .tar.bz2) or zip archive into the folder `path`.

    The archive is unpacked into a temporary folder beside `path` which then replaces
    `path`, so an interrupted extraction never leaves a half-filled folder.

    Args:
        file_path: The archive.
        path: The folder to extract into.
        archive_format: `"auto"` (`["tar", "zip"]`), `"tar"`, `"zip"`, a list of them, or `None`.

    Returns:
        `True` if the archive matched a format and was extracted, `False` otherwise.
    """
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else archive_format
    if isinstance(formats, str):
        formats = [formats]
    file_path, path = os.fspath(file_path), os.fspath(path)
    for archive_type in formats:
        if archive_type not in ("tar", "zip"):
            raise ValueError(
                f'`archive_format` must be "auto", "tar", "zip" or None. Received: archive_format={archive_format!r}'
            )
        is_match = tarfile.is_tarfile if archive_type == "tar" else zipfile.is_zipfile
        if not is_match(file_path):
            continue
        parent = os.path.dirname(os.path.abspath(path))
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(dir=parent, prefix=os.path.basename(path) + ".extracting-")
        try:
            _extract_into(file_path, staging, archive_type)
            if os.path.isdir(path):
                shutil.rmtree(path)
            elif os.path.exists(path):
                os.remove(path)
            os.replace(staging, path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return True
    return False


def extract_beside(file_path, folder, archive_format="auto") -> bool:
    """Extracts the archive's entries into the existing `folder`, beside what is there (as
    tf.keras 2's `get_file(extract=True)` did into the cache folder): each top-level entry
    is unpacked to a temporary folder first and then moved into place, replacing only an
    entry of the same name. `extract_archive` instead replaces the whole folder.

    Returns `True` if the archive matched a format and was extracted, `False` otherwise.
    """
    folder = os.fspath(folder) or "."
    os.makedirs(folder, exist_ok=True)
    staging = tempfile.mkdtemp(dir=folder, prefix=".extracting-")
    try:
        unpacked = os.path.join(staging, "contents")
        if not extract_archive(file_path, unpacked, archive_format):
            return False
        for name in os.listdir(unpacked):
            target = os.path.join(folder, name)
            if os.path.isdir(target) and not os.path.islink(target):
                shutil.rmtree(target)
            elif os.path.exists(target):
                os.remove(target)
            os.replace(os.path.join(unpacked, name), target)
        return True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
