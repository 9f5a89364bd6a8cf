"""Quantized `Embedding`: int8 (one scale per vocabulary row) and int4 (rows packed two
values per byte; per row, or in blocks of `block_size` columns with zero points).
Weights, names, dtypes, shapes, saved order and numbers are Keras 3.15's."""

from __future__ import annotations

import functools
import math

import torch

from keraslite.layers.layer_quantization import QuantizationScheme, remove_weight
from keraslite.layers.quantized_dense import assign
from keraslite.quantizers.quantization_config import QuantizationConfig, get_block_size_for_layer
from keraslite.quantizers.quantizers import (
    AbsMaxQuantizer,
    abs_max_quantize_grouped_with_zero_point,
    dequantize_with_sz_map,
    pack_int4,
    unpack_int4,
)

_SAVED = {
    "int8": ["embeddings", "embeddings_scale"],
    "int4": ["embeddings", "embeddings_scale", "embeddings_zero", "g_idx"],
}


class EmbeddingQuantization(QuantizationScheme):
    modes = ("int8", "int4")

    def build(self, layer, embeddings_shape, mode, config):
        input_dim, output_dim = embeddings_shape
        if mode == "int8":
            layer.add_weight(
                name="embeddings", shape=embeddings_shape, initializer="zeros", dtype="int8", trainable=False
            )
            # One scale per vocabulary row: input_dim is usually the larger dimension.
            layer.add_weight(name="embeddings_scale", shape=(input_dim,), initializer="ones", trainable=False)
            return
        layer.add_weight(
            name="embeddings",
            shape=(input_dim, (output_dim + 1) // 2),
            initializer="zeros",
            dtype="int8",
            trainable=False,
        )
        block_size = get_block_size_for_layer(layer, config)
        layer._int4_block_size = block_size
        grouped = block_size is not None and block_size > 0
        scale_shape = (input_dim, math.ceil(output_dim / block_size)) if grouped else (input_dim,)
        layer.add_weight(name="embeddings_scale", shape=scale_shape, initializer="ones", trainable=False)
        if grouped:
            layer.add_weight(
                name="embeddings_zero", shape=scale_shape, initializer="zeros", dtype="int8", trainable=False
            )
            g_idx = layer.add_weight(
                name="g_idx", shape=(output_dim,), initializer="zeros", dtype="float32", trainable=False
            )
            with torch.no_grad():
                g_idx.copy_(torch.floor_divide(torch.arange(output_dim, dtype=torch.float32), block_size))
        layer._orig_output_dim = output_dim

    def quantize(self, layer, mode, config):
        embeddings = layer._parameters["embeddings"].detach()
        shape = (layer.input_dim, layer.output_dim)
        zero = None
        if mode == "int8":
            quantizer = QuantizationConfig.weight_quantizer_or_default(config, AbsMaxQuantizer(axis=-1))
            values, scale = quantizer(embeddings, to_numpy=True)
            scale = scale.squeeze(-1)
        else:
            block_size = getattr(config, "block_size", None)
            if block_size is None or block_size == -1:
                quantizer = QuantizationConfig.weight_quantizer_or_default(
                    config, AbsMaxQuantizer(axis=-1, value_range=(-8, 7), output_dtype="int8")
                )
                values, scale = quantizer(embeddings, to_numpy=True)
                scale = scale.squeeze(-1)
            else:
                values_t, scale_t, zero_t = abs_max_quantize_grouped_with_zero_point(
                    embeddings.T, block_size=block_size, value_range=(-8, 7), dtype="int8", to_numpy=True
                )
                values, scale, zero = values_t.T, scale_t.T, zero_t.T
            values = pack_int4(values.contiguous(), axis=-1)[0]
        remove_weight(layer, "embeddings")
        layer.quantized_build(shape, mode)
        assign(layer, embeddings=values, embeddings_scale=scale)
        if zero is not None:
            assign(layer, embeddings_zero=zero)

    def forward(self, layer, mode):
        return functools.partial(_int8_call if mode == "int8" else _int4_call, layer)

    def saved_names(self, layer, mode):
        return _SAVED[mode]


def _ids(inputs):
    return inputs if inputs.dtype in (torch.int32, torch.int64) else inputs.to(torch.int32)


def _int8_call(layer, inputs):
    params = layer._parameters
    inputs = _ids(inputs)
    scale = params["embeddings_scale"][inputs]
    return params["embeddings"][inputs].to(layer._compute_torch_dtype) / scale.unsqueeze(-1)


def _int4_call(layer, inputs):
    params = layer._parameters
    inputs = _ids(inputs)
    outputs = unpack_int4(params["embeddings"], layer._orig_output_dim, axis=-1)[inputs]
    compute = layer._compute_torch_dtype
    block_size = layer._int4_block_size
    if block_size is None or block_size == -1:
        return outputs.to(compute) / params["embeddings_scale"][inputs].unsqueeze(-1)
    scale, zero = params["embeddings_scale"][inputs], params["embeddings_zero"][inputs]
    return dequantize_with_sz_map(outputs.to(compute), scale, zero, params["g_idx"], group_axis=-1)


EMBEDDING_QUANTIZATION = EmbeddingQuantization()
