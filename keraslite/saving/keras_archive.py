"""The Keras 3 `.keras` archive: a zip of `metadata.json`, `config.json` and
`model.weights.h5` (weights and optimizer state in Keras 3's h5 layout).

Reading treats the file as untrusted: every member's declared size and compression ratio
is checked before anything is decompressed, at most the declared size is ever inflated,
and the weights are streamed (in chunks, to an unnamed temporary file) rather than read
whole into memory. A member that breaks a bound raises `CorruptFileError` naming it."""

from __future__ import annotations

import contextlib
import datetime
import json
import tempfile
import zipfile

from keraslite.saving import h5_weights
from keraslite.saving.atomic import atomic_file
from keraslite.saving.errors import CorruptFileError, corrupt_file_error
from keraslite.version import __version__ as keraslite_version

# The Keras release whose file layout keraslite writes (recorded in metadata.json).
KERAS_VERSION = "3.15.1"
CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"

# Bounds on what a member may inflate to. A config of 10,000 layers is a few MB; Keras's
# metadata is a few hundred bytes; weights are as large as the model.
MAX_MEMBER_BYTES = {CONFIG_FILENAME: 256 * 2**20, METADATA_FILENAME: 16 * 2**20, WEIGHTS_FILENAME: 64 * 2**30}
# Keras stores members uncompressed and DEFLATE cannot pass ~1032:1: a member that inflates
# to more than 100x its stored size (past a floor) is a decompression bomb, as Keras judges.
MAX_EXPANSION = 100
EXPANSION_FLOOR_BYTES = {CONFIG_FILENAME: 2**20, METADATA_FILENAME: 2**20, WEIGHTS_FILENAME: 256 * 2**20}
_CHUNK_BYTES = 2**20


def metadata() -> dict:
    return {
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
        "keraslite_version": keraslite_version,
    }


def save_archive(model, path: str, config: dict, include_optimizer: bool = True, overwrite: bool = True) -> None:
    """Everything is produced in memory first; the file appears only once complete."""
    config_json = json.dumps(config)
    weights = h5_weights.h5_bytes(model, include_optimizer=include_optimizer)
    with atomic_file(path, overwrite=overwrite) as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(METADATA_FILENAME, json.dumps(metadata()))
            archive.writestr(CONFIG_FILENAME, config_json)
            archive.writestr(WEIGHTS_FILENAME, weights)


# ---------------------------------------------------------------------- reading
@contextlib.contextmanager
def open_archive(path: str):
    try:
        archive = zipfile.ZipFile(path, "r")
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise corrupt_file_error(path, "it is not a valid zip archive (a `.keras` file is a zip)", error) from error
    with archive:
        yield archive


def _checked_info(archive: zipfile.ZipFile, name: str, source: str, what: str) -> zipfile.ZipInfo:
    """The member's entry, once its declared size and compression ratio are within bounds."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise corrupt_file_error(
            source, f"the archive has no '{name}' ({what}); its members are {archive.namelist()}"
        ) from None
    limit = MAX_MEMBER_BYTES.get(name, MAX_MEMBER_BYTES[WEIGHTS_FILENAME])
    if info.file_size > limit:
        raise corrupt_file_error(
            source, f"'{name}' declares {info.file_size} bytes uncompressed, more than the {limit} allowed for {what}"
        )
    floor = EXPANSION_FLOOR_BYTES.get(name, EXPANSION_FLOOR_BYTES[WEIGHTS_FILENAME])
    if info.file_size > floor and info.file_size > MAX_EXPANSION * max(info.compress_size, 1):
        raise corrupt_file_error(
            source,
            f"'{name}' would inflate {info.compress_size} stored bytes to {info.file_size} "
            f"(more than {MAX_EXPANSION}x): a decompression bomb",
        )
    return info


def _copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target, source: str) -> None:
    """Inflate a member chunk by chunk into `target`, never past its declared size."""
    written = 0
    try:
        with archive.open(info, "r") as stream:
            while chunk := stream.read(_CHUNK_BYTES):
                written += len(chunk)
                if written > info.file_size:  # zipfile stops at the declared size; never trust it alone
                    raise corrupt_file_error(source, f"'{info.filename}' inflates past its declared size")
                target.write(chunk)
    except CorruptFileError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
        raise corrupt_file_error(source, f"'{info.filename}' cannot be extracted", error) from error


def read_json_member(archive: zipfile.ZipFile, name: str, source: str, what: str):
    info = _checked_info(archive, name, source, what)
    buffer = bytearray()

    class _Sink:
        write = buffer.extend

    _copy_member(archive, info, _Sink, source)
    try:
        return json.loads(bytes(buffer))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise corrupt_file_error(source, f"'{name}' is not valid JSON", error) from error


def read_archive(path: str) -> tuple[dict, dict]:
    """(config, metadata) of a `.keras` file; the weights are read by `open_weights`."""
    with open_archive(path) as archive:
        config = read_json_member(archive, CONFIG_FILENAME, path, "the model's config")
        meta = {}
        if METADATA_FILENAME in archive.namelist():
            try:
                meta = read_json_member(archive, METADATA_FILENAME, path, "the file's metadata")
            except CorruptFileError as error:
                if "not valid JSON" not in str(error):
                    raise  # a bomb is refused; a merely unreadable metadata.json is not needed
                meta = {}
    return config, meta


@contextlib.contextmanager
def weights_member(archive: zipfile.ZipFile, source: str):
    """`model.weights.h5` as a seekable file for h5py: copied in chunks into an unnamed
    temporary file (removed by the OS even if the process dies), not read into memory."""
    names = archive.namelist()
    if WEIGHTS_FILENAME not in names and any(n.endswith(".h5") or n.endswith(".npz") for n in names):
        raise corrupt_file_error(source, f"the weights are sharded or renamed ({names}); not supported yet")
    info = _checked_info(archive, WEIGHTS_FILENAME, source, "the weights file every Keras 3 archive holds")
    with tempfile.TemporaryFile(prefix="keraslite-weights-") as copy:
        _copy_member(archive, info, copy, source)
        copy.seek(0)
        yield copy


@contextlib.contextmanager
def open_weights(path: str):
    with open_archive(path) as archive, weights_member(archive, path) as weights:
        yield weights


def read_weights(path: str) -> dict:
    """The stored weights of a `.keras` file ({group path: [arrays]})."""
    with open_weights(path) as weights:
        return h5_weights.read_h5_weights(weights, path)
