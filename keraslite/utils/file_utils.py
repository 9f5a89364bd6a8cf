"""`keras.utils.get_file`: download a file once into the Keras cache and reuse it.

The cache is `$KERAS_HOME/<cache_subdir>` (default `~/.keras/datasets`). Downloads go to
a temporary file beside the target and are renamed into place only once complete and
hash-checked, so an interrupted download never leaves a truncated file in the cache.

Two environment variables serve machines without network and test suites:
`KERASLITE_OFFLINE=1` never tries to download (a missing file raises the
"place it here" error at once); `KERASLITE_TRUST_CACHE=1` uses a cached file even
when its hash differs from the published one (hand-made fixture files).
"""

from __future__ import annotations

import os
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings

from keraslite.backend import state
from keraslite.utils.archive_utils import extract_archive, extract_beside, validate_file
from keraslite.utils.progbar import Progbar


class DownloadError(OSError):
    """A file needed from the internet is not in the cache and could not be downloaded.

    `reason` holds why the download failed (no network, HTTP error, offline mode)."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason


def keras_home() -> str:
    """The Keras cache root: `$KERAS_HOME` if set, else `~/.keras` (read at each call)."""
    return os.path.expanduser(os.environ.get("KERAS_HOME") or os.path.join("~", ".keras"))


def give_default_permissions(path: str) -> None:
    """`tempfile.mkstemp` makes 0600 files; give a file renamed into place the mode a
    plain `open(path, "w")` would have (0666 minus the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def _cache_folder(cache_dir: str | None, cache_subdir: str) -> str:
    base = os.path.expanduser(cache_dir) if cache_dir is not None else keras_home()
    try:
        os.makedirs(os.path.join(base, cache_subdir), exist_ok=True)
        if not os.access(os.path.join(base, cache_subdir), os.W_OK):
            raise PermissionError(base)
    except OSError:
        # As Keras: an unwritable cache falls back to /tmp/.keras.
        base = os.path.join(tempfile.gettempdir(), ".keras")
        os.makedirs(os.path.join(base, cache_subdir), exist_ok=True)
    return os.path.join(base, cache_subdir)


def _make_progbar(total_size: int | None):
    return Progbar(total_size)


# Seconds without any data before a download is abandoned (a firewall that drops
# packets would otherwise hang `load_data()` forever).
DOWNLOAD_TIMEOUT = 60.0


def _fetch(origin: str, destination: str) -> None:
    """Stream `origin` into `destination`, with a progress bar when the size is known."""
    with urllib.request.urlopen(origin, timeout=DOWNLOAD_TIMEOUT) as response, open(destination, "wb") as file:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        bar = _make_progbar(total)
        done = 0
        while True:
            chunk = response.read(1 << 20)
            if not chunk:
                break
            file.write(chunk)
            done += len(chunk)
            if bar is not None:
                bar.update(done)


def _offline_message(fname: str, origin: str, target: str, extraction_dir: str | None, reason: str) -> str:
    where = f"place it at {target}"
    if extraction_dir is not None:
        where = f"place the archive at {target} (or its extracted contents in {extraction_dir}{os.sep})"
    return (
        f"Could not download '{fname}' from {origin} ({reason}), and it is not in the Keras cache. "
        f"To use it without network, download {origin} on a machine with internet access and {where}. "
        f"The cache folder is $KERAS_HOME (default ~/.keras) / the `cache_subdir`."
    )


def _download(origin: str, target: str, fname: str, extraction_dir: str | None, file_hash, hash_algorithm) -> None:
    if _flag("KERASLITE_OFFLINE"):
        reason = "KERASLITE_OFFLINE is set"
        raise DownloadError(_offline_message(fname, origin, target, extraction_dir, reason), reason)
    print(f"Downloading data from {origin}", file=sys.stdout)
    handle, partial = tempfile.mkstemp(
        dir=os.path.dirname(target), prefix=os.path.basename(target) + ".", suffix=".part"
    )
    os.close(handle)
    try:
        try:
            _fetch(origin, partial)
        except urllib.error.HTTPError as error:
            reason = f"URL fetch failure: {error.code} -- {error.msg}"
            raise DownloadError(_offline_message(fname, origin, target, extraction_dir, reason), reason) from error
        except (urllib.error.URLError, OSError) as error:
            reason = f"URL fetch failure: {getattr(error, 'reason', error)}"
            raise DownloadError(_offline_message(fname, origin, target, extraction_dir, reason), reason) from error
        # Security-minded callers pass the published hash: never put a file that does
        # not match it into the cache.
        if file_hash is not None and not validate_file(partial, file_hash, algorithm=hash_algorithm):
            raise ValueError(
                f"Incomplete or corrupted file detected while downloading {origin}: the {hash_algorithm} "
                f"file hash does not match the provided value of {file_hash}."
            )
        give_default_permissions(partial)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _get_file_tf2(origin, datadir, fname, untar, file_hash, hash_algorithm, archive_format, force_download):
    """tf.keras 2's `get_file` with an archive: `untar=True` downloads `<fname>.tar.gz`,
    extracts it into the cache folder and returns `<cache folder>/<fname>`; `extract=True`
    extracts the archive into the cache folder and returns the archive's path."""
    if untar:
        returned = os.path.join(datadir, fname)
        target = returned + ".tar.gz"
    else:
        returned = target = os.path.join(datadir, fname)
    downloaded = False
    if force_download or not os.path.exists(target):
        if untar and not force_download and os.path.exists(returned):
            return returned  # extracted before; the archive was removed
        _download(origin, target, fname, datadir, file_hash, hash_algorithm)
        downloaded = True
    elif (
        file_hash is not None
        and not _flag("KERASLITE_TRUST_CACHE")
        and not validate_file(target, file_hash, algorithm=hash_algorithm)
    ):
        _download(origin, target, fname, datadir, file_hash, hash_algorithm)
        downloaded = True
    if not untar or downloaded or not os.path.exists(returned):
        if not extract_beside(target, datadir, "tar" if untar else archive_format):
            warnings.warn(f"Could not extract archive {target}: it is not a tar or zip file.", stacklevel=3)
    return returned


def get_file(
    fname: str | None = None,
    origin: str | None = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format: str = "auto",
    cache_dir: str | None = None,
    force_download: bool = False,
) -> str:
    """Downloads a file from a URL if it is not already in the cache.

    By default the file at `origin` is saved as `~/.keras/datasets/<fname>`
    (`$KERAS_HOME` replaces `~/.keras`). With `extract=True` a tar or zip archive
    is unpacked into a folder, whose path is returned.

    Args:
        fname: Local file name (no folders). `None`: the name of the file at `origin`.
            With `extract=True` and a name without extension, the extraction folder's name.
        origin: Original URL of the file.
        untar: Deprecated in favour of `extract`: the file is a tar archive to extract.
        md5_hash: Deprecated in favour of `file_hash`: md5 hash of the file.
        file_hash: Expected sha256 (64 hex digits) or md5 hash of the file.
        cache_subdir: Subfolder of the cache (an absolute path is used as is).
        hash_algorithm: `"auto"`, `"sha256"` or `"md5"`.
        extract: Whether to extract the archive (tar, tar.gz, tar.bz2, zip).
        archive_format: `"auto"`, `"tar"`, `"zip"` or `None`.
        cache_dir: Cache root; `None` is `$KERAS_HOME` or `~/.keras`.
        force_download: Download again even if the file is cached.

    Returns:
        Path to the downloaded file, or to the extraction folder when extracting.

    Raises:
        DownloadError: the file is not cached and cannot be downloaded (no network);
            the message names the URL and the path where to place the file.
    """
    return fetch_file(
        fname, origin, untar, md5_hash, file_hash, cache_subdir, hash_algorithm, extract, archive_format, cache_dir,
        force_download, layout=state.dialect(),
    )  # fmt: skip


def fetch_file(
    fname, origin, untar, md5_hash, file_hash, cache_subdir, hash_algorithm, extract, archive_format, cache_dir,
    force_download, layout: str,
) -> str:  # fmt: skip
    """`get_file`'s work, with the archive layout named: "tf2" extracts where tf.keras 2
    did, anything else where Keras 3 does (keraslite's own data set loaders ask for that)."""
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir = _cache_folder(cache_dir, cache_subdir)
    given_name = os.fspath(fname) if fname is not None else None
    fname = given_name
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(
                f"Can't parse the file name from the origin provided: '{origin}'. Please specify the `fname` argument."
            )
    elif os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError(
            "Paths are no longer accepted as the `fname` argument. To specify the file's parent "
            f"directory, use the `cache_dir` argument. Received: fname={fname}"
        )

    # Where the file goes, by Keras 3's rules (so a cache filled by Keras is reused) -- or
    # by tf.keras 2's for TF-2-era code (they differ where archives are extracted).
    extracting = extract or untar
    extraction_dir = None
    if extracting and layout == "tf2":
        return _get_file_tf2(origin, datadir, fname, untar, file_hash, hash_algorithm, archive_format, force_download)
    if extracting:
        if given_name and "." in fname:
            target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir, fname[: fname.find(".")] + "_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            target = os.path.join(datadir, fname + "_archive")
    else:
        target = os.path.join(datadir, fname)

    downloaded = False
    if force_download or not os.path.exists(target):
        if extracting and not force_download and os.path.isdir(extraction_dir) and os.listdir(extraction_dir):
            # Contents already extracted (the archive itself was removed or placed by hand).
            return extraction_dir
        _download(origin, target, fname, extraction_dir, file_hash, hash_algorithm)
        downloaded = True
    elif (
        file_hash is not None
        and not _flag("KERASLITE_TRUST_CACHE")
        and not validate_file(target, file_hash, algorithm=hash_algorithm)
    ):
        print(
            f"A local file was found, but it seems to be incomplete or outdated because the {hash_algorithm} "
            f"file hash does not match the original value of {file_hash} so we will re-download the data."
        )
        try:
            _download(origin, target, fname, extraction_dir, file_hash, hash_algorithm)
        except DownloadError as error:
            raise DownloadError(
                f"The cached file {target} does not match the expected {hash_algorithm} hash {file_hash}, and a fresh "
                f"copy could not be downloaded from {origin} ({error.reason}). Replace it with the published file, "
                "or set KERASLITE_TRUST_CACHE=1 to use it as it is.",
                error.reason,
            ) from error
        downloaded = True

    if extracting:
        needs_extraction = downloaded or not os.path.isdir(extraction_dir) or not os.listdir(extraction_dir)
        if needs_extraction:
            status = extract_archive(target, extraction_dir, "tar" if untar else archive_format)
            if not status:
                warnings.warn(f"Could not extract archive {target}: it is not a tar or zip file.", stacklevel=2)
        return extraction_dir
    return target
