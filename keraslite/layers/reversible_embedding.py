"""ReversibleEmbedding: an Embedding that also maps vectors back to logits over the
vocabulary (`reverse=True`), as language models tie their input and output embeddings."""

from __future__ import annotations

import torch

from keraslite.backend import dtypes
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.core import Embedding
from keraslite.layers.quantized_reversible_embedding import REVERSIBLE_EMBEDDING_QUANTIZATION


class ReversibleEmbedding(Embedding):
    """`layer(ids)` looks up embeddings; `layer(vectors, reverse=True)` returns
    `vectors @ embeddings.T` (or `@ reverse_embeddings` when `tie_weights=False`),
    logits of shape `(..., input_dim)`.

    Args:
        input_dim, output_dim, embeddings_initializer, embeddings_regularizer,
            embeddings_constraint, mask_zero: as `Embedding`.
        tie_weights: reuse the embedding matrix for the reverse projection (default);
            otherwise a separate `reverse_embeddings` weight `(output_dim, input_dim)`.
        reverse_dtype: dtype of the reverse matmul (e.g. "float32" under mixed precision).
        logit_soft_cap: if set, logits become `cap * tanh(logits / cap)`.

    `quantize("int8" | "int4")` quantizes both directions (layers/quantized_reversible_embedding.py).
    """

    _quantization = REVERSIBLE_EMBEDDING_QUANTIZATION

    def __init__(
        self,
        input_dim,
        output_dim,
        tie_weights=True,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero=False,
        reverse_dtype=None,
        logit_soft_cap=None,
        **kwargs,
    ):
        # Initial `weights` are set once the reverse settings below are known.
        weights = kwargs.pop("weights", None)
        super().__init__(
            input_dim,
            output_dim,
            embeddings_initializer=embeddings_initializer,
            embeddings_regularizer=embeddings_regularizer,
            embeddings_constraint=embeddings_constraint,
            mask_zero=mask_zero,
            **kwargs,
        )
        self.tie_weights = tie_weights
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap
        if weights is not None:
            self._initial_weights = list(weights) if isinstance(weights, (list, tuple)) else [weights]
            self._maybe_build(None)

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights and self.quantization_mode not in ("int8", "int4"):
            self.reverse_embeddings = self.add_weight(
                name="reverse_embeddings",
                shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer,
                trainable=True,
            )
        self.built = True

    def call(self, inputs, reverse=False):
        if not reverse:
            return super().call(inputs)
        kernel = self.embeddings.T if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            target = dtypes.to_torch_dtype(dtypes.standardize_dtype(self.reverse_dtype))
            inputs, kernel = inputs.to(target), kernel.to(target)
        elif inputs.dtype != kernel.dtype:
            inputs = inputs.to(kernel.dtype)
        logits = torch.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = torch.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs, mask=None):
        # Token ids (integers) give the padding mask; reversed (float) inputs give none.
        if inputs is None or dtypes.is_float_dtype(dtypes.standardize_dtype(inputs.dtype)):
            return None
        return super().compute_mask(inputs, mask)

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return tuple(input_shape) + (self.output_dim,)

    def compute_output_spec(self, inputs, reverse=False, **kwargs):
        if not reverse:
            return super().compute_output_spec(inputs)
        dtype = self.reverse_dtype or self.compute_dtype
        return KerasTensor(self.compute_output_shape(inputs.shape, reverse=True), dtypes.standardize_dtype(dtype))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype,
                "logit_soft_cap": self.logit_soft_cap,
            }
        )
        return config
