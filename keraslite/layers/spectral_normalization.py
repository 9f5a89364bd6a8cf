"""SpectralNormalization: keeps the spectral norm of a wrapped layer's kernel near 1."""

from __future__ import annotations

import torch

from keraslite import initializers
from keraslite.graph.input_spec import InputSpec
from keraslite.layers.wrapper import Wrapper


def _unit(vector: torch.Tensor) -> torch.Tensor:
    return vector / torch.sqrt(torch.clamp((vector * vector).sum(), min=1e-12))


class SpectralNormalization(Wrapper):
    """Divides the wrapped layer's `kernel` (or `embeddings`) by its largest singular
    value, estimated by power iteration, at each training call (Miyato et al., 2018).

    As in Keras, the normalized kernel is written back into the wrapped layer's weight
    (outside the gradient) and the singular-vector estimate `vector_u` is a
    non-trainable weight, `(1, kernel.shape[-1])`. Inference uses the kernel as it is.

    Args:
        layer: a layer with a `kernel` or `embeddings` weight (Dense, Conv2D, Embedding ...).
        power_iterations: power-iteration steps per training call (>= 1).
    """

    def __init__(self, layer, power_iterations: int = 1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError(
                f"`power_iterations` should be greater than zero. Received: power_iterations={power_iterations}"
            )
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(
                f"SpectralNormalization wraps a layer with a `kernel` or `embeddings` weight; "
                f"{type(self.layer).__name__} {self.layer.name!r} has neither."
            )
        # The wrapped kernel counts among this layer's own weights first (Keras's order:
        # kernel, vector_u, then the wrapped layer's others) without a second torch
        # registration of the same Parameter.
        object.__setattr__(self, "_normalized_kernel", kernel)
        self._trainable_variables.append(kernel)
        self.vector_u = self.add_weight(
            shape=(1, kernel.shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False,
            name="vector_u",
            dtype=str(kernel.dtype).replace("torch.", ""),
        )

    @property
    def kernel(self):
        return self._normalized_kernel

    def call(self, inputs, training=False):
        if training:
            with torch.no_grad():
                kernel = self._normalized_kernel
                if bool(torch.any(kernel != 0)):  # host sync, as Keras's `cond` on the kernel
                    vector_u, normalized = self.normalized_weights()
                    self.vector_u.copy_(vector_u)
                    kernel.copy_(normalized)
        outputs = self.layer(inputs)
        return outputs.to(inputs.dtype) if inputs.is_floating_point() else outputs

    def normalized_weights(self):
        """(new vector_u, kernel / sigma) from `power_iterations` power-iteration steps."""
        kernel = self._normalized_kernel
        weights = kernel.reshape(-1, kernel.shape[-1])
        vector_u = self.vector_u.detach()
        for _ in range(self.power_iterations):
            vector_v = _unit(vector_u @ weights.T)
            vector_u = _unit(vector_v @ weights)
        sigma = vector_v @ weights @ vector_u.T
        return vector_u.to(self.vector_u.dtype), (kernel / sigma).reshape(kernel.shape).to(kernel.dtype)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config["power_iterations"] = self.power_iterations
        return config
