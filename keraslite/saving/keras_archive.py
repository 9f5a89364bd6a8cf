"""The Keras 3 `.keras` archive: a zip of `metadata.json`, `config.json` and
`model.weights.h5` (weights and optimizer state in Keras 3's h5 layout)."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

from keraslite.saving import h5_weights
from keraslite.saving.atomic import atomic_file
from keraslite.saving.errors import corrupt_file_error
from keraslite.version import __version__ as keraslite_version

# The Keras release whose file layout keraslite writes (recorded in metadata.json).
KERAS_VERSION = "3.15.1"
CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"
# Refuse archive members that would inflate past this (zip bombs).
_MAX_MEMBER_BYTES = 64 * 2**30


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
    with atomic_file(path, overwrite=overwrite) as tmp_path:
        with zipfile.ZipFile(tmp_path, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(METADATA_FILENAME, json.dumps(metadata()))
            archive.writestr(CONFIG_FILENAME, config_json)
            archive.writestr(WEIGHTS_FILENAME, weights)


def _read_member(archive: zipfile.ZipFile, name: str, source: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise corrupt_file_error(source, f"the archive has no '{name}' (members: {archive.namelist()})") from None
    if info.file_size > _MAX_MEMBER_BYTES:
        raise corrupt_file_error(source, f"'{name}' would inflate to {info.file_size} bytes")
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise corrupt_file_error(source, f"'{name}' cannot be extracted", error) from error


def read_archive(path: str) -> tuple[dict, dict, bytes]:
    """(config, metadata, weights h5 bytes) of a `.keras` file."""
    try:
        archive = zipfile.ZipFile(path, "r")
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise corrupt_file_error(path, "it is not a valid zip archive (a `.keras` file is a zip)", error) from error
    with archive:
        config_bytes = _read_member(archive, CONFIG_FILENAME, path)
        try:
            config = json.loads(config_bytes)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise corrupt_file_error(path, f"'{CONFIG_FILENAME}' is not valid JSON", error) from error
        meta = {}
        if METADATA_FILENAME in archive.namelist():
            try:
                meta = json.loads(_read_member(archive, METADATA_FILENAME, path))
            except (json.JSONDecodeError, UnicodeDecodeError):
                meta = {}
        weights = _read_member(archive, WEIGHTS_FILENAME, path) if WEIGHTS_FILENAME in archive.namelist() else b""
        if not weights and any(n.endswith(".h5") for n in archive.namelist()):
            raise corrupt_file_error(
                path, f"the weights are sharded or renamed ({archive.namelist()}); not supported yet"
            )
    return config, meta, weights


def read_weights(path: str) -> dict:
    """The stored weights of a `.keras` file ({group path: [arrays]})."""
    _, _, weights = read_archive(path)
    if not weights:
        return {}
    return h5_weights.read_h5_weights(io.BytesIO(weights), path)
