"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax (with mask)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from keraslite import activations, constraints, initializers, regularizers
from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.core import serialize_object


class _ElementwiseActivation(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape


class ReLU(_ElementwiseActivation):
    """Rectified linear unit: `x` above `threshold` (clipped at `max_value`),
    `negative_slope * (x - threshold)` below it.

    Args:
        max_value: upper bound of the output (None: unbounded); must be >= 0.
        negative_slope: slope below the threshold (default 0); must be >= 0.
        threshold: where the unit switches on (default 0); must be >= 0.
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. Received: max_value={max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(
                "negative_slope of a ReLU layer cannot be None or a negative value. Received: "
                f"negative_slope={negative_slope}"
            )
        if threshold is None or threshold < 0.0:
            raise ValueError(
                f"threshold of a ReLU layer cannot be None or a negative value. Received: threshold={threshold}"
            )
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs):
        if self.negative_slope == 0 and self.threshold == 0:
            if self.max_value is None:
                return torch.relu(inputs)
            if self.max_value == 6:
                return F.relu6(inputs)
            return torch.clamp(inputs, 0.0, self.max_value)
        return activations.relu(
            inputs, negative_slope=self.negative_slope, max_value=self.max_value, threshold=self.threshold
        )

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope, "threshold": self.threshold})
        return config


class LeakyReLU(_ElementwiseActivation):
    """`x` for positive inputs, `negative_slope * x` otherwise (default slope 0.3, as Keras 3).

    Args:
        negative_slope: slope for negative inputs, >= 0 (`alpha` is its deprecated name).
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(
                "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. Expected a float. "
                f"Received: negative_slope={negative_slope}"
            )
        self.negative_slope = negative_slope

    def call(self, inputs):
        return F.leaky_relu(inputs, self.negative_slope)

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config


class ELU(_ElementwiseActivation):
    """Exponential linear unit: `x` if positive, else `alpha * (exp(x) - 1)`.

    Args:
        alpha: scale of the negative part (default 1.0).
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        return F.elu(inputs, self.alpha)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class PReLU(Layer):
    """Leaky ReLU with a learned slope `alpha` per input position.

    Args:
        alpha_initializer: default "Zeros".
        alpha_regularizer, alpha_constraint: for the weights.
        shared_axes: axes (1-based, the batch axis being 0) along which one slope is
            shared, e.g. `[1, 2]` for one slope per channel of an image.

    Input shape: any. Output shape: same as input. Weight `alpha`: `input_shape[1:]`
    with the shared axes set to 1.
    """

    def __init__(
        self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            param_shape[axis - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(
                f'Layer "{self.name}" (PReLU) needs known sizes on the non-shared axes. Received: '
                f"input_shape={tuple(input_shape)}, shared_axes={self.shared_axes}"
            )
        self.alpha = self.add_weight(
            name="alpha",
            shape=param_shape,
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        axes = {i: input_shape[i] for i in range(1, len(input_shape)) if i not in (self.shared_axes or ())}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        return torch.relu(inputs) - self.alpha * torch.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "alpha_initializer": serialize_object(self.alpha_initializer),
                "alpha_regularizer": serialize_object(self.alpha_regularizer),
                "alpha_constraint": serialize_object(self.alpha_constraint),
                "shared_axes": self.shared_axes,
            }
        )
        return config


def large_negative_number(dtype: torch.dtype) -> float:
    """The value that masks a logit out before a softmax (Keras's choice per dtype)."""
    return -3e4 if dtype == torch.float16 else -1e9


class Softmax(_ElementwiseActivation):
    """Softmax over `axis` (an int or a list of axes); masked-out positions (mask False)
    get probability 0.

    Args:
        axis: axis or axes to normalize over (default -1).

    Call arguments:
        inputs: logits. mask: boolean (or 0/1) tensor broadcastable to the inputs.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            if mask.ndim > inputs.ndim:
                raise ValueError(
                    "The `mask` must be broadcastable to `inputs` and must not have more dimensions. Received: "
                    f"inputs.shape={tuple(inputs.shape)}, mask.shape={tuple(mask.shape)}"
                )
            for m_dim, i_dim in zip(reversed(mask.shape), reversed(inputs.shape)):
                if m_dim != 1 and m_dim != i_dim:
                    raise ValueError(
                        "The `mask` must be broadcastable to `inputs`. Each mask dimension must be 1 or match the "
                        f"corresponding input dimension. Received: inputs.shape={tuple(inputs.shape)}, "
                        f"mask.shape={tuple(mask.shape)}"
                    )
            if mask.dtype != torch.bool:
                mask = mask > 0.5
            inputs = torch.where(mask, inputs, large_negative_number(inputs.dtype))
        if isinstance(self.axis, (list, tuple)) and len(self.axis) > 1:
            outputs = torch.exp(inputs - torch.logsumexp(inputs, dim=tuple(self.axis), keepdim=True))
        else:
            axis = self.axis[0] if isinstance(self.axis, (list, tuple)) else self.axis
            outputs = torch.softmax(inputs, dim=axis)
        if mask is not None:
            outputs = torch.where(mask, outputs, 0.0)
        return outputs

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
