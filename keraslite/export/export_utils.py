"""What every export format needs: the model's input signature and sample inputs.

An input signature is a structure of `InputSpec`s (shape with `None` for unknown axes,
dtype, name), as in Keras: `[inputs structure]` for a functional model (one argument, the
whole structure), `[spec]` for a Sequential model, and for a subclassed model the shapes of
its first call (`model._build_shapes`) with the batch axis unknown.
"""

from __future__ import annotations

import torch

from keraslite import tree
from keraslite.backend import dtypes
from keraslite.graph.input_spec import InputSpec
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer


def get_input_signature(model) -> list:
    """The input signature of a built model (see the module docstring)."""
    if not isinstance(model, Layer) or not hasattr(model, "_obj_type"):
        raise TypeError(f"The model must be a `keras.Model`. Received: model={model} of the type {type(model)}")
    if not model.built:
        raise ValueError("The model provided has not yet been built. It must be built before export.")
    kind = model._obj_type()
    if kind == "Sequential":
        return [make_input_spec(t) for t in model.inputs]
    if kind == "Functional":
        return [tree.map_structure(make_input_spec, model._inputs_struct)]
    shapes = model._build_shapes
    if shapes is None:
        raise ValueError("The model provided has never called. It must be called at least once before export.")
    dtype = model._dtype_policy.compute_dtype if hasattr(model, "_dtype_policy") else "float32"
    return [_specs_from_shapes(shapes, dtype)]


def _specs_from_shapes(structure, dtype):
    if isinstance(structure, (tuple, list)) and all(isinstance(d, (int, type(None))) for d in structure):
        return InputSpec(shape=(None,) + tuple(structure[1:]), dtype=dtype)
    if isinstance(structure, dict):
        return {key: _specs_from_shapes(value, dtype) for key, value in structure.items()}
    if isinstance(structure, (tuple, list)):
        return type(structure)(_specs_from_shapes(value, dtype) for value in structure)
    raise ValueError(f"Unsupported input shape structure {structure!r} of type {type(structure).__name__}.")


def make_input_spec(x) -> InputSpec:
    """An `InputSpec` from an `InputSpec`, a `KerasTensor` or a tensor (the batch axis of the
    last two becomes unknown)."""
    if isinstance(x, InputSpec):
        if x.shape is None or x.dtype is None:
            raise ValueError(f"The `shape` and `dtype` must be provided. Received: x={x}")
        return x
    if isinstance(x, KerasTensor):
        return InputSpec(shape=(None,) + tuple(x.shape)[1:], dtype=dtypes.standardize_dtype(x.dtype), name=x.name)
    if isinstance(x, torch.Tensor):
        return InputSpec(shape=(None,) + tuple(x.shape)[1:], dtype=dtypes.standardize_dtype(x.dtype))
    raise TypeError(
        f"Unsupported x={x} of the type ({type(x)}). Supported types are: `keras.InputSpec`, `keras.KerasTensor` "
        "and backend tensor."
    )


def standardize_signature(input_signature) -> list:
    """A user's `input_signature` (a structure of specs, KerasTensors or tensors) as specs."""
    if not isinstance(input_signature, (list, tuple)):
        input_signature = [input_signature]
    return [tree.map_structure(make_input_spec, item) for item in input_signature]


def sample_tensor(spec: InputSpec, unknown_size: int, device=None) -> torch.Tensor:
    """Ones of the spec's shape and dtype, `unknown_size` standing for each unknown axis."""
    shape = tuple(unknown_size if d is None else d for d in spec.shape)
    return torch.ones(shape, dtype=dtypes.to_torch_dtype(spec.dtype), device=device)


def model_device(model):
    first = next(iter(model.parameters()), None)
    return first.device if first is not None else None
