"""`EinsumDense`: a dense layer of any dimensionality, given by an einsum equation."""

from __future__ import annotations

import re

import torch

from keraslite import activations, constraints, initializers, regularizers
from keraslite.layers.base_layer import Layer
from keraslite.layers.core import reject_unsupported, serialize_object
from keraslite.layers.quantized_einsum_dense import EINSUM_DENSE_QUANTIZATION


def analyze_einsum_equation(equation: str, bias_axes, input_shape, output_shape):
    """Kernel shape, bias shape and full output shape of an EinsumDense, as Keras derives
    them: `...` may stand for leading or trailing input dims that pass through unchanged."""
    plain = equation.replace("...", "0")
    for pattern, left_elided in (
        ("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False),
        ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True),
        ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False),
    ):
        match = re.fullmatch(pattern, plain)
        if match:
            return _shapes_from_specs(*match.groups(), bias_axes, list(input_shape), output_shape, left_elided)
    raise ValueError(
        f"Invalid einsum equation '{equation}'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or "
        "[X]...,[Y]->[Z]...."
    )


def _shapes_from_specs(input_spec, weight_spec, output_spec, bias_axes, input_shape, output_shape, left_elided):
    elided = len(input_shape) - len(input_spec)
    full = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    full.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        # The elided leading dims (after the batch) pass through in order.
        full[1:1] = input_shape[1:elided]
    elif elided > 0:
        full.extend(input_shape[len(input_shape) - elided :])
    if left_elided:
        input_pos = {d: i + elided for i, d in enumerate(input_spec)}
        output_pos = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        input_pos = {d: i for i, d in enumerate(input_spec)}
        output_pos = {d: i for i, d in enumerate(output_spec)}
    for dim in input_spec:
        if (
            dim in output_pos
            and full[output_pos[dim]] is not None
            and full[output_pos[dim]] != input_shape[input_pos[dim]]
        ):
            raise ValueError(
                f"Input shape and output shape do not match at shared dimension '{dim}'. Input shape is "
                f"{input_shape[input_pos[dim]]}, and output shape is {full[output_pos[dim]]}."
            )
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ValueError(
                f"Dimension '{dim}' was specified in the output '{output_spec}' but has no corresponding dim in the "
                f"input spec '{input_spec}' or weight spec '{output_spec}'"
            )
    kernel_shape = []
    for dim in weight_spec:
        if dim in output_pos:
            kernel_shape.append(full[output_pos[dim]])
        elif dim in input_pos:
            kernel_shape.append(input_shape[input_pos[dim]])
        else:
            raise ValueError(
                f"Weight dimension '{dim}' did not have a match in either the input spec '{input_spec}' or the "
                f"output spec '{output_spec}'. For this layer, the weight must be fully specified."
            )
    bias_shape = None
    if bias_axes is not None:
        for char in bias_axes:
            if char not in output_spec:
                raise ValueError(
                    f"Bias dimension '{char}' was requested, but is not part of the output spec '{output_spec}'"
                )
        # The bias spans the output from its first biased axis on, broadcasting elsewhere.
        first = min(output_spec.find(char) for char in bias_axes)
        offset = elided if left_elided else 0
        bias_shape = [full[i + offset] if char in bias_axes else 1 for i, char in enumerate(output_spec) if i >= first]
        if not left_elided:
            bias_shape += [1] * max(elided, 0)
    return kernel_shape, bias_shape, full


class EinsumDense(Layer):
    """A dense layer of arbitrary dimensionality given by an einsum equation.

    Args:
        equation: `"ab,bc->ac"`-style equation: input, kernel, output specs; `...` may
            stand for pass-through leading (`"...b,bc->...c"`) or trailing dims.
        output_shape: the output shape without the batch dim (an int or tuple; None
            for dims that equal an input dim).
        activation: applied to the output; default linear.
        bias_axes: output axes (letters) that get a bias, or None.
        kernel_initializer, bias_initializer, *_regularizer, *_constraint: as Dense.

    Example: `EinsumDense("abc,cde->abde", output_shape=(None, 2, 8), bias_axes="de")`
    maps `(batch, seq, 16)` to `(batch, seq, 2, 8)`. As in Keras, a `None` in
    `output_shape` stays unknown in the symbolic output shape. `quantize("int8" | "int4" |
    "float8")` quantizes the kernel (layers/quantized_einsum_dense.py).
    """

    _quantization = EINSUM_DENSE_QUANTIZATION

    def __init__(
        self,
        equation,
        output_shape,
        activation=None,
        bias_axes=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        lora_rank=None,
        lora_alpha=None,
        gptq_unpacked_column_size=None,
        quantization_config=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        reject_unsupported(
            self,
            lora_rank=lora_rank,
            lora_alpha=lora_alpha,
            gptq_unpacked_column_size=gptq_unpacked_column_size,
        )
        self.quantization_config = quantization_config
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.full_output_shape = None

    def build(self, input_shape):
        kernel_shape, bias_shape, full = analyze_einsum_equation(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape
        )
        self.full_output_shape = tuple(full)
        self._input_rank = len(input_shape)
        mode = self.quantization_mode
        if mode is not None:
            self.quantized_build(kernel_shape, mode)
        if mode not in ("int8", "int4", "gptq", "awq"):
            self.kernel = self.add_weight(
                name="kernel",
                shape=kernel_shape,
                initializer=self.kernel_initializer,
                regularizer=self.kernel_regularizer,
                constraint=self.kernel_constraint,
            )
        if bias_shape is not None:
            self.bias = self.add_weight(
                name="bias",
                shape=bias_shape,
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.built = True

    def call(self, inputs):
        x = torch.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        if self.full_output_shape is None:
            return tuple(
                analyze_einsum_equation(self.equation, self.bias_axes, input_shape, self.partial_output_shape)[2]
            )
        return (input_shape[0],) + tuple(self.full_output_shape[1:])

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "output_shape": self.partial_output_shape,
                "equation": self.equation,
                "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": serialize_object(self.kernel_initializer),
                "bias_initializer": serialize_object(self.bias_initializer),
                "kernel_regularizer": serialize_object(self.kernel_regularizer),
                "bias_regularizer": serialize_object(self.bias_regularizer),
                "activity_regularizer": serialize_object(self.activity_regularizer),
                "kernel_constraint": serialize_object(self.kernel_constraint),
                "bias_constraint": serialize_object(self.bias_constraint),
                "quantization_config": serialize_object(self.quantization_config),
            }
        )
        return config
