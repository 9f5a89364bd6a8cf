"""`tf.function`, its concrete functions, and `tf.autograph`.

keraslite runs Python as written (its graphs are the functional models' torch.fx modules and,
for training, `compile(jit_compile=True)`), so a `tf.function` calls its Python function on
every call. What TF-2-era code asks of the returned object still holds: it is a callable
object with `python_function`, `get_concrete_function(...)` (a callable whose printout names
its inputs and outputs as `TensorSpec`s), tracing counts (one per new input signature), and
it binds as a method when it decorates one. Python side effects (a `print`) run on each call
here, where TensorFlow runs them only while tracing.
"""

from __future__ import annotations

import inspect
import types

import numpy as np
import torch

from keraslite.backend import tree
from keraslite.compat.tensorflow.dtypes import as_dtype
from keraslite.compat.tensorflow.tensor_shape import TensorShape
from keraslite.utils.dataset import StringArray


class TensorSpec:
    """`tf.TensorSpec(shape, dtype, name)`: a description of a tensor (for
    `tf.function(input_signature=...)` and concrete functions' printouts)."""

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = TensorShape(shape)
        self.dtype = as_dtype(dtype)
        self.name = name

    @classmethod
    def from_tensor(cls, tensor, name=None):
        return cls(tuple(tensor.shape), _dtype_name(tensor), name)

    def is_compatible_with(self, value) -> bool:
        shape = tuple(getattr(value, "shape", ()))
        wanted = tuple(self.shape)
        return len(shape) == len(wanted) and all(w is None or w == d for w, d in zip(wanted, shape))

    def __eq__(self, other):
        return (
            isinstance(other, TensorSpec)
            and tuple(self.shape) == tuple(other.shape)
            and self.dtype == other.dtype
            and self.name == other.name
        )

    def __hash__(self):
        return hash((tuple(self.shape), str(self.dtype), self.name))

    def __repr__(self) -> str:
        return f"TensorSpec(shape={tuple(self.shape)}, dtype={self.dtype!r}, name={self.name!r})"


def _dtype_name(tensor) -> str:
    dtype = tensor.dtype
    if isinstance(dtype, torch.dtype):
        return str(dtype).replace("torch.", "")
    if np.dtype(dtype).kind in "SUO":  # the shim's string tensors are NumPy bytes arrays
        return "string"
    return np.dtype(dtype).name


def _is_tensor(value) -> bool:
    return isinstance(value, (torch.Tensor, np.ndarray)) and not isinstance(value, np.generic)


def _spec_of(value):
    """What a traced signature keeps of an argument: tensors by shape and dtype, anything
    else by its value (as TensorFlow retraces for each new Python value)."""
    if isinstance(value, TensorSpec):
        return value
    if _is_tensor(value):
        return TensorSpec.from_tensor(value)
    if hasattr(value, "trainable_weights") or callable(value):
        return ("object", id(value))
    return ("value", repr(value))


def _key_of(value):
    """What a new trace depends on, cheaply: a tensor's shape and dtype, a spec, or a value."""
    if _is_tensor(value):
        return ("tensor", tuple(value.shape), _dtype_name(value))
    if isinstance(value, TensorSpec):
        return ("tensor", tuple(value.shape), value.dtype.name)
    return _spec_of(value)


def _example_of(spec):
    """A tensor matching a TensorSpec (unknown dims as 1), to trace with: zeros, or empty
    strings (a NumPy bytes array, as the shim holds strings) for a `tf.string` spec."""
    shape = [1 if d is None else d for d in spec.shape]
    if spec.dtype == "string":
        return np.full(shape, b"", dtype=object).view(StringArray)
    return torch.zeros(shape, dtype=spec.dtype.torch_dtype)


def _has_string_spec(structure) -> bool:
    return any(isinstance(v, TensorSpec) and v.dtype == "string" for v in tree.flatten(structure))


class ConcreteFunction:
    """One traced signature of a `tf.function`: callable on matching inputs."""

    def __init__(self, function, args, kwargs):
        self._function = function
        self._args = args
        self._kwargs = kwargs
        concrete_args = tree.map_structure(lambda v: _example_of(v) if isinstance(v, TensorSpec) else v, args)
        concrete_kwargs = {
            k: tree.map_structure(lambda v: _example_of(v) if isinstance(v, TensorSpec) else v, v)
            for k, v in kwargs.items()
        }
        try:
            outputs = function._python_function(*concrete_args, **concrete_kwargs)
        except Exception:
            # TensorFlow traces symbolically; here the function runs on placeholder values,
            # and an empty string is seldom a usable one (a file name to read, text to
            # parse). Such a signature keeps unknown outputs; a real call still runs (and
            # raises) as written.
            if not _has_string_spec((args, kwargs)):
                raise
            outputs = None
        self.structured_outputs = tree.map_structure(
            lambda v: TensorSpec.from_tensor(v) if _is_tensor(v) else v, outputs
        )
        self.structured_input_signature = (
            tree.map_structure(_spec_of, args),
            {k: tree.map_structure(_spec_of, v) for k, v in kwargs.items()},
        )

    @property
    def name(self) -> str:
        return self._function.__name__

    def __call__(self, *args, **kwargs):
        return self._function._python_function(*args, **kwargs)

    def pretty_printed_signature(self, verbose=True) -> str:
        try:
            parameters = list(inspect.signature(self._function._python_function).parameters.values())
        except (TypeError, ValueError):
            parameters = []
        lines = ["Input Parameters:"]
        for index, value in enumerate(self.structured_input_signature[0]):
            name = parameters[index].name if index < len(parameters) else f"arg_{index}"
            lines.append(f"  {name} (POSITIONAL_OR_KEYWORD): {value!r}")
        for name, value in self.structured_input_signature[1].items():
            lines.append(f"  {name} (KEYWORD_ONLY): {value!r}")
        lines += ["Output Type:", f"  {self.structured_outputs!r}", "Captures:", "  None"]
        return "\n".join(lines)

    def __str__(self) -> str:
        return "ConcreteFunction " + self.pretty_printed_signature()

    __repr__ = __str__


class Function:
    """What `tf.function(f)` returns: calls `f`, counts traced signatures, makes concrete
    functions, binds as a method."""

    def __init__(
        self, python_function, name=None, input_signature=None, autograph=True, jit_compile=None, reduce_retracing=False
    ):
        self._python_function = python_function
        self.__name__ = name or getattr(python_function, "__name__", type(python_function).__name__)
        self.input_signature = input_signature
        self._jit_compile = jit_compile
        self._signatures = {}
        self.__doc__ = getattr(python_function, "__doc__", None)
        self.__wrapped__ = python_function

    @property
    def python_function(self):
        return self._python_function

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        bound = Function(
            types.MethodType(self._python_function, instance),
            name=self.__name__,
            input_signature=self.input_signature,
            jit_compile=self._jit_compile,
        )
        if hasattr(instance, "__dict__"):
            instance.__dict__[self.__name__] = bound  # one bound Function per instance, as TensorFlow keeps
        return bound

    def _signature_key(self, args, kwargs):
        if self.input_signature is not None:
            return ("input_signature",)
        return (
            tuple(_key_of(v) for v in tree.flatten(list(args))),
            tuple(sorted((k, _key_of(v)) for k, v in kwargs.items())),
        )

    def __call__(self, *args, **kwargs):
        self._signatures.setdefault(self._signature_key(args, kwargs), None)
        return self._python_function(*args, **kwargs)

    def get_concrete_function(self, *args, **kwargs) -> ConcreteFunction:
        if not args and not kwargs and self.input_signature is not None:
            args = tuple(self.input_signature)
        concrete = ConcreteFunction(self, args, kwargs)
        self._signatures.setdefault(self._signature_key(args, kwargs), concrete)
        return concrete

    def experimental_get_tracing_count(self) -> int:
        return len(self._signatures)

    def pretty_printed_concrete_signatures(self, verbose=True) -> str:
        concretes = [c for c in self._signatures.values() if c is not None]
        return "\n\n".join(f"{self.__name__}{c.pretty_printed_signature(verbose)}" for c in concretes)

    def __repr__(self) -> str:
        return f"<keraslite tf.function {self.__name__} at 0x{id(self):x}>"


def function(
    func=None,
    input_signature=None,
    autograph=True,
    jit_compile=None,
    reduce_retracing=False,
    experimental_attributes=None,
    experimental_autograph_options=None,
    experimental_relax_shapes=None,
    experimental_compile=None,
    experimental_follow_type_hints=None,
    experimental_implements=None,
    name=None,
):
    """`tf.function(f)` or `@tf.function(...)`: a `Function` calling `f` (see the module)."""

    def make(f):
        return Function(
            f,
            name=name,
            input_signature=input_signature,
            autograph=autograph,
            jit_compile=jit_compile,
            reduce_retracing=reduce_retracing,
        )

    return make if func is None else make(func)


class _Autograph(types.ModuleType):
    """`tf.autograph`: keraslite runs Python control flow as written, so the "converted" code
    of a function is its own source."""

    def __init__(self):
        super().__init__("tf.autograph")
        self.experimental = types.SimpleNamespace(
            do_not_convert=lambda func=None: (lambda f: f) if func is None else func,
            Feature=types.SimpleNamespace(ALL="ALL", AUTO_CONTROL_DEPS="AUTO_CONTROL_DEPS"),
        )

    @staticmethod
    def to_code(entity, recursive=True, experimental_optional_features=None) -> str:
        return inspect.getsource(getattr(entity, "python_function", entity))

    @staticmethod
    def to_graph(entity, recursive=True, experimental_optional_features=None):
        return entity

    @staticmethod
    def set_verbosity(level, alsologtostdout=False) -> None:
        """Accepted for compatibility: there is no conversion to log."""

    @staticmethod
    def trace(*args) -> None:
        print(*args)


autograph = _Autograph()
