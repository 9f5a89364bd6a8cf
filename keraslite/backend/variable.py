"""`Variable`: a `torch.nn.Parameter` that also answers to the Keras variable API."""

from __future__ import annotations

import importlib

import numpy as np
import torch

from keraslite.backend import dtypes, scopes, state
from keraslite.backend.conversion import to_numpy, to_tensor
from keraslite.backend.name_scope import current_path
from keraslite.backend.operands import ArrayOperandsMixin

_AGGREGATIONS = (None, "none", "mean", "sum", "only_first_replica")
_SYNCHRONIZATIONS = (None, "none", "on_read", "on_write", "auto")


class Variable(ArrayOperandsMixin, torch.nn.Parameter):
    """A variable: a layer weight, a metric's or optimizer's state, or one made directly.

    It *is* a Parameter (optimizers, `state_dict`, `.to()` and `torch.compile` see a plain
    parameter) and adds what Keras code uses on variables: `name`, `path`, `trainable`,
    `numpy()`, `assign()`, `value`, `autocast`, `aggregation`, `synchronization`. The data is
    kept in Keras layout (a Dense kernel is `(in, out)`), so what users read and write is what
    Keras shows.

    Args:
        initializer: the initial value (a tensor, NumPy array, Python number or nested list),
            or an initializer (an object, a registered name such as `"zeros"`, or any callable
            taking `(shape, dtype=...)`), which then needs `shape`.
        shape: the shape, when `initializer` is an initializer; ignored for a value, as in Keras.
        dtype: the dtype; by default the value's own (Python floats: `floatx()`), or
            `floatx()` for an initializer.
        trainable: whether training updates it (`requires_grad`); only floating variables
            can be trainable in torch, others are made non-trainable.
        autocast: whether a layer may cast it to its compute dtype when read.
        aggregation: how a distributed variable is aggregated: one of `None`, `"none"`,
            `"mean"`, `"sum"`, `"only_first_replica"`.
        synchronization: one of `None`, `"none"`, `"on_read"`, `"on_write"`, `"auto"`.
        name: the name, without `/`; by default `variable`, `variable_1`, ...
        layout: a sharding layout; kept, not used (one device).

    Example:

    ```python
    counter = keras.Variable(0, dtype="int32", trainable=False, name="counter")
    kernel = keras.Variable("glorot_uniform", shape=(3, 4), name="kernel")
    values = keras.Variable(np.ones((2, 2)))  # float64, as the array
    ```
    """

    def __new__(
        cls,
        initializer,
        shape=None,
        dtype=None,
        trainable: bool = True,
        autocast: bool = True,
        aggregation: str | None = "none",
        synchronization: str | None = "auto",
        name: str | None = None,
        layout=None,
        **kwargs,
    ):
        # `path`: the owner's path for its weights (`dense/kernel`); other keyword arguments
        # are backend-specific in Keras and ignored, as Keras's torch backend ignores them.
        path = kwargs.get("path")
        if name is None:
            name = state.unique_name("variable")
        if not isinstance(name, str) or "/" in name:
            raise ValueError(
                f"Argument `name` must be a string and cannot contain character `/`. Received: name={name}"
            )
        if aggregation not in _AGGREGATIONS:
            raise ValueError(
                "Invalid value for argument `aggregation`. Expected one of `None`, `'none'`, `'mean'`, `'sum'`, "
                f"`'only_first_replica'`. Received: aggregation={aggregation}"
            )
        if synchronization not in _SYNCHRONIZATIONS:
            raise ValueError(
                "Invalid value for argument `synchronization`. Expected one of `None`, `'none'`, `'on_read'`, "
                f"`'on_write'`, `'auto'`. Received: synchronization={synchronization}"
            )
        data = _initial_value(initializer, shape, dtype, name)
        if data.is_inference():
            # Made under `torch.inference_mode()` (a model first called inside it): a copy that
            # training can use; an inference tensor would fail every later training step.
            with torch.inference_mode(False):
                data = data.clone()
        trainable = bool(trainable) and (data.is_floating_point() or data.is_complex())
        self = torch.nn.Parameter.__new__(cls, data, requires_grad=trainable)
        self._keras_name = name
        # Inside `keras.name_scope(...)` blocks the path starts with the open scopes' path, as in Keras.
        scope_path = current_path()
        self._keras_path = f"{scope_path}/{path or name}" if scope_path else path or name
        self.autocast = bool(autocast)
        self._aggregation = aggregation or "none"
        self._synchronization = synchronization or "none"
        self._layout = layout
        self.regularizer = None
        self.constraint = None
        return self

    def __init__(self, *args, **kwargs):  # everything happens in __new__
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        new = type(self)(
            self.data.clone(memory_format=torch.preserve_format), trainable=self.requires_grad, name=self._keras_name
        )
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
    def aggregation(self) -> str:
        """How a distributed variable is aggregated (an annotation on one device)."""
        return self._aggregation

    @property
    def synchronization(self) -> str:
        """When a distributed variable is synchronized (an annotation on one device)."""
        return self._synchronization

    @property
    def overwrite_with_gradient(self) -> bool:
        """Whether the optimizer overwrites this variable with its gradient instead of
        applying an update (float8 training's scales and amax histories)."""
        return self.__dict__.get("_overwrite_with_gradient", False)

    @overwrite_with_gradient.setter
    def overwrite_with_gradient(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise TypeError(f"`overwrite_with_gradient` must be a boolean. Received: {value}")
        self._overwrite_with_gradient = value

    @property
    def trainable(self) -> bool:
        return self.requires_grad

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self.requires_grad_(bool(value))

    @property
    def value(self) -> torch.Tensor:
        return self

    def numpy(self, *, force: bool = False) -> np.ndarray:  # type: ignore[override]
        """The value as a NumPy array, read from any device without gradient tracking (Keras's
        `variable.numpy()`; bfloat16/float8 as `ml_dtypes` arrays). `force` keeps
        `torch.Tensor.numpy`'s signature, which torch's own code calls on parameters
        (`torch.onnx.export` does); detaching and moving to the host are always done."""
        return to_numpy(self)

    def assign(self, value) -> "Variable":
        value = value if isinstance(value, torch.Tensor) else to_tensor(np.asarray(value))
        if tuple(value.shape) != tuple(self.shape):
            raise ValueError(
                f"The shape of the target variable and the shape of the target value in "
                f"`variable.assign(value)` must match. variable.shape={tuple(self.shape)}, "
                f"Received: value.shape={tuple(value.shape)}. Target variable: {self.path}"
            )
        _protect_in_stateless_scope(self)
        with torch.no_grad():
            self.copy_(value.to(dtype=self.dtype, device=self.device))
        return self

    def assign_add(self, value) -> "Variable":
        _protect_in_stateless_scope(self)
        with torch.no_grad():
            self.add_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def assign_sub(self, value) -> "Variable":
        _protect_in_stateless_scope(self)
        with torch.no_grad():
            self.sub_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def __repr__(self) -> str:
        return (
            f"<Variable path={self.path}, shape={tuple(self.shape)}, "
            f"dtype={str(self.dtype).replace('torch.', '')}, value={to_numpy(self)}>"
        )


def _plain(value: torch.Tensor) -> torch.Tensor:
    """`value` as a plain torch tensor: a Parameter holds one, not a tensor subclass (such
    as the eager tensor `tf.random.normal` returns when it serves as an initializer)."""
    if type(value) is torch.Tensor or isinstance(value, torch.nn.Parameter):
        return value
    return value.as_subclass(torch.Tensor)


def _initial_value(initializer, shape, dtype, name: str) -> torch.Tensor:
    """The first value of a variable: `initializer` itself, or what it makes for `shape`."""
    if isinstance(initializer, str):
        # A registered initializer name: looked up on the public namespace by name, as
        # deserialization does (initializers sit above the backend).
        initializer = importlib.import_module("keraslite.initializers").get(initializer)
    if callable(initializer):
        if shape is None:
            raise ValueError(
                "When creating a Variable from an initializer, the `shape` argument should be specified. "
                f"Received: initializer={initializer} and shape={shape}"
            )
        shape = tuple(None if d is None else int(d) for d in shape)
        if None in shape:
            raise ValueError(
                "Shapes used to initialize variables must be fully-defined (no `None` dimensions). "
                f"Received: shape={shape} for variable path='{name}'"
            )
        dtype_name = dtypes.standardize_dtype(dtype)
        value = initializer(shape, dtype=dtype_name)
        return _plain(to_tensor(value, dtype_name).to(state.get_device()))
    value = _plain(to_tensor(initializer, dtype))
    if isinstance(initializer, np.ndarray) and value.device.type == "cpu":
        # On the CPU the tensor may share the array's memory: `assign` must not write into it.
        return value.clone()
    if isinstance(value, torch.nn.Parameter):
        # A variable from a variable shares its storage, as Keras's torch backend shares it.
        return value.detach()
    return value


def _protect_in_stateless_scope(variable) -> None:
    # Inside a `keras.StatelessScope`, an assignment changes the scope's copy of the value.
    scope = scopes.get_stateless_scope()
    if scope is not None:
        scope.protect(variable)
