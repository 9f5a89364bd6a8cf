"""`Model.get_state_tree`/`set_state_tree`: a model's variables as nested dicts keyed by
the parts of their paths (`{"sequential": {"dense": {"kernel": ...}}}`), as Keras 3 gives them."""

from __future__ import annotations

_VALUE_FORMATS = ("backend_tensor", "numpy_array")


def nested_values(variables, value_format: str) -> dict:
    """`{path part: {...: value}}` for `variables`; values as tensors or NumPy arrays."""
    if value_format not in _VALUE_FORMATS:
        raise ValueError(
            "Invalid `value_format` argument. Expected one of {'numpy_array', 'backend_tensor'}. "
            f"Received: value_format={value_format}"
        )
    flat = {}
    for variable in variables:
        if variable.path in flat:
            raise ValueError(
                f"The following variable path is found twice in the model: '{variable.path}'. `get_state_tree()` "
                "can only be called when all variable paths are unique. Make sure to give unique names to your "
                "layers (and other objects)."
            )
        # `numpy_array`: copies, as Keras's (on the CPU `.numpy()` would share the live memory).
        flat[variable.path] = variable.value if value_format == "backend_tensor" else variable.numpy().copy()
    nested: dict = {}
    for path, value in flat.items():
        *parents, leaf = path.split("/")
        current = nested
        for part in parents:
            current = current.setdefault(part, {})
        current[leaf] = value
    return nested


def flat_values(nested: dict, prefix: str = "") -> dict:
    """The inverse of `nested_values`: `{path: value}`."""
    flat = {}
    for key, value in nested.items():
        if isinstance(value, dict):
            flat.update(flat_values(value, f"{prefix}{key}/"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def assign_by_path(variables, nested: dict) -> None:
    """Assign each value of `nested` to the variable of `variables` with its path."""
    by_path = {}
    for variable in variables:
        by_path.setdefault(variable.path, []).append(variable)
    for path, value in flat_values(nested).items():
        for variable in by_path.get(path, ()):
            variable.assign(value)
