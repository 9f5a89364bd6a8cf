"""Quantized `EinsumDense`: int8, int4 and float8, as Keras 3.15 does them. The einsum
equation decides which kernel axes are contracted (those get the scale's reduction) and
how a scale computed on the inputs or the kernel lines up with the output
(`einsum_quantization_axes`)."""

from __future__ import annotations

import functools
import math
import re
import string

import numpy as np
import torch

from keraslite.layers.layer_quantization import QuantizationScheme, remove_weight
from keraslite.layers.quantized_dense import _SAVED, _finish, assign, int4_layout, quantize_int4_kernel
from keraslite.layers.quantized_ops import add_float8_variables, float8_forward, int8_matmul, with_inputs_gradient
from keraslite.quantizers.quantization_config import QuantizationConfig, get_block_size_for_layer
from keraslite.quantizers.quantizers import AbsMaxQuantizer, dequantize_with_sz_map, unpack_int4


def _full_specs(equation: str, input_rank: int):
    """(input, kernel, output) index letters, with `...` replaced by fresh letters."""
    plain = re.sub(r"\.\.\.", "0", equation)
    match = re.match("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", plain)
    if match is not None:
        return match.groups()
    for pattern, left in (
        ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True),
        ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False),
    ):
        match = re.match(pattern, plain)
        if match is None:
            continue
        input_spec, weight_spec, output_spec = match.groups()
        free = sorted(set(string.ascii_letters) - set(input_spec) - set(weight_spec) - set(output_spec))
        for i in range(input_rank - len(input_spec)):
            if left:
                input_spec, output_spec = free[i] + input_spec, free[i] + output_spec
            else:
                input_spec, output_spec = input_spec + free[i], output_spec + free[i]
        return input_spec, weight_spec, output_spec
    raise ValueError(
        f"Invalid einsum equation '{equation}'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or "
        "[X]...,[Y]->[Z]...."
    )


def einsum_quantization_axes(equation: str, input_rank: int) -> dict:
    """Keras's `_analyze_quantization_info`, step for step: the reduced axes of inputs and
    kernel, and the transpose / expand / squeeze that bring a scale in line with the output
    (a reduced axis is placed where an output-only axis was; the position of the last one
    placed is reused when none is left, exactly as Keras does), plus the equation of the
    input gradient."""
    input_spec, weight_spec, output_spec = _full_specs(equation, input_rank)
    info = {}
    for name, spec in (("input", input_spec), ("kernel", weight_spec)):
        reduced = [i for i, label in enumerate(spec) if output_spec.find(label) == -1]
        expand = [i for i, label in enumerate(output_spec) if spec.find(label) == -1]
        transpose = [spec.find(label) for label in output_spec if spec.find(label) != -1]
        squeeze = []
        index = None
        for original in reduced:
            try:
                index = expand.pop(0)
            except IndexError:
                squeeze.append(original)
            transpose.insert(index, original)
        info[name] = {"reduced": reduced, "transpose": transpose, "expand": expand, "squeeze": squeeze}
    info["gradient_equation"] = f"{output_spec},{weight_spec}->{input_spec}"
    return info


def _expand_dims(x, axes):
    for axis in sorted(a % (x.ndim + len(axes)) for a in axes):
        x = x.unsqueeze(axis)
    return x


def scale_for_output(scale, axes: dict):
    """A scale shaped like the inputs or kernel (reduced axes kept) -> broadcastable to the output."""
    if axes["transpose"]:
        scale = scale.permute(axes["transpose"])
    if axes["expand"]:
        scale = _expand_dims(scale, axes["expand"])
    if axes["squeeze"]:
        scale = scale.squeeze(tuple(axes["squeeze"]))
    return scale


def scale_for_kernel(scale, axes: dict):
    """The inverse of `scale_for_output` for the kernel's scale (to dequantize the kernel)."""
    if axes["squeeze"]:
        scale = _expand_dims(scale, axes["squeeze"])
    if axes["expand"]:
        scale = scale.squeeze(tuple(axes["expand"]))
    if axes["transpose"]:
        scale = scale.permute(sorted(range(len(axes["transpose"])), key=axes["transpose"].__getitem__))
    return scale


def _info(layer) -> dict:
    info = layer.__dict__.get("_quantization_axes")
    if info is None:
        info = layer._quantization_axes = einsum_quantization_axes(layer.equation, layer._input_rank)
        layer.quantization_axis = tuple(info["input"]["reduced"])
    return info


def _kernel_scale_shape(kernel_shape, axes: dict) -> list:
    shape = np.array(kernel_shape)
    shape[axes["reduced"]] = 1
    shape = shape[axes["transpose"]].tolist()
    for axis in sorted(axes["expand"]):
        shape.insert(axis, 1)
    for axis in sorted(axes["squeeze"], reverse=True):
        shape.pop(axis)
    return shape


def _rows_columns(kernel_shape, reduced) -> tuple[int, int]:
    rows = math.prod(d for i, d in enumerate(kernel_shape) if i in reduced)
    return rows, math.prod(d for i, d in enumerate(kernel_shape) if i not in reduced)


class EinsumDenseQuantization(QuantizationScheme):
    modes = ("int8", "int4", "float8")
    training_modes = ("float8",)

    def build(self, layer, kernel_shape, mode, config):
        if mode == "float8":
            add_float8_variables(layer)
            return
        info = _info(layer)
        kernel_shape = tuple(kernel_shape)
        if mode == "int8":
            layer.inputs_quantizer = QuantizationConfig.activation_quantizer_or_default(config, AbsMaxQuantizer())
            layer.add_weight(name="kernel", shape=kernel_shape, initializer="zeros", dtype="int8", trainable=False)
            scale_shape = _kernel_scale_shape(kernel_shape, info["kernel"])
            layer.add_weight(name="kernel_scale", shape=scale_shape, initializer="ones", trainable=False)
            return
        rows, columns = _rows_columns(kernel_shape, info["kernel"]["reduced"])
        layer.original_kernel_shape = kernel_shape
        block_size = int4_layout(layer, config, rows, columns)
        layer._int4_block_size = block_size if block_size is not None and block_size != -1 else None
        layer._int4_unpacked_column_size, layer._int4_rows = columns, rows

    def quantize(self, layer, mode, config):
        kernel = layer._parameters["kernel"].detach()
        kernel_shape = tuple(kernel.shape)
        if mode == "float8":
            layer.quantized_build(kernel_shape, mode)
            return
        info = _info(layer)
        if mode == "int8":
            quantizer = QuantizationConfig.weight_quantizer_or_default(
                config, AbsMaxQuantizer(axis=info["kernel"]["reduced"])
            )
            values, scale = quantizer(kernel, to_numpy=True)
            remove_weight(layer, "kernel")
            layer.quantized_build(kernel_shape, mode)
            assign(layer, kernel=values, kernel_scale=scale_for_output(scale, info["kernel"]))
            return
        rows, columns = _rows_columns(kernel_shape, info["kernel"]["reduced"])
        block_size = get_block_size_for_layer(layer, config) if config is not None else None
        packed, scale, zero = quantize_int4_kernel(kernel.reshape(rows, columns), block_size)
        remove_weight(layer, "kernel")
        layer.quantized_build(kernel_shape, mode)
        assign(layer, kernel=packed, kernel_scale=scale)
        if zero is not None:
            assign(layer, kernel_zero=zero)

    def forward(self, layer, mode):
        return functools.partial({"int8": _int8_call, "int4": _int4_call, "float8": _float8_call}[mode], layer)

    def saved_names(self, layer, mode):
        return _SAVED[mode]


def _int8_call(layer, inputs):
    params = layer._parameters
    kernel, kernel_scale = params["kernel"], params["kernel_scale"]
    info = _info(layer)
    compute = layer._compute_torch_dtype
    quantizer = layer.inputs_quantizer
    depth = math.prod(kernel.shape[i] for i in info["kernel"]["reduced"])

    def float_kernel():
        return kernel.to(compute) / scale_for_kernel(kernel_scale, info["kernel"])

    def forward(x):
        if quantizer:
            x, inputs_scale = quantizer(x, axis=layer.quantization_axis)
            inputs_scale = scale_for_output(inputs_scale, info["input"])
            product = int8_matmul(layer.equation, x, kernel, depth).to(compute)
            return product / (inputs_scale * kernel_scale)
        # torch's einsum takes no float x int8 mix: Keras dequantizes the kernel on torch.
        return torch.einsum(layer.equation, x, float_kernel())

    def input_grad(upstream):
        return torch.einsum(info["gradient_equation"], upstream, float_kernel())

    return _finish(layer, with_inputs_gradient(inputs, forward, input_grad))


def _int4_call(layer, inputs):
    params = layer._parameters
    info = _info(layer)
    compute = layer._compute_torch_dtype
    unpacked = unpack_int4(params["kernel"], layer._int4_unpacked_column_size, axis=-1, dtype="int8")
    if layer._int4_block_size is None:
        float_kernel = (unpacked.to(compute) / params["kernel_scale"]).reshape(layer.original_kernel_shape)
    else:
        float_kernel = dequantize_with_sz_map(
            unpacked, params["kernel_scale"], params["kernel_zero"], params["g_idx"], 0
        )
        float_kernel = float_kernel.to(compute).reshape(layer.original_kernel_shape)
    quantizer = layer.inputs_quantizer if layer._int4_block_size is None else None

    def forward(x):
        if quantizer:
            x, inputs_scale = quantizer(x, axis=layer.quantization_axis)
            inputs_scale = scale_for_output(inputs_scale, info["input"])
            return torch.einsum(layer.equation, x.to(compute), float_kernel) / inputs_scale
        return torch.einsum(layer.equation, x, float_kernel)

    def input_grad(upstream):
        return torch.einsum(info["gradient_equation"], upstream, float_kernel)

    return _finish(layer, with_inputs_gradient(inputs, forward, input_grad))


def _float8_call(layer, inputs, training=None):
    def contract(x, kernel):
        return torch.einsum(layer.equation, x, kernel)

    return layer.activation(float8_forward(layer, inputs, contract, training))


EINSUM_DENSE_QUANTIZATION = EinsumDenseQuantization()
