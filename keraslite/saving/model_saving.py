"""The saving half of `Model`: save/load, weights files, configs (see saving/README.md)."""
from __future__ import annotations


class ModelSaving:
    """Mixed into `Model`: `save`, `save_weights`, `load_weights`, `get_config`,
    `from_config`, `to_json` for models."""
