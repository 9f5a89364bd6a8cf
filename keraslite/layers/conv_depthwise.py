"""Depthwise and separable convolutions: DepthwiseConv1D/2D, SeparableConv1D/2D.

Kernels keep Keras's shape: a depthwise kernel is `kernel_size + (in_channels,
depth_multiplier)`, a pointwise kernel `(1,) * rank + (in_channels * depth_multiplier,
filters)`; their memory is laid out the way torch reads them (`_depthwise_storage_order`),
so that no call copies them. Both run as torch grouped convolutions (`groups=in_channels`) on channels-first
views of channels-last inputs; output channel `c * depth_multiplier + m` comes from input
channel `c`, as in Keras.
"""

from __future__ import annotations

import torch.nn.functional as F

from keraslite import activations, constraints, initializers, regularizers
from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.conv import conv_output_length, kernel_storage_order, same_padding
from keraslite.layers.core import serialize_object
from keraslite.layers.layer_arguments import standardize_data_format, standardize_tuple
from keraslite.layers.memory_layout import lay_out_in_memory

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


class _BaseDepthwise(Layer):
    """Shared by the depthwise and separable layers (`separable` adds the pointwise step)."""

    rank = 2
    separable = False

    def __init__(
        self,
        filters=None,
        kernel_size=None,
        strides=1,
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.filters = filters
        self.depth_multiplier = depth_multiplier
        self.kernel_size = standardize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = standardize_tuple(strides, self.rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, self.rank, "dilation_rate")
        padding = padding.lower() if isinstance(padding, str) else padding
        if padding not in ("valid", "same"):
            raise ValueError(
                f"The `padding` argument must be a list/tuple or one of {{'valid', 'same'}}. Received: {padding}"
            )
        self.padding = padding
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=self.rank + 2)
        if depth_multiplier is None or depth_multiplier <= 0:
            raise ValueError(
                "Invalid value for argument `depth_multiplier`. Expected a strictly positive value. Received "
                f"depth_multiplier={depth_multiplier}."
            )
        if self.separable and (filters is None or filters <= 0):
            raise ValueError(
                f"Invalid value for argument `filters`. Expected a strictly positive value. Received filters={filters}."
            )
        if not all(self.kernel_size):
            raise ValueError(f"The argument `kernel_size` cannot contain 0. Received: kernel_size={self.kernel_size}.")
        if not all(self.strides):
            raise ValueError(f"The argument `strides` cannot contains 0(s). Received: strides={self.strides}")
        self._channel_axis = -1 if self.data_format == "channels_last" else 1
        self._is_linear = self.activation is activations.linear

    def build(self, input_shape):
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}) needs a known channel dimension. Received: '
                f"input_shape={tuple(input_shape)}"
            )
        self.compute_output_shape(input_shape)  # validates the spatial sizes
        depthwise_shape = self.kernel_size + (channels, self.depth_multiplier)
        out_channels = channels * self.depth_multiplier
        if self.separable:
            self.depthwise_kernel = self.add_weight(
                name="depthwise_kernel",
                shape=depthwise_shape,
                initializer=self.depthwise_initializer,
                regularizer=self.depthwise_regularizer,
                constraint=self.depthwise_constraint,
            )
            self.pointwise_kernel = self.add_weight(
                name="pointwise_kernel",
                shape=(1,) * self.rank + (out_channels, self.filters),
                initializer=self.pointwise_initializer,
                regularizer=self.pointwise_regularizer,
                constraint=self.pointwise_constraint,
            )
            lay_out_in_memory(self.depthwise_kernel, self._depthwise_storage_order())
            lay_out_in_memory(self.pointwise_kernel, kernel_storage_order(self.rank, "channels_last"))
            out_channels = self.filters
        else:
            self.kernel = self.add_weight(
                name="kernel",
                shape=depthwise_shape,
                initializer=self.depthwise_initializer,
                regularizer=self.depthwise_regularizer,
                constraint=self.depthwise_constraint,
            )
            lay_out_in_memory(self.kernel, self._depthwise_storage_order())
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(out_channels,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def _depthwise_storage_order(self) -> tuple[int, ...]:
        """A depthwise kernel `(*k, in, mult)` lies in memory as `(in, mult, *k)`: its torch view
        `(in * mult, 1, *k)` is then contiguous, which is also channels_last for one input
        channel per group, so torch's convolutions read it without a copy in either format.
        (A pointwise kernel `(1, ..., 1, in * mult, filters)` lies as torch's channels_last
        `(filters, 1, ..., 1, in * mult)`, as Conv's kernels do.)"""
        return (self.rank, self.rank + 1, *range(self.rank))

    def _depthwise_torch_kernel(self, kernel):
        # Keras (*k, in, mult) -> torch (in * mult, 1, *k): a view, no copy.
        channels = kernel.shape[-2] * kernel.shape[-1]
        return kernel.reshape(self.kernel_size + (1, channels)).permute(self.rank + 1, self.rank, *range(self.rank))

    def call(self, inputs):
        x = inputs.movedim(-1, 1) if self.data_format == "channels_last" else inputs
        channels = x.shape[1]
        padding = 0
        if self.padding == "same":
            pads = [
                same_padding(n, k, s, d)
                for n, k, s, d in zip(x.shape[2:], self.kernel_size, self.strides, self.dilation_rate)
            ]
            if all(before == after for before, after in pads):
                padding = tuple(before for before, _ in pads)
            else:
                flat = []
                for before, after in reversed(pads):
                    flat += [before, after]
                x = F.pad(x, flat)
        conv = _CONV[self.rank]
        if self.separable:
            y = conv(
                x,
                self._depthwise_torch_kernel(self.depthwise_kernel),
                None,
                self.strides,
                padding,
                self.dilation_rate,
                channels,
            )
            pointwise = self.pointwise_kernel.reshape(self.pointwise_kernel.shape[-2:]).T
            y = conv(y, pointwise.reshape(pointwise.shape + (1,) * self.rank), self.bias)
        else:
            y = conv(
                x,
                self._depthwise_torch_kernel(self.kernel),
                self.bias,
                self.strides,
                padding,
                self.dilation_rate,
                channels,
            )
        if not self._is_linear:
            y = self.activation(y)
        return y.movedim(1, -1) if self.data_format == "channels_last" else y

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = input_shape[1:-1] if self.data_format == "channels_last" else input_shape[2:]
        channels = input_shape[self._channel_axis]
        out_channels = (
            self.filters if self.separable else (None if channels is None else channels * self.depth_multiplier)
        )
        out = [
            conv_output_length(n, k, self.padding, s, d)
            for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate)
        ]
        for size in out:
            if size is not None and size <= 0:
                raise ValueError(
                    f"Computed output size would be negative. Received `inputs shape={input_shape}`, "
                    f"`kernel shape={self.kernel_size}`, `dilation_rate={self.dilation_rate}`."
                )
        if self.data_format == "channels_last":
            return (input_shape[0],) + tuple(out) + (out_channels,)
        return (input_shape[0], out_channels) + tuple(out)

    def get_config(self):
        config = super().get_config()
        config.update({"depth_multiplier": self.depth_multiplier})
        if self.separable:
            config["filters"] = self.filters
        config.update(
            {
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "depthwise_initializer": serialize_object(self.depthwise_initializer),
                "bias_initializer": serialize_object(self.bias_initializer),
                "depthwise_regularizer": serialize_object(self.depthwise_regularizer),
                "bias_regularizer": serialize_object(self.bias_regularizer),
                "activity_regularizer": serialize_object(self.activity_regularizer),
                "depthwise_constraint": serialize_object(self.depthwise_constraint),
                "bias_constraint": serialize_object(self.bias_constraint),
            }
        )
        if self.separable:
            config.update(
                {
                    "pointwise_initializer": serialize_object(self.pointwise_initializer),
                    "pointwise_regularizer": serialize_object(self.pointwise_regularizer),
                    "pointwise_constraint": serialize_object(self.pointwise_constraint),
                }
            )
        return config


class _Depthwise(_BaseDepthwise):
    def __init__(
        self,
        kernel_size,
        strides=1,
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            None,
            kernel_size,
            strides=strides,
            padding=padding,
            depth_multiplier=depth_multiplier,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


class _Separable(_BaseDepthwise):
    separable = True

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            depth_multiplier=depth_multiplier,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


class DepthwiseConv1D(_Depthwise):
    """Depthwise 1D convolution: each input channel is convolved with its own
    `depth_multiplier` filters. Input `(batch, steps, channels)`; output channels
    `channels * depth_multiplier`. Kernel `(kernel_size, channels, depth_multiplier)`.

    Args:
        kernel_size, strides, padding ("valid"/"same"), depth_multiplier, data_format,
        dilation_rate, activation, use_bias, depthwise_/bias_ initializer, regularizer,
        constraint.
    """

    rank = 1


class DepthwiseConv2D(_Depthwise):
    """Depthwise 2D convolution (as in MobileNet): each input channel is convolved with its
    own `depth_multiplier` filters. Kernel `(kh, kw, channels, depth_multiplier)`.

    Args:
        kernel_size, strides, padding ("valid"/"same"), depth_multiplier, data_format,
        dilation_rate, activation, use_bias, depthwise_/bias_ initializer, regularizer,
        constraint.
    """

    rank = 2


class SeparableConv1D(_Separable):
    """Depthwise 1D convolution followed by a pointwise (1-wide) convolution to `filters`.

    Args:
        filters, kernel_size, strides, padding, data_format, dilation_rate,
        depth_multiplier, activation, use_bias, depthwise_/pointwise_/bias_ initializer,
        regularizer, constraint.
    """

    rank = 1


class SeparableConv2D(_Separable):
    """Depthwise 2D convolution followed by a pointwise (1x1) convolution to `filters`.
    Weights `depthwise_kernel (kh, kw, in, mult)`, `pointwise_kernel (1, 1, in*mult,
    filters)`, `bias (filters,)`.

    Args:
        filters, kernel_size, strides, padding, data_format, dilation_rate,
        depth_multiplier, activation, use_bias, depthwise_/pointwise_/bias_ initializer,
        regularizer, constraint.
    """

    rank = 2
