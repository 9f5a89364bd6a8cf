"""`Variable`: a `torch.nn.Parameter` that also answers to the Keras variable API."""

from __future__ import annotations

import numpy as np
import torch

from keraslite.backend.name_scope import current_path


class Variable(torch.nn.Parameter):
    """A layer weight. It *is* a Parameter (optimizers, `state_dict`, `.to()` and
    `torch.compile` see a plain parameter) and adds what Keras code uses on weights:
    `name`, `path`, `trainable`, `numpy()`, `assign()`, `value`.

    The data is kept in Keras layout (a Dense kernel is `(in, out)`), so what users
    read and write is what Keras shows.
    """

    def __new__(cls, data: torch.Tensor, trainable: bool = True, name: str = "variable", path: str | None = None):
        self = torch.nn.Parameter.__new__(cls, data, requires_grad=trainable)
        self._keras_name = name
        # Inside `keras.name_scope(...)` blocks the path starts with the open scopes' path, as in Keras.
        scope_path = current_path()
        self._keras_path = f"{scope_path}/{path or name}" if scope_path else path or name
        self.regularizer = None
        self.constraint = None
        return self

    def __init__(self, *args, **kwargs):  # everything happens in __new__
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        new = type(self)(self.data.clone(memory_format=torch.preserve_format), self.requires_grad, self._keras_name)
        new.__dict__.update(self.__dict__)
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, proto):
        # Pickling (torch.save of a whole module) keeps a plain Parameter: the Keras
        # metadata is rebuilt by the layer that owns it.
        return (torch.nn.Parameter, (self.data.detach().clone(), self.requires_grad))

    @property
    def name(self) -> str:
        return self._keras_name

    @property
    def path(self) -> str:
        return self._keras_path

    @property
    def trainable(self) -> bool:
        return self.requires_grad

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self.requires_grad_(bool(value))

    @property
    def value(self) -> torch.Tensor:
        return self

    def numpy(self) -> np.ndarray:  # type: ignore[override]
        return self.detach().cpu().numpy()

    def assign(self, value) -> "Variable":
        value = torch.as_tensor(np.asarray(value) if not isinstance(value, torch.Tensor) else value)
        if tuple(value.shape) != tuple(self.shape):
            raise ValueError(
                f"The shape of the target variable and the shape of the target value in "
                f"`variable.assign(value)` must match. variable.shape={tuple(self.shape)}, "
                f"Received: value.shape={tuple(value.shape)}. Target variable: {self.path}"
            )
        with torch.no_grad():
            self.copy_(value.to(dtype=self.dtype, device=self.device))
        return self

    def assign_add(self, value) -> "Variable":
        with torch.no_grad():
            self.add_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def assign_sub(self, value) -> "Variable":
        with torch.no_grad():
            self.sub_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def __repr__(self) -> str:
        return (
            f"<Variable path={self.path}, shape={tuple(self.shape)}, "
            f"dtype={str(self.dtype).replace('torch.', '')}, value={self.detach().cpu().numpy()!r}>"
        )
