"""Output-shape inference for layers that do not define `compute_output_shape`.

The layer's `call` runs once on fake tensors (torch's FakeTensorMode: shapes and dtypes
only, no memory, no arithmetic). Unknown dims (None) are replaced by a stand-in size;
when the input has unknown dims the call runs a second time with another stand-in, and
any output dim that changed with it is unknown too.
"""

from __future__ import annotations

import torch
from torch._subclasses.fake_tensor import FakeTensorMode
from torch.utils._python_dispatch import _disable_current_modes

from keraslite.backend import dtypes, state, tree
from keraslite.graph.keras_tensor import KerasTensor

_STAND_INS = (83, 89)


def real_tensors():
    """Inside a fake run, make real tensors (for weights created by `build`)."""
    return _disable_current_modes()


def _concretize(value, fill):
    if isinstance(value, KerasTensor):
        shape = [fill if d is None else d for d in value._shape]
        return torch.empty(shape, dtype=dtypes.to_torch_dtype(value._dtype), device=state.get_device())
    return value


def _run_fake(layer, args, kwargs, fill):
    with FakeTensorMode(allow_non_fake_inputs=True):
        fake_args = tree.map_structure(lambda v: _concretize(v, fill), list(args))
        fake_kwargs = {k: tree.map_structure(lambda v: _concretize(v, fill), v) for k, v in kwargs.items()}
        fake_kwargs.setdefault("training", False)
        outputs = layer._eager_call(*fake_args, **fake_kwargs)
        return tree.map_structure(
            lambda t: (tuple(t.shape), dtypes.standardize_dtype(t.dtype)) if isinstance(t, torch.Tensor) else t,
            outputs,
        )


def same_kind_of_error(error: Exception, message: str) -> Exception:
    """An exception of `error`'s type carrying `message` (the layer's context added), or a
    RuntimeError when that type is not made from a message alone (torch's
    `FakeTensorDeviceMismatchError(func, common_device, device)`), as Keras falls back."""
    try:
        return type(error)(message)
    except TypeError:
        return RuntimeError(message)


def infer_output_spec(layer, args, kwargs):
    has_unknown = any(isinstance(t, KerasTensor) and None in t._shape for t in tree.flatten((list(args), kwargs)))
    try:
        first = _run_fake(layer, args, kwargs, _STAND_INS[0])
        second = _run_fake(layer, args, kwargs, _STAND_INS[1]) if has_unknown else first
    except Exception as error:
        received = ", ".join(
            f"{k}={v!r}"
            for k, v in list(zip(["inputs"] + [f"arg{i}" for i in range(1, len(args))], args)) + list(kwargs.items())
        )
        raise same_kind_of_error(
            error,
            f"Exception encountered when calling {type(layer).__name__}.call() "
            f"(layer '{layer.name}').\n\n{error}\n\nArguments received by "
            f"{type(layer).__name__}.call(): {received}",
        ) from error

    flat_first, flat_second = tree.flatten(_as_leaves(first)), tree.flatten(_as_leaves(second))

    def to_spec(pair):
        index = to_spec.counter
        to_spec.counter += 1
        (shape_a, dtype), (shape_b, _) = flat_first[index], flat_second[index]
        shape = tuple(a if a == b else None for a, b in zip(shape_a, shape_b))
        return KerasTensor(shape, dtype)

    to_spec.counter = 0
    return tree.map_structure(to_spec, _as_leaves(first))


def _as_leaves(structure):
    if (
        isinstance(structure, tuple)
        and len(structure) == 2
        and isinstance(structure[1], str)
        and isinstance(structure[0], tuple)
    ):
        return _LeafBox(structure)
    if isinstance(structure, dict):
        return {k: _as_leaves(v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_as_leaves(v) for v in structure)
    return structure


class _LeafBox:
    """A (shape, dtype) pair that the tree functions treat as one leaf."""

    __slots__ = ("pair",)

    def __init__(self, pair):
        self.pair = pair

    def __getitem__(self, index):
        return self.pair[index]

    def __iter__(self):
        return iter(self.pair)
