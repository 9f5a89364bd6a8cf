"""Quantized `Dense`: int8 (int8 kernel and, by default, int8 inputs), int4 (kernel packed
two values per byte, per output channel or in blocks of input rows with zero points) and
float8 (delayed-scaling quantize-dequantize, trainable). Weights, names, dtypes, shapes,
saved order and numbers are Keras 3.15's."""

from __future__ import annotations

import functools
import math

import torch

from keraslite.layers.layer_quantization import QuantizationScheme, remove_weight
from keraslite.layers.quantized_ops import add_float8_variables, float8_forward, int8_matmul, with_inputs_gradient
from keraslite.quantizers.quantization_config import QuantizationConfig, get_block_size_for_layer
from keraslite.quantizers.quantizers import (
    AbsMaxQuantizer,
    abs_max_quantize_grouped_with_zero_point,
    dequantize_with_sz_map,
    pack_int4,
    unpack_int4,
)

_SAVED = {
    "int8": ["kernel", "bias", "kernel_scale"],
    "int4": ["kernel", "bias", "kernel_scale", "kernel_zero", "g_idx"],
    "float8": [
        "kernel",
        "bias",
        "inputs_scale",
        "inputs_amax_history",
        "kernel_scale",
        "kernel_amax_history",
        "outputs_grad_scale",
        "outputs_grad_amax_history",
    ],
}


def _finish(layer, x):
    bias = layer._parameters.get("bias")
    if bias is not None:
        x = x + bias
    return layer.activation(x)


def int4_layout(layer, config, rows: int, columns: int):
    """Create an int4 kernel `(rows, ceil(columns / 2))` and its scale (and zero point and
    group index when quantized in blocks of `block_size` rows). Returns the block size
    (None: per channel)."""
    layer.inputs_quantizer = QuantizationConfig.activation_quantizer_or_default(config, None)
    layer.add_weight(
        name="kernel", shape=(rows, (columns + 1) // 2), initializer="zeros", dtype="int8", trainable=False
    )
    block_size = get_block_size_for_layer(layer, config)
    grouped = block_size is not None and block_size > 0
    scale_shape = (math.ceil(rows / block_size), columns) if grouped else (columns,)
    layer.add_weight(name="kernel_scale", shape=scale_shape, initializer="ones", trainable=False)
    if grouped:
        layer.add_weight(name="kernel_zero", shape=scale_shape, initializer="zeros", dtype="int8", trainable=False)
        g_idx = layer.add_weight(name="g_idx", shape=(rows,), initializer="zeros", dtype="float32", trainable=False)
        with torch.no_grad():
            g_idx.copy_(torch.floor_divide(torch.arange(rows, dtype=torch.float32), block_size))
    return block_size


def quantize_int4_kernel(flat_kernel, block_size):
    """`(packed kernel, scale, zero point or None)` of a float `(rows, columns)` kernel."""
    if block_size is None or block_size == -1:
        quantizer = AbsMaxQuantizer(axis=0, value_range=(-8, 7), output_dtype="int8")
        values, scale = quantizer(flat_kernel, to_numpy=True)
        zero = None
        scale = scale.squeeze(0)
    else:
        values, scale, zero = abs_max_quantize_grouped_with_zero_point(
            flat_kernel, block_size=block_size, to_numpy=True
        )
    packed, _, _ = pack_int4(values, axis=-1)
    return packed, scale, zero


def assign(layer, **values) -> None:
    with torch.no_grad():
        for name, value in values.items():
            variable = layer._parameters[name]
            variable.copy_(torch.as_tensor(value).to(device=variable.device, dtype=variable.dtype))


class DenseQuantization(QuantizationScheme):
    modes = ("int8", "int4", "float8")
    training_modes = ("float8",)

    def build(self, layer, kernel_shape, mode, config):
        input_dim, units = kernel_shape
        if mode == "int8":
            layer.inputs_quantizer = QuantizationConfig.activation_quantizer_or_default(config, AbsMaxQuantizer())
            layer.add_weight(name="kernel", shape=kernel_shape, initializer="zeros", dtype="int8", trainable=False)
            layer.add_weight(name="kernel_scale", shape=(units,), initializer="ones", trainable=False)
        elif mode == "int4":
            layer._int4_block_size = int4_layout(layer, config, input_dim, units)
            layer._orig_input_dim, layer._orig_output_dim = input_dim, units
        else:
            add_float8_variables(layer)

    def quantize(self, layer, mode, config):
        kernel = layer._parameters["kernel"]
        kernel_shape = tuple(kernel.shape)
        if mode == "int8":
            quantizer = QuantizationConfig.weight_quantizer_or_default(config, AbsMaxQuantizer(axis=0))
            values, scale = quantizer(kernel.detach(), to_numpy=True)
            remove_weight(layer, "kernel")
            layer.quantized_build(kernel_shape, mode)
            assign(layer, kernel=values, kernel_scale=scale.squeeze(0))
        elif mode == "int4":
            block_size = getattr(config, "block_size", None)
            if block_size is None or block_size == -1:
                quantizer = QuantizationConfig.weight_quantizer_or_default(
                    config, AbsMaxQuantizer(axis=0, value_range=(-8, 7), output_dtype="int8")
                )
                values, scale = quantizer(kernel.detach(), to_numpy=True)
                packed, zero = pack_int4(values, axis=-1)[0], None
                scale = scale.squeeze(0)
            else:
                packed, scale, zero = quantize_int4_kernel(kernel.detach(), block_size)
            remove_weight(layer, "kernel")
            layer.quantized_build(kernel_shape, mode)
            assign(layer, kernel=packed, kernel_scale=scale)
            if zero is not None:
                assign(layer, kernel_zero=zero)
        else:
            layer.quantized_build(kernel_shape, mode)

    def forward(self, layer, mode):
        return functools.partial({"int8": _int8_call, "int4": _int4_call, "float8": _float8_call}[mode], layer)

    def saved_names(self, layer, mode):
        return _SAVED[mode]


def _int8_call(layer, inputs):
    params = layer._parameters
    kernel, kernel_scale = params["kernel"], params["kernel_scale"]
    compute = layer._compute_torch_dtype
    quantizer = layer.inputs_quantizer

    def forward(x):
        if quantizer:
            x, inputs_scale = quantizer(x, axis=-1)
            return int8_matmul(None, x, kernel, kernel.shape[0]).to(compute) / (kernel_scale * inputs_scale)
        return torch.matmul(x, kernel.to(x.dtype)).to(compute) / kernel_scale

    def input_grad(upstream):
        return torch.matmul(upstream, (kernel.to(compute) / kernel_scale).T)

    return _finish(layer, with_inputs_gradient(inputs, forward, input_grad))


def _int4_kernel(layer):
    """The float kernel the int4 weights stand for (what the gradient is taken through)."""
    params = layer._parameters
    unpacked = unpack_int4(params["kernel"], layer._orig_output_dim, axis=-1)
    compute = layer._compute_torch_dtype
    if layer._int4_block_size is None or layer._int4_block_size == -1:
        return unpacked, unpacked.to(compute) / params["kernel_scale"]
    float_kernel = dequantize_with_sz_map(unpacked, params["kernel_scale"], params["kernel_zero"], params["g_idx"], 0)
    return unpacked, float_kernel.to(compute)


def _int4_call(layer, inputs):
    params = layer._parameters
    compute = layer._compute_torch_dtype
    unpacked, float_kernel = _int4_kernel(layer)
    per_channel = layer._int4_block_size is None or layer._int4_block_size == -1
    quantizer = layer.inputs_quantizer

    def forward(x):
        if not per_channel:
            return torch.matmul(x, float_kernel)
        kernel_scale = params["kernel_scale"]
        if quantizer:
            x, inputs_scale = quantizer(x, axis=-1)
            return int8_matmul(None, x, unpacked, unpacked.shape[0]).to(compute) / (kernel_scale * inputs_scale)
        return torch.matmul(x, unpacked.to(x.dtype)).to(compute) / kernel_scale

    def input_grad(upstream):
        return torch.matmul(upstream, float_kernel.T)

    return _finish(layer, with_inputs_gradient(inputs, forward, input_grad))


def _float8_call(layer, inputs, training=None):
    return layer.activation(float8_forward(layer, inputs, torch.matmul, training))


DENSE_QUANTIZATION = DenseQuantization()
