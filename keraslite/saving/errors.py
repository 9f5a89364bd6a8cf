"""Errors raised while reading model files: they name the file and what is wrong."""

from __future__ import annotations


class CorruptFileError(ValueError):
    """A file is truncated, damaged or not the kind of file its name says."""


def corrupt_file_error(source: str, what: str, cause: BaseException | None = None) -> CorruptFileError:
    detail = f" ({type(cause).__name__}: {cause})" if cause is not None else ""
    return CorruptFileError(
        f"Cannot read '{source}': {what}{detail}. The file may be truncated or corrupt, or not a Keras model file."
    )
