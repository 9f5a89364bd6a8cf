"""Quantized `ReversibleEmbedding`: the embedding lookup as `Embedding`'s, and the reverse
projection (`reverse=True`) from the int8 / int4 matrix, tied or not, with inputs
quantized by `AbsMaxQuantizer` unless the config says otherwise. Keras 3.15's weights,
saved order and numbers."""

from __future__ import annotations

import functools
import math

import torch

from keraslite.layers.layer_quantization import remove_weight
from keraslite.layers.quantized_dense import assign
from keraslite.layers.quantized_embedding import _SAVED, EmbeddingQuantization
from keraslite.layers.quantized_embedding import _int4_call as _int4_lookup
from keraslite.layers.quantized_embedding import _int8_call as _int8_lookup
from keraslite.layers.quantized_ops import int8_matmul
from keraslite.quantizers.quantization_config import QuantizationConfig, get_block_size_for_layer
from keraslite.quantizers.quantizers import (
    AbsMaxQuantizer,
    abs_max_quantize_grouped_with_zero_point,
    dequantize_with_sz_map,
    pack_int4,
    unpack_int4,
)

_REVERSE_SAVED = {
    "int8": ["reverse_embeddings", "reverse_embeddings_scale"],
    "int4": ["reverse_embeddings", "reverse_embeddings_scale", "reverse_embeddings_zero"],
}


class ReversibleEmbeddingQuantization(EmbeddingQuantization):
    def build(self, layer, embeddings_shape, mode, config):
        super().build(layer, embeddings_shape, mode, config)
        layer.inputs_quantizer = QuantizationConfig.activation_quantizer_or_default(config, AbsMaxQuantizer(axis=-1))
        if layer.tie_weights:
            return
        input_dim, output_dim = embeddings_shape
        if mode == "int8":
            layer.add_weight(
                name="reverse_embeddings",
                shape=(output_dim, input_dim),
                initializer="zeros",
                dtype="int8",
                trainable=False,
            )
            layer.add_weight(name="reverse_embeddings_scale", shape=(input_dim,), initializer="ones", trainable=False)
            return
        layer.add_weight(
            name="reverse_embeddings",
            shape=((output_dim + 1) // 2, input_dim),
            initializer="zeros",
            dtype="int8",
            trainable=False,
        )
        block_size = get_block_size_for_layer(layer, config)
        grouped = block_size is not None and block_size != -1
        scale_shape = (math.ceil(output_dim / block_size), input_dim) if grouped else (input_dim,)
        layer.add_weight(name="reverse_embeddings_scale", shape=scale_shape, initializer="ones", trainable=False)
        if grouped:
            # float32, as Keras creates it (the int8 zero points are stored as floats)
            layer.add_weight(name="reverse_embeddings_zero", shape=scale_shape, initializer="zeros", trainable=False)

    def quantize(self, layer, mode, config):
        reverse = None if layer.tie_weights else layer._parameters["reverse_embeddings"].detach()
        reverse_values = {}
        if reverse is not None:
            block_size = getattr(config, "block_size", None) if mode == "int4" else None
            if mode == "int8":
                quantizer = QuantizationConfig.weight_quantizer_or_default(config, AbsMaxQuantizer(axis=0))
                values, scale = quantizer(reverse, to_numpy=True)
                reverse_values = {"reverse_embeddings": values, "reverse_embeddings_scale": scale.squeeze(0)}
            elif block_size is None or block_size == -1:
                quantizer = QuantizationConfig.weight_quantizer_or_default(
                    config, AbsMaxQuantizer(axis=0, value_range=(-8, 7), output_dtype="int8")
                )
                values, scale = quantizer(reverse, to_numpy=True)
                reverse_values = {
                    "reverse_embeddings": pack_int4(values, axis=0)[0],
                    "reverse_embeddings_scale": scale.squeeze(0),
                }
            else:
                values, scale, zero = abs_max_quantize_grouped_with_zero_point(
                    reverse, block_size=block_size, value_range=(-8, 7), dtype="int8", to_numpy=True
                )
                reverse_values = {
                    "reverse_embeddings": pack_int4(values, axis=0)[0],
                    "reverse_embeddings_scale": scale,
                    "reverse_embeddings_zero": zero,
                }
            remove_weight(layer, "reverse_embeddings")
        super().quantize(layer, mode, config)
        if reverse_values:
            assign(layer, **reverse_values)

    def forward(self, layer, mode):
        return functools.partial(_int8_call if mode == "int8" else _int4_call, layer)

    def saved_names(self, layer, mode):
        return _SAVED[mode] + ([] if layer.tie_weights else _REVERSE_SAVED[mode])


def _quantized_inputs(layer, inputs):
    if layer.inputs_quantizer:
        return layer.inputs_quantizer(inputs)
    return inputs, torch.ones((1,), dtype=layer._compute_torch_dtype, device=inputs.device)


def _logits(layer, inputs, kernel):
    """`inputs @ kernel`, exact when both are int8 (as Keras's int32 product)."""
    if inputs.dtype == torch.int8 and kernel.dtype == torch.int8:
        return int8_matmul(None, inputs, kernel, kernel.shape[0])
    common = torch.promote_types(inputs.dtype, kernel.dtype)
    return torch.matmul(inputs.to(common), kernel.to(common))


def _soft_cap(layer, logits):
    if layer.logit_soft_cap is not None:
        logits = torch.tanh(logits / layer.logit_soft_cap) * layer.logit_soft_cap
    return logits


def _int8_call(layer, inputs, reverse=False):
    if not reverse:
        return _int8_lookup(layer, inputs)
    params = layer._parameters
    if layer.tie_weights:
        kernel, scale = params["embeddings"].T, params["embeddings_scale"]
    else:
        kernel, scale = params["reverse_embeddings"], params["reverse_embeddings_scale"]
    inputs, inputs_scale = _quantized_inputs(layer, inputs)
    logits = _logits(layer, inputs, kernel).to(layer._compute_torch_dtype)
    return _soft_cap(layer, logits / (inputs_scale * scale))


def _int4_call(layer, inputs, reverse=False):
    if not reverse:
        return _int4_lookup(layer, inputs)
    params = layer._parameters
    compute = layer._compute_torch_dtype
    block_size = layer._int4_block_size
    if layer.tie_weights:
        packed, scale = params["embeddings"].T, params["embeddings_scale"]
    else:
        packed, scale = params["reverse_embeddings"], params["reverse_embeddings_scale"]
    unpacked = unpack_int4(packed, layer.output_dim, axis=0)
    inputs, inputs_scale = _quantized_inputs(layer, inputs)
    if block_size is None or block_size == -1:
        logits = _logits(layer, inputs, unpacked).to(compute)
        return _soft_cap(layer, logits / (inputs_scale * scale))
    if layer.tie_weights:
        scale, zero = scale.T, params["embeddings_zero"].T
    else:
        zero = params["reverse_embeddings_zero"]
    float_embeddings = dequantize_with_sz_map(unpacked.to(compute), scale, zero, params["g_idx"], group_axis=0)
    return _soft_cap(layer, _logits(layer, inputs, float_embeddings) / inputs_scale)


REVERSIBLE_EMBEDDING_QUANTIZATION = ReversibleEmbeddingQuantization()
