"""ConvLSTM1D/2D/3D: LSTMs whose input and recurrent transformations are convolutions.

Keras layout: `kernel kernel_size + (in_channels, 4*filters)`, `recurrent_kernel
kernel_size + (filters, 4*filters)`, `bias (4*filters,)`, gates i, f, c, o. The input
convolution runs once over all time steps (time folded into the batch); only the
recurrent "same" convolution runs per step. Inside the loop the states are channels-first
(torch's conv layout); they are returned in the layer's data format.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from keraslite import activations, constraints, initializers, regularizers
from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.conv import conv_output_length, same_padding
from keraslite.layers.core import serialize_object
from keraslite.layers.layer_arguments import standardize_data_format, standardize_tuple
from keraslite.layers.rnn.base import DropoutRNNCell
from keraslite.layers.rnn.builtin import BuiltinRNN

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


class ConvLSTMCell(DropoutRNNCell, Layer):
    """One ConvLSTM step over `(batch, *spatial, channels)` (channels_last) inputs.

    Args:
        rank: 1, 2 or 3. filters: output channels. kernel_size, strides, padding
        ("valid"/"same"), data_format, dilation_rate: as the input convolution of ConvND.
        Other arguments as `LSTMCell`.
    """

    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.rank = rank
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.padding = padding.lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"The `padding` argument must be one of 'valid', 'same'. Received: padding={padding}")
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.seed = seed
        self.state_size = -1  # known once built (depends on the spatial input shape)
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape):
        channels_last = self.data_format == "channels_last"
        self.spatial_dims = tuple(input_shape[1:-1] if channels_last else input_shape[2:])
        if None in self.spatial_dims:
            raise ValueError(
                "ConvLSTM layers only support static input shapes for the spatial dimension. Received invalid input "
                f"shape: input_shape={tuple(input_shape)}"
            )
        input_dim = input_shape[-1] if channels_last else input_shape[1]
        self.input_dim = input_dim
        self.kernel = self.add_weight(
            shape=self.kernel_size + (input_dim, 4 * self.filters),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, 4 * self.filters),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:
                filters, base = self.filters, self.bias_initializer

                def initializer(shape, dtype=None):
                    return torch.cat(
                        [
                            torch.as_tensor(base((filters,), dtype)),
                            torch.ones(filters),
                            torch.as_tensor(base((2 * filters,), dtype)),
                        ]
                    )

            self.bias = self.add_weight(
                shape=(4 * self.filters,),
                name="bias",
                initializer=initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    def _torch_kernel(self, kernel):
        # Keras (k..., in, out) -> torch (out, in, k...): a permuted view.
        return kernel.permute(self.rank + 1, self.rank, *range(self.rank))

    def output_spatial(self, spatial):
        return tuple(
            conv_output_length(n, k, self.padding, s, d)
            for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate)
        )

    def project(self, x):
        """Input convolution of channels-first `(N, C, *spatial)` -> `(N, 4f, *out)`."""
        padding = 0
        if self.padding == "same":
            pads = [
                same_padding(n, k, s, d)
                for n, k, s, d in zip(x.shape[2:], self.kernel_size, self.strides, self.dilation_rate)
            ]
            if all(a == b for a, b in pads):
                padding = tuple(a for a, _ in pads)
            else:
                x = F.pad(x, [p for pair in reversed(pads) for p in pair])
        return _CONV[self.rank](
            x, self._torch_kernel(self.kernel), self.bias, self.strides, padding, self.dilation_rate
        )

    def recurrent_conv(self, h):
        pads = [((k - 1) // 2, k - 1 - (k - 1) // 2) for k in self.kernel_size]
        if all(a == b for a, b in pads):
            return _CONV[self.rank](h, self._torch_kernel(self.recurrent_kernel), None, 1, tuple(a for a, _ in pads))
        return _CONV[self.rank](
            F.pad(h, [p for pair in reversed(pads) for p in pair]), self._torch_kernel(self.recurrent_kernel)
        )

    def step(self, projected, states, recurrent_mask=None):
        """One step, channels-first: projected `(N, 4f, *sp)`, states `[h, c]` `(N, f, *sp)`."""
        h, c = states
        h_in = h * recurrent_mask if recurrent_mask is not None else h
        z = projected + self.recurrent_conv(h_in)
        i, f, g, o = z.chunk(4, dim=1)
        c = self.recurrent_activation(f) * c + self.recurrent_activation(i) * self.activation(g)
        h = self.recurrent_activation(o) * self.activation(c)
        return h, [h, c]

    def call(self, inputs, states, training=False):
        channels_last = self.data_format == "channels_last"
        if training and 0.0 < self.dropout < 1.0:
            inputs = inputs * self.get_dropout_mask(inputs)
        x = inputs.movedim(-1, 1) if channels_last else inputs
        states = [s.movedim(-1, 1) if channels_last else s for s in states]
        mask = self.get_recurrent_dropout_mask(states[0]) if training and 0.0 < self.recurrent_dropout < 1.0 else None
        h, (h, c) = self.step(self.project(x), states, mask)
        if channels_last:
            h, c = h.movedim(1, -1), c.movedim(1, -1)
        return h, [h, c]

    def state_shape(self, batch_size):
        spatial = self.output_spatial(self.spatial_dims)
        return (
            (batch_size,) + spatial + (self.filters,)
            if self.data_format == "channels_last"
            else (batch_size, self.filters) + spatial
        )

    def get_initial_state(self, batch_size=None):
        shape = self.state_shape(batch_size)
        return [
            torch.zeros(shape, dtype=self._compute_torch_dtype),
            torch.zeros(shape, dtype=self._compute_torch_dtype),
        ]

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
                "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "use_bias": self.use_bias,
                "unit_forget_bias": self.unit_forget_bias,
            }
        )
        for name in (
            "kernel_initializer",
            "recurrent_initializer",
            "bias_initializer",
            "kernel_regularizer",
            "recurrent_regularizer",
            "bias_regularizer",
            "kernel_constraint",
            "recurrent_constraint",
            "bias_constraint",
        ):
            config[name] = serialize_object(getattr(self, name))
        config.update({"dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout, "seed": self.seed})
        return config


class ConvLSTM(BuiltinRNN):
    """Base of ConvLSTM1D/2D/3D: inputs `(batch, time, *spatial, channels)` (channels_last)
    or `(batch, time, channels, *spatial)`. Arguments as ConvND plus LSTM's."""

    rank = 2

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        **kwargs,
    ):
        cell = ConvLSTMCell(
            self.rank,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            name="conv_lstm_cell",
            **self.split_kwargs(kwargs),
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = InputSpec(ndim=self.rank + 3)

    def build(self, sequences_shape, initial_state_shape=None):
        self.cell._maybe_build((sequences_shape[0],) + tuple(sequences_shape[2:]))
        self.input_spec = InputSpec(ndim=self.rank + 3, shape=(None,) + tuple(sequences_shape[1:]))
        self.built = True

    def can_fuse(self) -> bool:
        return False

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        cell = self.cell
        channels_last = cell.data_format == "channels_last"
        spatial = tuple(sequences_shape[2:-1] if channels_last else sequences_shape[3:])
        out_spatial = cell.output_spatial(spatial)
        step = out_spatial + (cell.filters,) if channels_last else (cell.filters,) + out_spatial
        batch = sequences_shape[0]
        output = (batch, sequences_shape[1]) + step if self.return_sequences else (batch,) + step
        if self.return_state:
            return (output, (batch,) + step, (batch,) + step)
        return output

    def compute_mask(self, inputs, mask=None):
        mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        output_mask = mask if self.return_sequences else None
        return [output_mask, None, None] if self.return_state else output_mask

    def get_initial_state(self, batch_size):
        return self.cell.get_initial_state(batch_size)

    def _zero_states(self, sequences):
        shape = self.cell.state_shape(sequences.shape[0])
        return [sequences.new_zeros(shape), sequences.new_zeros(shape)]

    def inner_loop(self, sequences, states, mask, training):
        cell = self.cell
        channels_last = cell.data_format == "channels_last"
        batch, steps = sequences.shape[0], sequences.shape[1]
        if training and 0.0 < cell.dropout < 1.0:
            sequences = sequences * cell.get_dropout_mask(sequences[:, 0]).unsqueeze(1)
        folded = sequences.reshape((batch * steps,) + tuple(sequences.shape[2:]))
        projected = cell.project(folded.movedim(-1, 1) if channels_last else folded)
        projected = projected.view((batch, steps) + tuple(projected.shape[1:]))
        states = [s.movedim(-1, 1) if channels_last else s for s in states]
        rec_mask = (
            cell.get_recurrent_dropout_mask(states[0]) if training and 0.0 < cell.recurrent_dropout < 1.0 else None
        )
        last, outputs, states = self._step_loop(projected, states, mask, lambda xp, s: cell.step(xp, s, rec_mask))
        if channels_last:
            last = last.movedim(1, -1)
            outputs = outputs.movedim(2, -1) if outputs is not None else None
            states = [s.movedim(1, -1) for s in states]
        return last, outputs, states

    def get_config(self):
        config = super().get_config()
        config.pop("use_cudnn", None)
        return config


class ConvLSTM1D(ConvLSTM):
    """1D convolutional LSTM over `(batch, time, steps, channels)`."""

    rank = 1


class ConvLSTM2D(ConvLSTM):
    """2D convolutional LSTM over `(batch, time, rows, cols, channels)`."""

    rank = 2


class ConvLSTM3D(ConvLSTM):
    """3D convolutional LSTM over `(batch, time, d1, d2, d3, channels)`."""

    rank = 3
