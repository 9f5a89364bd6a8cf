"""Convolution layers: Conv1D/2D/3D and Conv1D/2D/3DTranspose.

Kernels have Keras's shape, `kernel_size + (in_channels // groups, filters)` (transposed
convs: `kernel_size + (filters, in_channels)`), which is what `layer.kernel`, `get_weights`
and saved files show. Their *memory* is laid out the way torch reads it (`kernel_storage_order`):
the torch view `_torch_kernel()` of a channels-last layer's kernel is a `torch.channels_last`
tensor, so oneDNN / cuDNN use it as is instead of copying it on every call (and the
gradient comes back in the same layout, so the optimizer's element-wise updates run on
dense, matching strides). A channels-last batch reaches torch as a channels-first *view*
(`torch.channels_last` memory): no copy per call.
Keras's "same" padding pads the extra row/column at the end; when that is asymmetric
the input is padded explicitly (as TensorFlow does).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from keraslite import activations, constraints, initializers, regularizers
from keraslite.backend import state
from keraslite.graph import shape_inference
from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.core import serialize_object
from keraslite.layers.layer_arguments import standardize_data_format, standardize_tuple

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def conv_output_length(length, kernel_size, padding, stride, dilation=1):
    if length is None:
        return None
    effective = (kernel_size - 1) * dilation + 1
    if padding in ("same", "causal"):
        return (length + stride - 1) // stride
    return (length - effective + stride) // stride


def same_padding(length, kernel_size, stride, dilation):
    """(before, after) padding of TensorFlow's "same": the extra one goes after."""
    effective = (kernel_size - 1) * dilation + 1
    total = max((math.ceil(length / stride) - 1) * stride + effective - length, 0)
    return total // 2, total - total // 2


def deconv_output_length(length, kernel_size, padding, output_padding, stride, dilation=1):
    if length is None:
        return None
    kernel_size = kernel_size + (kernel_size - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(kernel_size - stride, 0)
        return length * stride
    pad = kernel_size // 2 if padding == "same" else 0
    return (length - 1) * stride + kernel_size - 2 * pad + output_padding


def kernel_storage_order(rank: int, data_format: str) -> tuple[int, ...]:
    """The order, outermost first, in which a Keras-shaped kernel `(*k, a, b)` is laid out in
    memory so that its torch view `(b, a, *k)` is what torch's convolutions read without a
    copy: `(b, *k, a)` (torch's channels_last) for channels-last layers, `(b, a, *k)`
    (contiguous) for channels-first ones. `a, b` are `in, out` (transposed: `out, in`)."""
    spatial = tuple(range(rank))
    if data_format == "channels_last":
        return (rank + 1, *spatial, rank)
    return (rank + 1, rank, *spatial)


def lay_out_in_memory(variable: torch.Tensor, order: tuple[int, ...]) -> None:
    """Re-lay `variable`'s storage, in place, so that `variable.permute(order)` is contiguous;
    its shape, values and identity (the Parameter object, what optimizers hold) stay the same.
    Copies (`assign`, optimizer updates, `.to()`, loading) then keep this layout.
    A layer built while a shape is inferred under fake tensors (a subclassed layer's `call`
    building its sublayers) re-lays its real weight for real: the fake copy would put a meta
    tensor under the Parameter."""
    inverse = tuple(sorted(range(len(order)), key=order.__getitem__))
    with shape_inference.real_tensors(), torch.no_grad():
        variable.data = variable.data.permute(order).contiguous().permute(inverse)


def to_channels_first(x, rank):
    """(B, *spatial, C) -> (B, C, *spatial) as a view."""
    return x.movedim(-1, 1)


def to_channels_last(x, rank):
    return x.movedim(1, -1)


class BaseConv(Layer):
    rank = 2
    transpose = False

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        # Transposed convolutions take `output_padding` (their own positional slot, see
        # _BaseConvTranspose); plain ones do not, as in Keras.
        output_padding = kwargs.pop("output_padding", None) if self.transpose else None
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = type(self).__name__
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(
                "Invalid value for argument `filters`. Expected a strictly positive value. Received "
                f"filters={filters!r}."
            )
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = standardize_tuple(strides, self.rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, self.rank, "dilation_rate")
        padding = padding.lower() if isinstance(padding, str) else padding
        allowed = ("valid", "same", "causal") if (self.rank == 1 and not self.transpose) else ("valid", "same")
        if padding not in allowed:
            raise ValueError(f"The `padding` argument of {cls} must be one of {allowed}. Received: padding={padding!r}")
        self.padding = padding
        self.output_padding = (
            None if output_padding is None else standardize_tuple(output_padding, self.rank, "output_padding")
        )
        self.data_format = standardize_data_format(data_format)
        self.groups = groups
        if filters % groups:
            raise ValueError(
                f"The number of filters must be evenly divisible by the number of groups. Received: groups={groups}, "
                f"filters={filters}."
            )
        if any(d != 1 for d in self.dilation_rate) and any(s != 1 for s in self.strides):
            raise ValueError(
                f"{cls}: `strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
                f"strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=self.rank + 2)
        self._channel_axis = -1 if self.data_format == "channels_last" else 1
        self._is_linear = self.activation is activations.linear

    def build(self, input_shape):
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}) needs a known channel dimension. Received: '
                f"input_shape={tuple(input_shape)}"
            )
        if channels % self.groups:
            raise ValueError(
                f'Layer "{self.name}": the number of input channels must be evenly divisible by the number '
                f"of groups. Received groups={self.groups}, but the input has {channels} channels (full input shape "
                f"is {tuple(input_shape)})."
            )
        if self.transpose:
            kernel_shape = self.kernel_size + (self.filters, channels)
        else:
            kernel_shape = self.kernel_size + (channels // self.groups, self.filters)
        self.kernel = self.add_weight(
            name="kernel",
            shape=kernel_shape,
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        lay_out_in_memory(self.kernel, kernel_storage_order(self.rank, self.data_format))
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def _torch_kernel(self):
        # Keras (*k, in, out) -> torch (out, in, *k); transposed: (*k, out, in) -> (in, out, *k).
        return self.kernel.permute(self.rank + 1, self.rank, *range(self.rank))

    def _explicit_padding(self, spatial_shape):
        """Per-dim (before, after) pads for this input, or None for "valid"."""
        if self.padding == "valid":
            return None
        if self.padding == "causal":
            return [((self.kernel_size[0] - 1) * self.dilation_rate[0], 0)]
        return [
            same_padding(n, k, s, d)
            for n, k, s, d in zip(spatial_shape, self.kernel_size, self.strides, self.dilation_rate)
        ]

    def call(self, inputs):
        x = to_channels_first(inputs, self.rank) if self.data_format == "channels_last" else inputs
        if self.transpose:
            y = self._conv_transpose(x)
        else:
            pads = self._explicit_padding(x.shape[2:])
            padding = 0
            if pads is not None:
                if all(before == after for before, after in pads):
                    padding = tuple(before for before, _ in pads)
                else:
                    flat = []
                    for before, after in reversed(pads):
                        flat += [before, after]
                    x = F.pad(x, flat)
            y = _CONV[self.rank](
                x, self._torch_kernel(), self.bias, self.strides, padding, self.dilation_rate, self.groups
            )
        y = self._activate(y)
        return to_channels_last(y, self.rank) if self.data_format == "channels_last" else y

    def _activate(self, y):
        """The activation on the convolution's fresh output. relu runs in place: the output
        is ours alone and the convolution's backward does not read it, and the layer's input
        is still alive here (the caller holds it), so an out-of-place relu would hold three
        activations at once (input, pre-activation, output) where torch code that calls
        `relu(conv(x))` outside the conv holds two: +50% peak memory for large batches.
        tf.keras 2's relu (NaN -> 0) stays out of place."""
        if self._is_linear:
            return y
        if self.activation is activations.relu and state.dialect() != "tf2":
            return torch.relu_(y)
        return self.activation(y)

    def _conv_transpose(self, x):
        spatial = x.shape[2:]
        crops, output_padding = [], []
        for n, k, s, d, op in zip(
            spatial, self.kernel_size, self.strides, self.dilation_rate, self.output_padding or (None,) * self.rank
        ):
            target = deconv_output_length(n, k, self.padding, op, s, d)
            full = (n - 1) * s + (k - 1) * d + 1
            if op is None:
                before = (full - target) // 2 if self.padding == "same" else 0
                before = max(before, 0)
            else:
                before = ((k - 1) * d + 1) // 2 if self.padding == "same" else 0
            after = full - target - before  # may be negative: torch's output_padding adds it
            crops.append((before, after, target))
        torch_padding = tuple(min(before, max(after, 0)) for before, after, _ in crops)
        output_padding = tuple(
            max(0, -(after - p)) if after < p else 0 for (before, after, _), p in zip(crops, torch_padding)
        )
        y = _CONV_TRANSPOSE[self.rank](
            x,
            self._torch_kernel(),
            self.bias,
            self.strides,
            torch_padding,
            output_padding,
            self.groups,
            self.dilation_rate,
        )
        # Asymmetric crops that torch's symmetric padding cannot express: slice the rest.
        slices = [slice(None), slice(None)]
        needs_slice = False
        for (before, after, target), p, size in zip(crops, torch_padding, y.shape[2:]):
            start = before - p
            if start != 0 or size != target:
                needs_slice = True
            slices.append(slice(start, start + target))
        return y[tuple(slices)] if needs_slice else y

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.data_format == "channels_last":
            spatial = input_shape[1:-1]
        else:
            spatial = input_shape[2:]
        if self.transpose:
            out = [
                deconv_output_length(n, k, self.padding, op, s, d)
                for n, k, s, d, op in zip(
                    spatial,
                    self.kernel_size,
                    self.strides,
                    self.dilation_rate,
                    self.output_padding or (None,) * self.rank,
                )
            ]
        else:
            out = [
                conv_output_length(n, k, self.padding, s, d)
                for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate)
            ]
        for size in out:
            if size is not None and size <= 0:
                raise ValueError(
                    f'Layer "{self.name}" ({type(self).__name__}): computed output size would be negative or zero '
                    f"for input shape {input_shape} with kernel_size={self.kernel_size}, strides={self.strides}, "
                    f"padding={self.padding!r}, dilation_rate={self.dilation_rate}. Use a smaller kernel or "
                    "padding='same'."
                )
        if self.data_format == "channels_last":
            return (input_shape[0],) + tuple(out) + (self.filters,)
        return (input_shape[0], self.filters) + tuple(out)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "groups": self.groups,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": serialize_object(self.kernel_initializer),
                "bias_initializer": serialize_object(self.bias_initializer),
                "kernel_regularizer": serialize_object(self.kernel_regularizer),
                "bias_regularizer": serialize_object(self.bias_regularizer),
                "activity_regularizer": serialize_object(self.activity_regularizer),
                "kernel_constraint": serialize_object(self.kernel_constraint),
                "bias_constraint": serialize_object(self.bias_constraint),
            }
        )
        if self.transpose:
            config["output_padding"] = self.output_padding
            config.pop("groups")
        return config


class Conv1D(BaseConv):
    """1D convolution over `(batch, steps, channels)`; `padding` may be "causal"."""

    rank = 1


class Conv2D(BaseConv):
    """2D convolution over `(batch, height, width, channels)` (or channels_first).

    Args:
        filters: number of output channels.
        kernel_size: int or (height, width).
        strides, dilation_rate: int or pair; padding: "valid" or "same"; groups.
        activation, use_bias, *_initializer, *_regularizer, *_constraint: as Dense.
    """

    rank = 2


class Conv3D(BaseConv):
    rank = 3


class _BaseConvTranspose(BaseConv):
    transpose = True

    # Keras's positional order for transposed convolutions: `output_padding` comes
    # before `data_format`, and there is no `groups`.
    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            output_padding=output_padding,
            **kwargs,
        )


class Conv1DTranspose(_BaseConvTranspose):
    rank = 1


class Conv2DTranspose(_BaseConvTranspose):
    """Transposed 2D convolution (the reverse of Conv2D's shape change); kernel
    `(kh, kw, filters, in_channels)` as in Keras."""

    rank = 2


class Conv3DTranspose(_BaseConvTranspose):
    """Transposed 3D convolution. As in Keras, its positional order differs from the
    1D/2D ones: `data_format` comes before `output_padding`."""

    rank = 3

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        output_padding=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            output_padding=output_padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
