"""`model.forward`: the model as torch's own tools call it, with a signature they can read.

`torch.export.export`, `torch.onnx.export` and `torch.jit.trace` call `model.forward` and read
`inspect.signature(model.forward)` to match `dynamic_shapes` (and input names) to arguments.
`Layer.forward(*args, **kwargs)` tells them nothing, so torch binds every input to one
argument `args` and wants `dynamic_shapes=(({0: batch},),)`. A model's `forward` is instead a
function that calls the model, whose `__signature__` is

- for a functional model, one parameter per model input, named after the input
  (`forward(features, labels=None, *, training=None, mask=None)`): the inputs may come one by
  one, by position or name, or as the model's whole input structure in the first argument,
  as `model(inputs)` takes it;
- for a subclassed model, the signature of its `call`.

So `torch.export.export(model, (x,), dynamic_shapes=({0: batch},))` works as for any module.
"""

from __future__ import annotations

import inspect
import keyword

import numpy as np
import torch

from keraslite.backend import tree

_RESERVED = {"self", "training", "mask"}


def make_forward(model, signature: inspect.Signature, pack=None):
    """A plain function (torch reads `forward.__code__` too) that calls `model`, with
    `signature` as its `__signature__`; `pack(args, kwargs)` -> `(inputs, kwargs)` when the
    arguments are the model's inputs one by one."""

    def forward(*args, **kwargs):
        if pack is None:
            return model(*args, **kwargs)
        inputs, kwargs = pack(args, kwargs)
        return model(inputs, **kwargs)

    forward.__signature__ = signature
    forward.__qualname__ = f"{type(model).__name__}.forward"
    return forward


def call_signature_forward(model):
    """A subclassed model's forward: its `call`'s signature."""
    try:
        signature = inspect.signature(model.call)
    except (TypeError, ValueError):
        signature = inspect.Signature(
            [
                inspect.Parameter("args", inspect.Parameter.VAR_POSITIONAL),
                inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD),
            ]
        )
    return make_forward(model, signature)


def parameter_names(input_names: list[str]) -> list[str]:
    """The model's input names as Python parameter names (`input_{i}` where a name is not an
    identifier, is reserved, or repeats)."""
    names: list[str] = []
    for index, name in enumerate(input_names):
        usable = name.isidentifier() and not keyword.iskeyword(name) and name not in _RESERVED and name not in names
        names.append(name if usable else f"input_{index}")
    return names


def forward_parameters(model) -> list[inspect.Parameter]:
    """A functional model's forward parameters: its inputs (all but the first optional, so
    that the whole input structure may come as the first argument), then `training` and
    `mask` by keyword."""
    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = [
        inspect.Parameter(name, positional) if index == 0 else inspect.Parameter(name, positional, default=None)
        for index, name in enumerate(model._forward_input_names)
    ]
    return parameters + [
        inspect.Parameter("training", inspect.Parameter.KEYWORD_ONLY, default=None),
        inspect.Parameter("mask", inspect.Parameter.KEYWORD_ONLY, default=None),
    ]


def takes_inputs_one_by_one(model, args, kwargs) -> bool:
    """Whether a call gives a multi-input functional model its inputs one by one (by position
    or by input name), as torch's tools call a module with its forward's arguments."""
    names = model._forward_input_names
    if len(args) > 1 and len(names) > 1:
        # Tensors one by one; not `model(inputs, True)` (Keras's positional `training`).
        return all(isinstance(value, (torch.Tensor, np.ndarray)) for value in args)
    return bool(kwargs) and any(name in kwargs for name in names)


def pack_inputs(model, args, kwargs):
    """`(inputs, kwargs)`: the inputs given one by one packed into the model's input
    structure; the other keyword arguments (`training`, `mask`) left as they are."""
    names = model._forward_input_names
    kwargs = dict(kwargs)
    given = {name: kwargs.pop(name) for name in names if name in kwargs}
    if len(args) == 1 and not given:
        return args[0], kwargs  # one input, or the model's whole input structure
    if len(args) > len(names):
        raise TypeError(
            f"Model {model.name} takes at most {len(names)} inputs ({', '.join(names)}). "
            f"Received: {len(args)} positional arguments."
        )
    for name, value in zip(names, args):
        if name in given:
            raise TypeError(f"Model {model.name} got input '{name}' both by position and by name.")
        given[name] = value
    missing = [name for name in names if given.get(name) is None]
    if missing:
        raise TypeError(f"Model {model.name} is missing input(s): {', '.join(missing)}. Received: {sorted(given)}")
    return tree.pack_sequence_as(model._inputs_struct, [given[name] for name in names]), kwargs


def named_inputs_forward(model):
    """A functional model's forward: one parameter per input (see the module docstring)."""
    return make_forward(model, inspect.Signature(forward_parameters(model)), lambda a, k: pack_inputs(model, a, k))
