"""MultiHeadAttention and GroupedQueryAttention, with Keras 3's weight layout.

The projections are `EinsumDense` sublayers named `query`, `key`, (`gate`), `value`,
`attention_output`, built in that order, so weights come out in Keras's order and shapes
(query kernel `(dim, num_heads, key_dim)`, bias `(num_heads, key_dim)`; output kernel
`(num_heads, value_dim, output_dim)`). When no attention scores are requested and the
attention runs over one axis, the core is torch's fused `scaled_dot_product_attention`.
"""

from __future__ import annotations

import contextlib
import math
import string

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

from keraslite import constraints, initializers, regularizers
from keraslite.backend.state import is_flash_attention_enabled
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.attention import causal_mask
from keraslite.layers.base_layer import Layer
from keraslite.layers.core import serialize_object
from keraslite.layers.einsum_dense import EinsumDense

# Added to the logits of masked-out positions (Keras's softmax masking value).
_MASKED_LOGIT = -1.0e9


def projection_equation(free_dims: int, bound_dims: int, output_dims: int):
    """Einsum equation, bias axes and output rank of a projection: `free` dims pass
    through, `bound` dims are contracted with the kernel, `output` dims are created."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims : free_dims + bound_dims]
    out = letters[free_dims + bound_dims : free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out, free_dims + output_dims


def attention_equations(rank: int, attention_axes: tuple):
    """(scores equation, combine equation, scores rank) for projected tensors of `rank`
    `(batch, ..., heads, channels)` attending over `attention_axes`."""
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch_dims = [i for i in range(rank) if i not in attention_axes and i != rank - 1]
    source, offset = "", rank
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += letters[offset]
            offset += 1
    product = "".join(
        [target[i] for i in batch_dims] + [target[i] for i in attention_axes] + [source[i] for i in attention_axes]
    )
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def merge_attention_masks(
    query,
    value,
    query_mask=None,
    value_mask=None,
    key_mask=None,
    attention_mask=None,
    use_causal_mask=False,
    sliding_window=None,
):
    """Keras's automatic attention mask `(B, T, S)` (or `(1, T, S)`), or None."""
    auto = None
    if query_mask is not None:
        auto = query_mask.bool().unsqueeze(-1)
    for mask in (value_mask, key_mask):
        if mask is not None:
            mask = mask.bool().unsqueeze(-2)
            auto = mask if auto is None else auto & mask
    if use_causal_mask:
        mask = causal_mask(query.shape[1], value.shape[1], query.device)
        auto = mask if auto is None else auto & mask
    if sliding_window is not None:
        rows = torch.arange(query.shape[1], device=query.device).view(1, -1, 1)
        cols = torch.arange(value.shape[1], device=query.device).view(1, 1, -1)
        mask = (rows - cols).abs() < sliding_window
        auto = mask if auto is None else auto & mask
    if attention_mask is not None:
        attention_mask = attention_mask.bool()
    if auto is not None:
        attention_mask = auto if attention_mask is None else attention_mask & auto
    return attention_mask


class MultiHeadAttention(Layer):
    """Multi-head attention as in "Attention is all you need", with Keras 3's weights.

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default `key_dim`).
        dropout: dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        output_shape: output size(s) after the last projection (default the query's last dim).
        attention_axes: axes attention runs over (default all but batch, heads, features).
        sliding_window: attend only within this distance (None: everywhere).
        use_gate: multiply the attention output by a sigmoid gate of the query.
        kernel_/bias_ initializer, regularizer, constraint: for the projections.
        seed: random seed (kept for the config).

    Call arguments:
        query `(B, T, dim)`, value `(B, S, dim)`, key (default value), query_mask,
        value_mask, key_mask, attention_mask `(B, T, S)` booleans,
        return_attention_scores, training, use_causal_mask.
    """

    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        dropout=0.0,
        use_bias=True,
        output_shape=None,
        attention_axes=None,
        sliding_window=None,
        flash_attention=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        use_gate=False,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.value_dim = value_dim if value_dim else key_dim
        self.dropout = dropout
        self.use_bias = use_bias
        if output_shape is not None and not isinstance(output_shape, (list, tuple)):
            output_shape = (output_shape,)
        self._output_shape = tuple(output_shape) if output_shape is not None else None
        if attention_axes is not None and not isinstance(attention_axes, (list, tuple)):
            attention_axes = (attention_axes,)
        self.attention_axes = tuple(attention_axes) if attention_axes is not None else None
        self._config_attention_axes = self.attention_axes
        self.sliding_window = sliding_window
        # As in Keras, `flash_attention=False` still defers to the global switch: only `True` forces it.
        self._flash_attention = flash_attention or is_flash_attention_enabled()
        if self._flash_attention and dropout > 0.0:
            raise ValueError(
                "Dropout is not supported when flash attention is enabled. Please set dropout to 0.0 to use flash "
                f"attention. Received: dropout={dropout}, flash_attention={flash_attention}"
            )
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._activity_regularizer_for_sublayers = regularizers.get(activity_regularizer)
        self.use_gate = use_gate
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self.key_dim))
        self._query_dense = None

    # ------------------------------------------------------------------ building
    def _sublayer(self, equation, output_shape, bias_axes, name, activation=None):
        return EinsumDense(
            equation,
            output_shape=output_shape,
            bias_axes=bias_axes if self.use_bias else None,
            activation=activation,
            name=name,
            kernel_initializer=initializers.get(serialize_object(self.kernel_initializer)),
            bias_initializer=initializers.get(serialize_object(self.bias_initializer)),
            kernel_regularizer=self.kernel_regularizer,
            bias_regularizer=self.bias_regularizer,
            activity_regularizer=self._activity_regularizer_for_sublayers,
            kernel_constraint=self.kernel_constraint,
            bias_constraint=self.bias_constraint,
            dtype=self.dtype,
        )

    @staticmethod
    def _padded_shape(rank, last_dims):
        return [None] * (rank - len(last_dims)) + list(last_dims)

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:
            # Called with the query shape alone (the base class's first-call build):
            # the projections are made once the value's shape is known too.
            self.built = True
            return
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. Received: "
                f"value_shape={tuple(value_shape)} and key_shape={tuple(key_shape)}"
            )
        query_rank = len(query_shape)
        equation, bias_axes, rank = projection_equation(query_rank - 1, 1, 2)
        self._query_dense = self._sublayer(
            equation, self._padded_shape(rank - 1, [self.num_heads, self.key_dim]), bias_axes, "query"
        )
        self._query_dense.build(tuple(query_shape))
        equation, bias_axes, rank = projection_equation(len(key_shape) - 1, 1, 2)
        self._key_dense = self._sublayer(
            equation, self._padded_shape(rank - 1, [self.num_heads, self.key_dim]), bias_axes, "key"
        )
        self._key_dense.build(tuple(key_shape))
        if self.use_gate:
            equation, bias_axes, rank = projection_equation(query_rank - 1, 1, 2)
            self._gate_dense = self._sublayer(
                equation,
                self._padded_shape(rank - 1, [self.num_heads, self.value_dim]),
                bias_axes,
                "gate",
                activation="sigmoid",
            )
            self._gate_dense.build(tuple(query_shape))
        equation, bias_axes, rank = projection_equation(len(value_shape) - 1, 1, 2)
        self._value_dense = self._sublayer(
            equation, self._padded_shape(rank - 1, [self.num_heads, self.value_dim]), bias_axes, "value"
        )
        self._value_dense.build(tuple(value_shape))
        if self.attention_axes is None:
            self.attention_axes = tuple(range(1, rank - 2))
        else:
            self.attention_axes = tuple(a if a >= 0 else (rank - 1) + a for a in self.attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = attention_equations(rank, self.attention_axes)
        self._norm_axes = tuple(range(scores_rank - len(self.attention_axes), scores_rank))
        output_shape = list(self._output_shape) if self._output_shape else [query_shape[-1]]
        equation, bias_axes, rank = projection_equation(query_rank - 1, 2, len(output_shape))
        self._output_dense = self._sublayer(
            equation, self._padded_shape(rank - 1, output_shape), bias_axes, "attention_output"
        )
        dense_input = list(self._query_dense.compute_output_shape(tuple(query_shape)))
        dense_input[-1] = self.value_dim
        self._output_dense.build(tuple(dense_input))
        self.built = True

    def _ensure_built(self, query_shape, value_shape, key_shape):
        if self._query_dense is None:
            self.build(tuple(query_shape), tuple(value_shape), None if key_shape is None else tuple(key_shape))

    @property
    def query_dense(self):
        return self._query_dense

    @property
    def key_dense(self):
        return self._key_dense

    @property
    def value_dense(self):
        return self._value_dense

    @property
    def output_dense(self):
        return self._output_dense

    # ------------------------------------------------------------------ calling
    def _compute_attention(
        self,
        query,
        key,
        value,
        attention_mask=None,
        training=None,
        return_attention_scores=False,
        use_causal_mask=False,
    ):
        """Attention over projected `(B, T, N, H)` tensors -> (output, scores or None)."""
        if self._flash_attention and return_attention_scores:
            raise ValueError(
                "Returning attention scores is not supported when flash attention is enabled. Please disable flash "
                "attention to access attention scores. Received: return_attention_scores=True"
            )
        dropout = self.dropout if training else 0.0
        if not return_attention_scores and query.ndim == 4 and self.attention_axes == (1,):
            # torch's fused kernel; (B, T, N, H) -> (B, N, T, H) are views.
            bias = None
            if attention_mask is not None:
                mask = attention_mask
                while mask.ndim < 4:
                    mask = mask.unsqueeze(-3)
                # An additive mask, as Keras's softmax masking: a fully masked row gets a
                # uniform distribution rather than NaN.
                bias = torch.where(mask, 0.0, _MASKED_LOGIT).to(query.dtype)
            # `flash_attention=True` allows the flash kernel only: torch raises if the inputs cannot use it.
            kernels = sdpa_kernel(SDPBackend.FLASH_ATTENTION) if self._flash_attention else contextlib.nullcontext()
            with kernels:
                out = F.scaled_dot_product_attention(
                    query.transpose(1, 2),
                    key.transpose(1, 2),
                    value.transpose(1, 2),
                    attn_mask=bias,
                    dropout_p=dropout,
                    is_causal=use_causal_mask and attention_mask is None,
                    scale=self._inverse_sqrt_key_dim,
                )
            return out.transpose(1, 2), None
        if use_causal_mask:
            causal = causal_mask(query.shape[1], value.shape[1], query.device)
            attention_mask = causal if attention_mask is None else attention_mask & causal
        scores = torch.einsum(self._dot_product_equation, key, query * self._inverse_sqrt_key_dim)
        if attention_mask is not None:
            mask = attention_mask
            for _ in range(scores.ndim - mask.ndim):
                mask = mask.unsqueeze(-len(self.attention_axes) * 2 - 1)
            scores = torch.where(mask, scores, _MASKED_LOGIT)
        if len(self._norm_axes) == 1:
            probabilities = torch.softmax(scores, dim=self._norm_axes[0])
        else:
            probabilities = torch.exp(scores - torch.logsumexp(scores, dim=self._norm_axes, keepdim=True))
        if attention_mask is not None:
            probabilities = torch.where(mask, probabilities, 0.0)
        dropped = F.dropout(probabilities, dropout, True) if dropout > 0 else probabilities
        return torch.einsum(self._combine_equation, dropped, value), probabilities

    def call(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        if key is None:
            key = value
        if query_mask is None:
            query_mask = getattr(query, "_keras_mask", None)
        if value_mask is None:
            value_mask = getattr(value, "_keras_mask", None)
        if key_mask is None and key is not value:
            key_mask = getattr(key, "_keras_mask", None)
        # As Keras: the masks are used here, so they are taken off the inputs (the
        # projections below would otherwise receive them and warn that they drop them).
        for tensor in (query, value, key):
            if getattr(tensor, "_keras_mask", None) is not None:
                tensor._keras_mask = None
        self._ensure_built(query.shape, value.shape, key.shape)
        causal_only = (
            use_causal_mask
            and query_mask is None
            and value_mask is None
            and key_mask is None
            and attention_mask is None
            and self.sliding_window is None
        )
        if not causal_only:
            attention_mask = merge_attention_masks(
                query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask, self.sliding_window
            )
        gate = self._gate_dense(query) if self.use_gate else None
        projected_query = self._query_dense(query)
        projected_key = self._key_dense(key)
        projected_value = self._value_dense(value)
        output, scores = self._compute_attention(
            projected_query,
            projected_key,
            projected_value,
            attention_mask,
            training,
            return_attention_scores,
            use_causal_mask=causal_only,
        )
        output = self._output_dense(output * gate if gate is not None else output)
        if query_mask is not None:
            try:
                output._keras_mask = query_mask
            except (AttributeError, RuntimeError):
                pass
        if return_attention_scores:
            return output, scores
        return output

    def compute_mask(self, inputs, mask=None):
        return mask[0] if isinstance(mask, (list, tuple)) else mask

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if value_shape is not None and key_shape is not None and tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. Received: "
                f"value_shape={tuple(value_shape)} and key_shape={tuple(key_shape)}"
            )
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def compute_output_spec(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        self._ensure_built(query.shape, value.shape, None if key is None else key.shape)
        output = KerasTensor(
            self.compute_output_shape(query.shape, value.shape, None if key is None else key.shape), self.compute_dtype
        )
        if return_attention_scores:
            return output, KerasTensor(
                (query.shape[0], self.num_heads, query.shape[1], value.shape[1]), self.compute_dtype
            )
        return output

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_heads": self.num_heads,
                "key_dim": self.key_dim,
                "value_dim": self.value_dim,
                "dropout": self.dropout,
                "use_bias": self.use_bias,
                "use_gate": self.use_gate,
                "output_shape": self._output_shape,
                "attention_axes": self._config_attention_axes,
                "sliding_window": self.sliding_window,
                "kernel_initializer": serialize_object(self.kernel_initializer),
                "bias_initializer": serialize_object(self.bias_initializer),
                "kernel_regularizer": serialize_object(self.kernel_regularizer),
                "bias_regularizer": serialize_object(self.bias_regularizer),
                "activity_regularizer": serialize_object(self._activity_regularizer_for_sublayers),
                "kernel_constraint": serialize_object(self.kernel_constraint),
                "bias_constraint": serialize_object(self.bias_constraint),
                "seed": self.seed,
            }
        )
        return config


class GroupedQueryAttention(MultiHeadAttention):
    """Grouped-query attention: `num_query_heads` query heads share
    `num_key_value_heads` key/value heads (each repeated `num_query_heads //
    num_key_value_heads` times). Weights: query `(dim, num_query_heads, head_dim)`,
    key/value `(dim, num_key_value_heads, head_dim)`, output `(num_query_heads,
    head_dim, dim)`.

    Args:
        head_dim, num_query_heads, num_key_value_heads, dropout, use_bias, use_gate,
        sliding_window, kernel_/bias_ initializer, regularizer, constraint, seed.
    """

    def __init__(
        self,
        head_dim,
        num_query_heads,
        num_key_value_heads,
        dropout=0.0,
        use_bias=True,
        sliding_window=None,
        flash_attention=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        use_gate=False,
        seed=None,
        **kwargs,
    ):
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError(
                "`num_query_heads` must be divisible by `num_key_value_heads`. Received: "
                f"num_query_heads={num_query_heads}, num_key_value_heads={num_key_value_heads}"
            )
        super().__init__(
            num_query_heads,
            head_dim,
            dropout=dropout,
            use_bias=use_bias,
            sliding_window=sliding_window,
            flash_attention=flash_attention,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            use_gate=use_gate,
            seed=seed,
            **kwargs,
        )
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:
            self.built = True
            return
        key_shape = value_shape if key_shape is None else key_shape
        heads, kv_heads, dim = self.num_query_heads, self.num_key_value_heads, self.head_dim
        self._query_dense = self._sublayer("bqm,muh->bquh", (None, heads, dim), "uh", "query")
        self._query_dense.build(tuple(query_shape))
        self._key_dense = self._sublayer("bkm,mvh->bkvh", (None, kv_heads, dim), "vh", "key")
        self._key_dense.build(tuple(key_shape))
        if self.use_gate:
            self._gate_dense = self._sublayer("bqm,muh->bquh", (None, heads, dim), "uh", "gate", activation="sigmoid")
            self._gate_dense.build(tuple(query_shape))
        self._value_dense = self._sublayer("bkm,mvh->bkvh", (None, kv_heads, dim), "vh", "value")
        self._value_dense.build(tuple(value_shape))
        self.attention_axes = (1,)
        # Operand order as MultiHeadAttention's: (key, query) -> scores.
        self._dot_product_equation, self._combine_equation = "bkuh,bquh->buqk", "buqk,bkuh->bquh"
        self._norm_axes = (3,)
        self._output_dense = self._sublayer("bquh,uhm->bqm", (None, query_shape[-1]), "m", "attention_output")
        self._output_dense.build((None, None, heads, dim))
        self.built = True

    def call(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        if key is None:
            key = value
        self._ensure_built(query.shape, value.shape, key.shape)
        causal_only = (
            use_causal_mask
            and query_mask is None
            and value_mask is None
            and key_mask is None
            and attention_mask is None
            and self.sliding_window is None
        )
        if not causal_only:
            attention_mask = merge_attention_masks(
                query, value, query_mask, value_mask, key_mask, attention_mask, use_causal_mask, self.sliding_window
            )
        gate = self._gate_dense(query) if self.use_gate else None
        projected_query = self._query_dense(query)
        # Each key/value head serves `num_repeats` consecutive query heads.
        projected_key = torch.repeat_interleave(self._key_dense(key), self.num_repeats, dim=2)
        projected_value = torch.repeat_interleave(self._value_dense(value), self.num_repeats, dim=2)
        output, scores = self._compute_attention(
            projected_query,
            projected_key,
            projected_value,
            attention_mask,
            training,
            return_attention_scores,
            use_causal_mask=causal_only,
        )
        output = self._output_dense(output * gate if gate is not None else output)
        if return_attention_scores:
            return output, scores
        return output

    def get_config(self):
        config = Layer.get_config(self)
        config.update(
            {
                "head_dim": self.head_dim,
                "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads,
                "use_bias": self.use_bias,
                "use_gate": self.use_gate,
                "sliding_window": self.sliding_window,
                "dropout": self.dropout,
                "kernel_initializer": serialize_object(self.kernel_initializer),
                "bias_initializer": serialize_object(self.bias_initializer),
                "kernel_regularizer": serialize_object(self.kernel_regularizer),
                "bias_regularizer": serialize_object(self.bias_regularizer),
                "activity_regularizer": serialize_object(self._activity_regularizer_for_sublayers),
                "kernel_constraint": serialize_object(self.kernel_constraint),
                "bias_constraint": serialize_object(self.bias_constraint),
                "seed": self.seed,
            }
        )
        return config


GroupQueryAttention = GroupedQueryAttention
