"""`model.export(path, format="onnx")`: an ONNX file with a dynamic batch axis.

The model runs in inference mode inside a small module that takes its inputs as flat
positional tensors (dicts and lists become one ONNX input each, named after the model's
inputs). torch's `torch.export`-based exporter (`torch.onnx.export(..., dynamo=True)`) traces
it with the batch axis as the symbolic dimension "batch" (other unknown axes: dynamic where
the model allows). When that exporter fails, the TorchScript exporter is tried with
`dynamic_axes`, as Keras's torch backend does.
"""

from __future__ import annotations

import warnings

import torch

from keraslite import tree
from keraslite.backend.interactive_logging import print_msg
from keraslite.export.export_utils import (
    get_input_signature,
    model_device,
    sample_tensor,
    standardize_signature,
)
from keraslite.export.onnx_registry_cache import cached_torchlib_registry


class FlatInputsModule(torch.nn.Module):
    """Calls `model` in inference mode on flat positional inputs packed into the structure of
    `signature` (what exporters that take positional tensors need)."""

    def __init__(self, model, signature):
        super().__init__()
        self.model = model
        self._signature = signature

    def forward(self, *flat_inputs):
        args = tree.pack_sequence_as(self._signature, list(flat_inputs))
        return self.model(*args, training=False)


def flat_input_names(flat_specs) -> list[str]:
    names = []
    for index, spec in enumerate(flat_specs):
        name = getattr(spec, "name", None) or f"input_{index}"
        names.append(name if name not in names else f"{name}_{index}")
    return names


def export_onnx(model, filepath, verbose=None, input_signature=None, opset_version=None, **kwargs):
    """Write `model`'s inference forward pass as an ONNX file at `filepath`.

    Args:
        model: a built `keras.Model` (a subclassed model must have been called once).
        filepath: where to write the `.onnx` file.
        verbose: print where the file was written (the default, `None`, prints).
        input_signature: the inputs' shapes and dtypes (a structure of `keras.InputSpec`,
            `KerasTensor` or tensors); by default the model's own, with the batch axis dynamic.
        opset_version: the ONNX opset; `None` for torch's default.
        **kwargs: accepted and unused, as in Keras's torch backend.
    """
    filepath = str(filepath)
    signature = get_input_signature(model) if input_signature is None else standardize_signature(input_signature)
    flat_specs = tree.flatten(signature)
    names = flat_input_names(flat_specs)
    device = model_device(model)
    # 2 for unknown axes: torch.export specializes axes of size 0 or 1 to constants.
    samples = tuple(sample_tensor(spec, 2, device) for spec in flat_specs)
    module = FlatInputsModule(model, signature).eval()
    batch = torch.export.Dim("batch")
    dims = tuple(
        {axis: (batch if axis == 0 else torch.export.Dim.AUTO) for axis, d in enumerate(spec.shape) if d is None}
        or None
        for spec in flat_specs
    )
    with warnings.catch_warnings(), cached_torchlib_registry():
        warnings.filterwarnings("ignore", message=r".*axis name: batch will not be used.*")
        try:
            program = torch.onnx.export(
                module,
                samples,
                dynamo=True,
                dynamic_shapes=(dims,),  # one entry: `forward(*flat_inputs)` takes them as one tuple
                input_names=names,
                opset_version=opset_version,
                verbose=False,
            )
            program.save(filepath)
        except Exception as error:  # torch.export could not trace it: Keras's exporter for this case
            warnings.warn(
                f"The torch.export-based ONNX exporter failed ({type(error).__name__}: "
                f"{str(error).splitlines()[0][:300] if str(error) else ''}); using the TorchScript exporter.",
                stacklevel=2,
            )
            _export_with_torchscript(module, samples, filepath, names, flat_specs, opset_version)
    if True if verbose is None else verbose:
        print_msg(f"Saved artifact at '{filepath}'.")


def _export_with_torchscript(module, samples, filepath, names, flat_specs, opset_version) -> None:
    dynamic_axes = {}
    for index, (name, spec) in enumerate(zip(names, flat_specs)):
        axes = {
            axis: ("batch" if axis == 0 else f"dim_{index}_{axis}") for axis, d in enumerate(spec.shape) if d is None
        }
        if axes:
            dynamic_axes[name] = axes
    torch.onnx.export(
        module,
        samples,
        filepath,
        dynamo=False,
        input_names=names,
        dynamic_axes=dynamic_axes or None,
        opset_version=opset_version,
        export_params=True,
        do_constant_folding=True,
        verbose=False,
    )
