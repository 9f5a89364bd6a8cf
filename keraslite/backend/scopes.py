"""Keras's execution scopes: `StatelessScope` (variable values swapped in for a block,
assignments kept out of the variables), `SymbolicScope` (a marker that code is tracing
symbolically), `RematScope` and `remat` (rematerialization: recompute activations in the
backward pass instead of storing them, through `torch.utils.checkpoint`).

Scopes are per thread, as Keras's global state is.
"""

from __future__ import annotations

import collections
import functools
import threading

import torch
import torch.utils.checkpoint

_scopes = threading.local()


def _stack(name: str) -> list:
    stack = getattr(_scopes, name, None)
    if stack is None:
        stack = []
        setattr(_scopes, name, stack)
    return stack


class StatelessScope:
    """Inside the block, each variable of `state_mapping` (pairs `(variable, value)`) reads
    as its value, and `assign`/`assign_add`/`assign_sub` on any variable change only the
    scope's copy: on exit the variables hold their old values again, and the new ones are
    available from `get_current_value(variable)`.

    Args:
        state_mapping: an iterable of `(Variable, value)` pairs (or a dict).
        collect_losses: whether `add_loss` collects losses in `scope.losses`.
        initialize_variables: accepted for Keras compatibility (variables here are
            initialized when created).
    """

    def __init__(self, state_mapping=None, collect_losses=False, initialize_variables=True):
        self.collect_losses = collect_losses
        self.initialize_variables = initialize_variables
        self.losses: list = []
        self.state_mapping: dict = {}
        self._variables: dict = {}
        self._originals: dict = {}
        pairs = state_mapping.items() if isinstance(state_mapping, dict) else (state_mapping or [])
        for variable, value in pairs:
            if not (isinstance(variable, torch.nn.Parameter) and hasattr(variable, "assign")):
                raise ValueError(
                    "Invalid reference variable in StatelessScope: all keys in argument `mapping` must be Variable "
                    f"instances. Received instead: {variable!r:.100}"
                )
            value = torch.as_tensor(value.detach() if isinstance(value, torch.Tensor) else value)
            value = value.to(dtype=variable.dtype, device=variable.device)
            if tuple(value.shape) != tuple(variable.shape):
                raise ValueError(
                    "Invalid variable value in StatelessScope: all values in argument `mapping` must be tensors "
                    f"with a shape that matches the corresponding variable shape. For variable {variable.path}, "
                    f"received a value of shape {tuple(value.shape)}; expected {tuple(variable.shape)}."
                )
            self.state_mapping[id(variable)] = value
            self._variables[id(variable)] = variable

    def __enter__(self):
        for key, variable in self._variables.items():
            self._originals[key] = variable.data
            variable.data = self.state_mapping[key].clone()
        _stack("stateless").append(self)
        return self

    def __exit__(self, *exc):
        _stack("stateless").pop()
        for key, original in self._originals.items():
            variable = self._variables[key]
            self.state_mapping[key] = variable.data
            variable.data = original
        self._originals.clear()
        return False

    def protect(self, variable) -> None:
        """Called before a variable is assigned in the scope: from then on it holds a copy."""
        key = id(variable)
        if key not in self._originals:
            self._variables[key] = variable
            self._originals[key] = variable.data
            variable.data = variable.data.clone()

    def add_loss(self, loss) -> None:
        self.losses.append(loss)

    def add_update(self, update) -> None:
        variable, value = update
        self.protect(variable)
        variable.data = torch.as_tensor(value, dtype=variable.dtype, device=variable.device)

    def get_current_value(self, variable):
        """The value `variable` has in this scope, or None if the scope never touched it."""
        key = id(variable)
        if key in self._originals:
            return self._variables[key].data
        return self.state_mapping.get(key)


def get_stateless_scope() -> StatelessScope | None:
    stack = _stack("stateless")
    return stack[-1] if stack else None


def in_stateless_scope() -> bool:
    return bool(_stack("stateless"))


class SymbolicScope:
    """Marks a block as symbolic tracing (`in_symbolic_scope()` is True inside)."""

    def __enter__(self):
        _stack("symbolic").append(self)
        return self

    def __exit__(self, *exc):
        _stack("symbolic").pop()
        return False


def in_symbolic_scope() -> bool:
    return bool(_stack("symbolic"))


def get_symbolic_scope() -> SymbolicScope | None:
    stack = _stack("symbolic")
    return stack[-1] if stack else None


RematMode = collections.namedtuple("RematMode", ["mode", "output_size_threshold", "layer_names"])
_REMAT_MODES = ("full", "activations", "larger_than", "list_of_layers", None)


class RematScope:
    """Rematerialization settings for the layers called in the block: `mode` "full" (every
    layer), "activations", "larger_than" (outputs above `output_size_threshold` elements),
    "list_of_layers" (the layers named in `layer_names`) or None (off). Read with
    `get_current_remat_mode()`."""

    def __init__(self, mode="full", output_size_threshold=1024, layer_names=None):
        if mode not in _REMAT_MODES:
            raise ValueError(
                f"Invalid mode '{mode}'. Supported modes are: 'full', 'activations', 'larger_than', "
                "'list_of_layers', or None."
            )
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = layer_names or []

    def __enter__(self):
        _stack("remat").append(self)
        return self

    def __exit__(self, *exc):
        _stack("remat").pop()
        return False


def get_current_remat_mode() -> RematMode | None:
    stack = _stack("remat")
    if not stack:
        return None
    scope = stack[-1]
    return RematMode(scope.mode, scope.output_size_threshold, scope.layer_names)


def remat(f):
    """`f` wrapped so that, under autograd, its intermediate activations are recomputed in
    the backward pass instead of kept (`torch.utils.checkpoint`, non-reentrant)."""

    @functools.wraps(f)
    def rematerialized(*args, **kwargs):
        if not torch.is_grad_enabled():
            return f(*args, **kwargs)
        return torch.utils.checkpoint.checkpoint(f, *args, use_reentrant=False, **kwargs)

    return rematerialized
