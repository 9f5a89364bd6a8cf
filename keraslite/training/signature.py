"""`ModelSignature`: what training needs to know about a model whose graph is known.

A functional model hands one to `fit/evaluate/predict` (`Functional._training_signature()`);
a subclassed model has none (`None`): its inputs and outputs are whatever its `call`
takes and returns, learned from the data and from a first forward pass. This is the only
place where training tells the two kinds apart, and it never imports `models/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from keraslite.backend import dtypes, tree
from keraslite.layers.layer_inputs import check_input_shape


@dataclass(frozen=True)
class ModelSignature:
    """Names, shapes and dtypes of a model's flat inputs and outputs, and its flat forward.

    Attributes:
        model_name: the model's name (for error messages).
        input_names, input_shapes, input_dtype_names: one entry per flat input, in order.
        output_names, output_shapes: one entry per flat output, in order.
        output_structure: the nested structure that flat outputs are packed back into.
        forward: `forward(*flat_inputs, training=...) -> flat outputs` on tensors that
            are already converted and checked (the lowered fx graph).
    """

    model_name: str
    input_names: list
    input_shapes: list
    input_dtype_names: list
    output_names: list
    output_shapes: list
    output_structure: Any
    forward: Callable

    @property
    def input_dtypes(self) -> list:
        """torch dtypes of the inputs; `"string"` for a text input (torch has no string
        tensors: its batches stay NumPy arrays of str, for StringLookup and friends)."""
        return ["string" if name == "string" else dtypes.to_torch_dtype(name) for name in self.input_dtype_names]

    def check_inputs(self, values: list, batch_axis: bool = False) -> None:
        """Check flat input tensors against the input shapes (axis 0 too if `batch_axis`)."""
        for index, (value, shape) in enumerate(zip(values, self.input_shapes)):
            check_input_shape(
                self.model_name, index, self.input_names[index], shape, tuple(value.shape), batch_axis=batch_axis
            )

    def pack_outputs(self, flat: list):
        return tree.pack_sequence_as(self.output_structure, flat)
