"""`keras.export`: exporting models for inference (re-exports)."""

from keraslite.export.saved_model import ExportArchive as ExportArchive
