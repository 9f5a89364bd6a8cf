"""Dot-product (Luong) and additive (Bahdanau) attention: Attention, AdditiveAttention.

Both are called on `[query, value]` or `[query, value, key]` (shapes `(batch, Tq, dim)`,
`(batch, Tv, dim)`), with an optional `mask=[query_mask, value_mask]`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer


def causal_mask(query_length: int, key_length: int, device=None) -> torch.Tensor:
    """`(1, Tq, Tv)` booleans, True where query position i may see key position j <= i."""
    return torch.ones((query_length, key_length), dtype=torch.bool, device=device).tril().unsqueeze(0)


def _masked_value(dtype: torch.dtype) -> float:
    # What Keras subtracts from masked-out scores.
    return 65504.0 if dtype == torch.float16 else 1.0e9


class Attention(Layer):
    """Dot-product attention: `softmax(query @ key^T) @ value`.

    Args:
        use_scale: learn a scalar `scale` multiplying the scores.
        score_mode: "dot" (`query @ key^T`) or "concat" (`sum(tanh(query + key))`,
            with a learned `concat_score_weight`).
        dropout: dropout rate on the attention weights (training only).
        seed: random seed (kept for the config).

    Call arguments:
        inputs: `[query, value]` or `[query, value, key]`.
        mask: `[query_mask, value_mask]` booleans `(batch, Tq)`, `(batch, Tv)`.
        return_attention_scores: also return the `(batch, Tq, Tv)` weights.
        use_causal_mask: position i attends only to positions <= i.

    Output shape: `(batch, Tq, value_dim)`.
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                "Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. Received: "
                f"score_mode={score_mode}"
            )
        self.scale = None
        self.concat_score_weight = None
        self.supports_masking = True

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones")
        self.built = True

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = torch.matmul(query, key.transpose(-2, -1))
            return scores * self.scale if self.scale is not None else scores
        summed = query.unsqueeze(-2) + key.unsqueeze(-3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * torch.tanh(summed).sum(-1)

    def call(self, inputs, mask=None, training=False, return_attention_scores=False, use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        scores = self._calculate_scores(query, key)
        scores_mask = value_mask.bool().unsqueeze(-2) if value_mask is not None else None
        if use_causal_mask:
            causal = causal_mask(scores.shape[-2], scores.shape[-1], scores.device)
            scores_mask = causal if scores_mask is None else scores_mask & causal
        if scores_mask is not None:
            scores = torch.where(scores_mask, scores, scores - _masked_value(scores.dtype))
        weights = torch.softmax(scores, dim=-1)
        if training and self.dropout > 0:
            weights = F.dropout(weights, self.dropout, True)
        output = torch.matmul(weights, value)
        if query_mask is not None:
            output = torch.where(query_mask.bool().unsqueeze(-1), output, 0.0)
        if return_attention_scores:
            return output, weights
        return output

    def compute_mask(self, inputs, mask=None):
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def compute_output_spec(
        self, inputs, mask=None, return_attention_scores=False, training=None, use_causal_mask=False
    ):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        output = KerasTensor(self.compute_output_shape([query.shape, value.shape]), self.compute_dtype)
        if return_attention_scores:
            return output, KerasTensor(tuple(query.shape[:-1]) + (key.shape[-2],), self.compute_dtype)
        return output

    def _validate_inputs(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"{name} layer must be called on a list of inputs, namely [query, value] or [query, value, key]. "
                f"Received: inputs={inputs}."
            )
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(
                f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. "
                f"Received length: {len(inputs)}."
            )
        if mask is not None:
            if not isinstance(mask, (list, tuple)):
                raise ValueError(
                    f"{name} layer mask must be a list, namely [query_mask, value_mask]. Received: mask={mask}."
                )
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(
                    f"{name} layer accepts mask list of length 2 or 3. Received: inputs={inputs}, mask={mask}."
                )

    def get_config(self):
        config = super().get_config()
        config.update(
            {"use_scale": self.use_scale, "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}
        )
        return config


class AdditiveAttention(Attention):
    """Additive (Bahdanau-style) attention: scores `sum(scale * tanh(query + key))`.

    Args:
        use_scale: learn a `(dim,)` `scale` vector (default True).
        dropout: dropout rate on the attention weights.

    Call arguments and output: as `Attention`.
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],), initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        summed = torch.tanh(query.unsqueeze(-2) + key.unsqueeze(-3))
        if self.scale is not None:
            summed = self.scale * summed
        return summed.sum(-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
