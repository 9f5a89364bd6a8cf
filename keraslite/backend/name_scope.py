"""`keras.name_scope`: a prefix for the paths of variables created inside a `with` block."""

from __future__ import annotations

import threading

_scopes = threading.local()  # `stack`: the open name scopes of this thread, outermost first


class name_scope:
    """Creates a sub-namespace for variable paths.

    Variables created inside `with keras.name_scope("encoder"):` get paths that start with
    `encoder/` (a Dense layer's kernel: `encoder/dense/kernel`); scopes nest.

    Args:
        name: Name of the scope, a string without `/`.
        caller: Optional object that opens the scope (e.g. a layer).
        deduplicate: If `True`, re-entering a scope of the same name from the same `caller`
            as the innermost open scope adds no level.
        override_parent: An absolute path that replaces the paths of the enclosing scopes.
    """

    def __init__(self, name: str, caller=None, deduplicate: bool = True, override_parent: str | None = None):
        if not isinstance(name, str) or "/" in name:
            raise ValueError(
                f"Argument `name` must be a string and cannot contain character `/`. Received: name={name}"
            )
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent
        self._pushed = False

    def __enter__(self) -> "name_scope":
        stack = _scopes.__dict__.setdefault("stack", [])
        innermost = stack[-1] if stack else None
        if (
            self.deduplicate
            and innermost is not None
            and self.caller is not None
            and innermost.caller is self.caller
            and innermost.name == self.name
        ):
            return self
        stack.append(self)
        self._pushed = True
        return self

    def __exit__(self, *exc_info) -> None:
        if self._pushed:
            _scopes.stack.pop()
            self._pushed = False


def current_path() -> str:
    """The path of the open name scopes, `"outer/inner"`, or `""` outside any."""
    parts: list[str] = []
    for scope in getattr(_scopes, "stack", ()):
        if scope.override_parent is not None:
            parts = [part for part in scope.override_parent.split("/") if part]
        parts.append(scope.name)
    return "/".join(parts)
