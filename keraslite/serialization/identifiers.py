"""`get(identifier)` for the object families of Keras (initializers, regularizers,
constraints): an instance, a name, a class name, a config dict, a class or a callable."""

from __future__ import annotations

from keraslite.serialization import serialization_lib as serialization


def get_object(identifier, kind: str, base_class: type, by_name: dict, by_class_name: dict):
    """Resolve `identifier` to an object of family `kind` (used in error messages)."""
    if identifier is None:
        return None
    if isinstance(identifier, base_class):
        return identifier
    if isinstance(identifier, str):
        cls = by_name.get(identifier) or by_class_name.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}. Known: {sorted(by_name)}")
        return cls()
    if isinstance(identifier, dict):
        cls = by_class_name.get(identifier.get("class_name"))
        if cls is None:
            return serialization.deserialize_keras_object(identifier)
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, type) and issubclass(identifier, base_class):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}")
