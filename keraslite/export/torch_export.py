"""`model.export(path, format="torch")`: a `torch.export` program file (`.pt2`).

`torch.export.load(path).module()` runs it; it holds ATen operations only. Its arguments
are the model's: the model's input structure for a functional model (one argument), one
tensor for a Sequential model. Unknown axes (the batch, sequence lengths, ...) are dynamic by
default (`torch.export.Dim.AUTO`: dynamic unless the model fixes them); `dynamic_shapes` given by
the caller replaces that, in torch's forms (`{0: Dim("batch")}` for a one-input model, or a
tuple with one entry per argument) or in Keras's (`[({0: Dim},)]`).
"""

from __future__ import annotations

import inspect
import warnings

import torch

from keraslite import tree
from keraslite.backend.interactive_logging import print_msg
from keraslite.export.export_utils import get_input_signature, model_device, sample_tensor, standardize_signature


def export_torch(model, filepath, input_signature=None, verbose=None, **kwargs):
    """Write `model` as a `torch.export` program at `filepath` (which must end with `.pt2`).

    Args:
        model: a built `keras.Model` (a subclassed model must have been called once).
        filepath: the `.pt2` file to write.
        input_signature: the inputs' shapes and dtypes; by default the model's own.
        verbose: print where the file was written (the default, `None`, prints).
        **kwargs: passed to `torch.export.export` (`strict`, which defaults to `False`,
            `dynamic_shapes`, `prefer_deferred_runtime_asserts_over_guards`, ...).
    """
    filepath = str(filepath)
    if not filepath.endswith(".pt2"):
        raise ValueError(f"The PyTorch export requires the filepath to end with '.pt2'. Got: {filepath}")
    export_kwargs = _export_kwargs(kwargs)
    signature = get_input_signature(model) if input_signature is None else standardize_signature(input_signature)
    device = model_device(model)
    # 2 for unknown axes: torch.export specializes axes of size 0 or 1 to constants.
    samples = tuple(tree.map_structure(lambda spec: sample_tensor(spec, 2, device), signature))
    dynamic_shapes = export_kwargs.get("dynamic_shapes")
    if dynamic_shapes is None:
        export_kwargs["dynamic_shapes"] = tuple(tree.map_structure(_auto_dynamic_axes, signature))
    else:
        export_kwargs["dynamic_shapes"] = _normalize_dynamic_shapes(dynamic_shapes, samples)
    model.eval()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*not properly registered as a submodule.*")
        try:
            program = torch.export.export(model, samples, **export_kwargs)
        except Exception as error:
            raise RuntimeError(
                "Failed to export model to PyTorch format. Common causes: unsupported operations, data-dependent "
                f"control flow, or shape constraints not satisfied. Original error: {error}"
            ) from error
    torch.export.save(program, filepath)
    if True if verbose is None else verbose:
        print_msg(f"Saved PyTorch ExportedProgram at '{filepath}'.")
    return filepath


def _auto_dynamic_axes(spec):
    """`{axis: Dim.AUTO}` for the spec's unknown axes (the batch, a sequence length, ...):
    dynamic unless the model fixes them; `None` when every axis is known."""
    return {axis: torch.export.Dim.AUTO for axis, size in enumerate(spec.shape) if size is None} or None


def _export_kwargs(user_kwargs: dict) -> dict:
    supported = {
        name for name in inspect.signature(torch.export.export).parameters if name not in {"mod", "args", "kwargs"}
    }
    unknown = sorted(set(user_kwargs) - supported)
    if unknown:
        raise ValueError(
            f'Unsupported arguments for `format="torch"`: {", ".join(unknown)}. '
            f"Supported arguments are: {', '.join(sorted(supported))}."
        )
    export_kwargs = dict(user_kwargs)
    # Non-strict by default, as Keras: strict tracing needs every op to be traceable by dynamo.
    export_kwargs.setdefault("strict", False)
    return export_kwargs


def _normalize_dynamic_shapes(dynamic_shapes, samples):
    """Keras's and torch's forms of `dynamic_shapes` for the model's forward arguments."""
    if isinstance(dynamic_shapes, dict):
        if dynamic_shapes and all(isinstance(key, int) for key in dynamic_shapes) and len(samples) == 1:
            return (dynamic_shapes,)  # `{0: Dim}` for a one-input model
        return dynamic_shapes  # keyed by the forward's parameter names
    if (
        isinstance(dynamic_shapes, (list, tuple))
        and len(dynamic_shapes) == 1
        and isinstance(dynamic_shapes[0], tuple)
        and len(samples) == 1
        and isinstance(samples[0], torch.Tensor)
    ):
        return dynamic_shapes[0]  # Keras's form for its `forward(*args)`: `[({0: Dim},)]`
    return tuple(dynamic_shapes) if isinstance(dynamic_shapes, list) else dynamic_shapes
