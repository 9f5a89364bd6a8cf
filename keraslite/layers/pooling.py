"""Pooling layers: Max/Average Pooling 1D/2D/3D and the global poolings.

Channels-last batches reach torch as channels-first views, as for convolutions.
"same" padding follows TensorFlow: max pooling ignores the padded positions, average
pooling divides by the number of real positions.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.conv import conv_output_length, same_padding
from keraslite.layers.layer_arguments import standardize_data_format, standardize_tuple
from keraslite.ops.nn_conv import adaptive_average_pool, adaptive_max_pool

_MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


class _Pooling(Layer):
    rank = 2
    mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = standardize_tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else standardize_tuple(strides, self.rank, "strides")
        padding = padding.lower()
        if padding not in ("valid", "same"):
            raise ValueError(f"The `padding` argument must be one of 'valid', 'same'. Received: padding={padding!r}")
        self.padding = padding
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def call(self, inputs):
        x = inputs.movedim(-1, 1) if self.data_format == "channels_last" else inputs
        padding = 0
        if self.padding == "same":
            pads = [same_padding(n, k, s, 1) for n, k, s in zip(x.shape[2:], self.pool_size, self.strides)]
            if all(b == a for b, a in pads) and all(b <= k // 2 for (b, _), k in zip(pads, self.pool_size)):
                padding = tuple(b for b, _ in pads)
            else:
                flat = []
                for before, after in reversed(pads):
                    flat += [before, after]
                if self.mode == "max":
                    x = F.pad(x, flat, value=float("-inf"))
                else:
                    ones = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype, device=x.device)
                    counts = _AVG[self.rank](F.pad(ones, flat), self.pool_size, self.strides)
                    sums = _AVG[self.rank](F.pad(x, flat), self.pool_size, self.strides)
                    y = sums / counts
                    return y.movedim(1, -1) if self.data_format == "channels_last" else y
        if self.mode == "max":
            y = _MAX[self.rank](x, self.pool_size, self.strides, padding)
        else:
            y = _AVG[self.rank](x, self.pool_size, self.strides, padding, count_include_pad=False)
        return y.movedim(1, -1) if self.data_format == "channels_last" else y

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        out = tuple(conv_output_length(n, k, self.padding, s) for n, k, s in zip(spatial, self.pool_size, self.strides))
        for size in out:
            if size is not None and size <= 0:
                raise ValueError(
                    f'Layer "{self.name}" ({type(self).__name__}): the pool_size {self.pool_size} is larger than '
                    f"the input {input_shape}; the output would be empty. Use padding='same' or a smaller pool_size."
                )
        if self.data_format == "channels_last":
            return (input_shape[0],) + out + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + out

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "pool_size": self.pool_size,
                "padding": self.padding,
                "strides": self.strides,
                "data_format": self.data_format,
            }
        )
        return config


class MaxPooling1D(_Pooling):
    rank, mode = 1, "max"


class MaxPooling2D(_Pooling):
    """Max over `pool_size` windows moved by `strides` (default: pool_size)."""

    rank, mode = 2, "max"


class MaxPooling3D(_Pooling):
    rank, mode = 3, "max"


class AveragePooling1D(_Pooling):
    rank, mode = 1, "average"


class AveragePooling2D(_Pooling):
    """Average over `pool_size` windows moved by `strides` (default: pool_size)."""

    rank, mode = 2, "average"


class AveragePooling3D(_Pooling):
    rank, mode = 3, "average"


class _GlobalPooling(Layer):
    rank = 2
    mode = "max"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=self.rank + 2)
        # As Keras 3: only GlobalAveragePooling1D consumes a mask; GlobalMaxPooling1D ignores it.
        self.supports_masking = self.rank == 1 and self.mode == "average"
        self.built = True

    def _axes(self):
        start = 1 if self.data_format == "channels_last" else 2
        return tuple(range(start, start + self.rank))

    def call(self, inputs, mask=None):
        axes = self._axes()
        if mask is not None and self.supports_masking:
            mask = mask.to(inputs.dtype)
            mask = mask.unsqueeze(-1) if self.data_format == "channels_last" else mask.unsqueeze(1)
            return torch.sum(inputs * mask, dim=axes, keepdim=self.keepdims) / torch.sum(
                mask, dim=axes, keepdim=self.keepdims
            )
        if self.mode == "max":
            return torch.amax(inputs, dim=axes, keepdim=self.keepdims)
        return torch.mean(inputs, dim=axes, keepdim=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalMaxPooling1D(_GlobalPooling):
    rank, mode = 1, "max"


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over the spatial dimensions: (batch, h, w, c) -> (batch, c)."""

    rank, mode = 2, "max"


class GlobalMaxPooling3D(_GlobalPooling):
    rank, mode = 3, "max"


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over time (respecting a mask): (batch, steps, features) -> (batch, features)."""

    rank, mode = 1, "average"


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over the spatial dimensions: (batch, h, w, c) -> (batch, c)."""

    rank, mode = 2, "average"


class GlobalAveragePooling3D(_GlobalPooling):
    rank, mode = 3, "average"


class _AdaptivePooling(Layer):
    """Pooling to a fixed spatial `output_size`, whatever the input's size (torch's
    adaptive pools: window `i` spans `[floor(i * n / out), ceil((i + 1) * n / out))`)."""

    rank = 2
    mode = "average"

    def __init__(self, output_size, data_format=None, **kwargs):
        cls = type(self).__name__
        if isinstance(output_size, int) and not isinstance(output_size, bool):
            output_size = (output_size,) * self.rank
        elif isinstance(output_size, (tuple, list)) and len(output_size) == self.rank:
            output_size = tuple(output_size)
        else:
            raise TypeError(
                f"{cls}: `output_size` must be an integer or a tuple of {self.rank} integers. "
                f"Received: output_size={output_size!r}"
            )
        if not all(isinstance(n, int) and n > 0 for n in output_size):
            raise ValueError(f"{cls}: `output_size` entries must be positive integers. Received: {output_size!r}")
        super().__init__(**kwargs)
        self.output_size = output_size
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def call(self, inputs):
        if self.mode == "max":
            return adaptive_max_pool(inputs, self.output_size, self.data_format)
        return adaptive_average_pool(inputs, self.output_size, self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0],) + self.output_size + (input_shape[-1],)
        return (input_shape[0], input_shape[1]) + self.output_size

    def get_config(self):
        config = super().get_config()
        config.update({"output_size": self.output_size, "data_format": self.data_format})
        return config


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """Average pooling of `(batch, steps, channels)` to `output_size` steps."""

    rank, mode = 1, "average"


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """Average pooling of `(batch, height, width, channels)` to `output_size` (h, w)."""

    rank, mode = 2, "average"


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """Average pooling of 3D volumes to `output_size` (depth, height, width)."""

    rank, mode = 3, "average"


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """Max pooling of `(batch, steps, channels)` to `output_size` steps."""

    rank, mode = 1, "max"


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """Max pooling of `(batch, height, width, channels)` to `output_size` (h, w)."""

    rank, mode = 2, "max"


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """Max pooling of 3D volumes to `output_size` (depth, height, width)."""

    rank, mode = 3, "max"
