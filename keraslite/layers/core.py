"""Core layers: Dense, Activation, Dropout, Embedding, Identity."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from keraslite import activations, constraints, initializers, regularizers
from keraslite.backend import dtypes
from keraslite.graph.input_spec import InputSpec
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer
from keraslite.layers.quantized_dense import DENSE_QUANTIZATION
from keraslite.layers.quantized_embedding import EMBEDDING_QUANTIZATION
from keraslite.serialization import serialization_lib as serialization


def reject_unsupported(layer, **arguments):
    """Keras parameters keraslite accepts at their default (None) only (LoRA, GPTQ's packed
    column size). Any other value is an error that names them."""
    given = {name: value for name, value in arguments.items() if value is not None}
    if given:
        received = ", ".join(f"{name}={value!r}" for name, value in given.items())
        raise NotImplementedError(
            f"{type(layer).__name__} {layer.name!r}: {', '.join(f'`{n}`' for n in given)} "
            f"(LoRA / GPTQ) is not supported by keraslite; leave it at None. Received: {received}"
        )


def serialize_object(obj):
    """Config form of an initializer/regularizer/constraint (None stays None)."""
    if obj is None:
        return None
    return serialization.serialize_keras_object(obj)


class Dense(Layer):
    """Densely-connected layer: `activation(inputs @ kernel + bias)`.

    Args:
        units: dimensionality of the output space.
        activation: activation function (name or callable); default linear.
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: defaults `"glorot_uniform"`, `"zeros"`.
        kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint.

    Input shape: `(batch_size, ..., input_dim)`. Output shape: `(batch_size, ..., units)`.
    The kernel is stored as Keras stores it, `(input_dim, units)`. `quantize("int8" |
    "int4" | "float8")` quantizes it (layers/quantized_dense.py).
    """

    _quantization = DENSE_QUANTIZATION

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        lora_rank=None,
        lora_alpha=None,
        quantization_config=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        reject_unsupported(self, lora_rank=lora_rank, lora_alpha=lora_alpha)
        self.quantization_config = quantization_config
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            try:
                if int(units) == units and units > 0:
                    units = int(units)
                else:
                    raise ValueError
            except (TypeError, ValueError):
                raise ValueError(
                    f"Received an invalid value for `units`, expected a positive integer. Received: units={units!r}"
                ) from None
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True
        self._is_linear = self.activation is activations.linear

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f'Layer "{self.name}" (Dense) needs a known last dimension to create its kernel. '
                f"Received: input_shape={tuple(input_shape)}"
            )
        mode = self.quantization_mode
        if mode is not None:
            self.quantized_build((input_dim, self.units), mode)
        if mode not in ("int8", "int4", "gptq", "awq"):
            self.kernel = self.add_weight(
                name="kernel",
                shape=(input_dim, self.units),
                initializer=self.kernel_initializer,
                regularizer=self.kernel_regularizer,
                constraint=self.kernel_constraint,
            )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        bias = self.bias
        if inputs.dim() == 2 and bias is not None:
            outputs = torch.addmm(bias, inputs, self.kernel)
        else:
            # F.linear wants (out, in); kernel.T is a free view, so this is still one GEMM.
            outputs = F.linear(inputs, self.kernel.T, bias)
        if self._is_linear:
            return outputs
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": serialize_object(self.kernel_initializer),
                "bias_initializer": serialize_object(self.bias_initializer),
                "kernel_regularizer": serialize_object(self.kernel_regularizer),
                "bias_regularizer": serialize_object(self.bias_regularizer),
                "kernel_constraint": serialize_object(self.kernel_constraint),
                "bias_constraint": serialize_object(self.bias_constraint),
                "quantization_config": serialize_object(self.quantization_config),
            }
        )
        return config


class Activation(Layer):
    """Applies an activation function (by name or callable) to its input."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


class Identity(Layer):
    """Returns its input unchanged."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


class Dropout(Layer):
    """Sets a fraction `rate` of inputs to 0 during training, scaling the rest by 1/(1-rate).

    Args:
        rate: float in [0, 1), the fraction of inputs to drop.
        noise_shape: shape of the binary mask, broadcast over the input (None dims take
            the input's size), e.g. `(batch, 1, features)` to drop whole features.
        seed: random seed.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: "
                f"rate={rate}"
            )
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None:
            return F.dropout(inputs, self.rate, True)
        shape = tuple(inputs.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        keep = torch.rand(shape, device=inputs.device) >= self.rate
        return inputs * keep.to(inputs.dtype) / (1.0 - self.rate)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config


class Embedding(Layer):
    """Turns non-negative integer indices into dense vectors of size `output_dim`.

    Args:
        input_dim: vocabulary size (largest index + 1).
        output_dim: size of each embedding vector.
        embeddings_initializer: default `"uniform"` (U(-0.05, 0.05)).
        mask_zero: whether index 0 is padding to be masked out.

    Input shape: `(batch_size, ...)` integers. Output shape: `(batch_size, ..., output_dim)`.
    `quantize("int8" | "int4")` quantizes the embeddings (layers/quantized_embedding.py).
    """

    _quantization = EMBEDDING_QUANTIZATION

    def __init__(
        self,
        input_dim,
        output_dim,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero=False,
        weights=None,
        lora_rank=None,
        lora_alpha=None,
        quantization_config=None,
        **kwargs,
    ):
        if weights is not None:
            # Keras takes the embedding matrix alone or in a list; set once built.
            kwargs["weights"] = list(weights) if isinstance(weights, (list, tuple)) else [weights]
        super().__init__(**kwargs)
        reject_unsupported(self, lora_rank=lora_rank, lora_alpha=lora_alpha)
        self.quantization_config = quantization_config
        for argument, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"Both `input_dim` and `output_dim` should be positive integers. Received: {argument}={value!r}"
                )
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.autocast = False
        if weights is not None:
            self._maybe_build(None)  # as Keras: the given matrix is there before the first call

    def build(self, input_shape=None):
        mode = self.quantization_mode
        if mode is not None:
            self.quantized_build((self.input_dim, self.output_dim), mode)
        if mode not in ("int8", "int4"):
            self.embeddings = self.add_weight(
                name="embeddings",
                shape=(self.input_dim, self.output_dim),
                initializer=self.embeddings_initializer,
                regularizer=self.embeddings_regularizer,
                constraint=self.embeddings_constraint,
            )
        self.built = True

    def call(self, inputs):
        if inputs.dtype not in (torch.int64, torch.int32):
            inputs = inputs.long()
        return F.embedding(inputs, self.embeddings)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return inputs != 0

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def compute_output_spec(self, *args, **kwargs):
        inputs = args[0]
        mask = None
        if self.mask_zero:
            mask = KerasTensor(inputs.shape, "bool")
        return KerasTensor(
            self.compute_output_shape(inputs.shape), dtypes.standardize_dtype(self.compute_dtype), mask=mask
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": serialize_object(self.embeddings_initializer),
                "embeddings_regularizer": serialize_object(self.embeddings_regularizer),
                "activity_regularizer": serialize_object(self.activity_regularizer),
                "embeddings_constraint": serialize_object(self.embeddings_constraint),
                "mask_zero": self.mask_zero,
                "quantization_config": serialize_object(self.quantization_config),
            }
        )
        return config
