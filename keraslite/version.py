"""The keraslite release (also in pyproject.toml); its own module so that any layer can read it."""

__version__ = "0.1.0"


def version() -> str:
    """The keraslite release, as `keras.version()` returns the Keras release; equal to `keraslite.__version__`."""
    return __version__
