"""Recurrent layers: LSTMCell and LSTM.

Weights are Keras's (`kernel (input_dim, 4*units)`, `recurrent_kernel (units, 4*units)`,
`bias (4*units,)`, gates in the order i, f, c, o, which is also torch's order). When the
configuration is the one Keras runs on cuDNN (tanh/sigmoid, no recurrent dropout, no
unroll) the whole sequence runs in torch's fused LSTM kernel; otherwise a step loop over
the cell runs.
"""
from __future__ import annotations

import torch

from keraslite import activations, constraints, initializers, regularizers
from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.core import serialize_object


class LSTMCell(Layer):
    """One LSTM step: `(x_t, [h, c]) -> (h', [h', c'])`."""

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a positive integer, got {units!r}.")
        self.units = units
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
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.kernel = self.add_weight(shape=(input_dim, 4 * self.units), name="kernel", initializer=self.kernel_initializer, regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(self.units, 4 * self.units), name="recurrent_kernel", initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        if self.use_bias:
            if self.unit_forget_bias:
                units, base = self.units, self.bias_initializer

                def bias_initializer(shape, dtype=None):
                    return torch.cat([base((units,), dtype), initializers.Ones()((units,), dtype), base((2 * units,), dtype)])

            else:
                bias_initializer = self.bias_initializer
            self.bias = self.add_weight(shape=(4 * self.units,), name="bias", initializer=bias_initializer, regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def call(self, inputs, states, training=False):
        h, c = states
        z = inputs @ self.kernel + h @ self.recurrent_kernel
        if self.bias is not None:
            z = z + self.bias
        i, f, g, o = z.chunk(4, dim=-1)
        i = self.recurrent_activation(i)
        f = self.recurrent_activation(f)
        c = f * c + i * self.activation(g)
        o = self.recurrent_activation(o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "use_bias": self.use_bias,
                "kernel_initializer": serialize_object(self.kernel_initializer),
                "recurrent_initializer": serialize_object(self.recurrent_initializer),
                "bias_initializer": serialize_object(self.bias_initializer),
                "unit_forget_bias": self.unit_forget_bias,
                "kernel_regularizer": serialize_object(self.kernel_regularizer),
                "recurrent_regularizer": serialize_object(self.recurrent_regularizer),
                "bias_regularizer": serialize_object(self.bias_regularizer),
                "kernel_constraint": serialize_object(self.kernel_constraint),
                "recurrent_constraint": serialize_object(self.recurrent_constraint),
                "bias_constraint": serialize_object(self.bias_constraint),
                "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed,
            }
        )
        return config


class LSTM(Layer):
    """Long Short-Term Memory layer (Hochreiter 1997) over `(batch, timesteps, features)`.

    Args:
        units: size of the output and of the hidden state.
        activation, recurrent_activation: default tanh and sigmoid.
        return_sequences: return the full sequence `(batch, timesteps, units)` instead of
            the last output `(batch, units)`.
        return_state: also return the final states: `[output, h, c]`.
        go_backwards: process the sequence backwards (and return the reversed sequence).
        dropout: input dropout rate (one mask for the whole sequence).
        recurrent_dropout: dropout rate on the recurrent state.
        Other arguments as in Keras; weights live in `layer.cell`.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False, use_cudnn="auto", **kwargs):
        cell_kwargs = {k: kwargs.pop(k) for k in ("dtype", "trainable") if k in kwargs}
        super().__init__(activity_regularizer=activity_regularizer, **kwargs, **cell_kwargs)
        if stateful:
            raise NotImplementedError(f'Layer "{self.name}" (LSTM): stateful=True is not supported yet.')
        self.cell = LSTMCell(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, name="lstm_cell", **cell_kwargs)
        self.units = units
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.use_cudnn = use_cudnn
        self.input_spec = InputSpec(ndim=3)
        self.supports_masking = True

    def build(self, input_shape):
        self.cell._maybe_build(tuple(input_shape[:1]) + tuple(input_shape[2:]))
        self.input_spec = InputSpec(ndim=3, axes={-1: input_shape[-1]})
        self.built = True

    def _can_fuse(self) -> bool:
        cell = self.cell
        return (
            cell.activation is activations.tanh
            and cell.recurrent_activation is activations.sigmoid
            and cell.recurrent_dropout == 0
            and cell.use_bias
            and not self.unroll
            and self.use_cudnn is not False
        )

    def call(self, inputs, mask=None, training=False, initial_state=None):
        cell = self.cell
        batch = inputs.shape[0]
        if initial_state is None:
            h = inputs.new_zeros((batch, self.units))
            c = inputs.new_zeros((batch, self.units))
        else:
            h, c = initial_state
        if self.go_backwards:
            inputs = inputs.flip(1)
            if mask is not None:
                mask = mask.flip(1)
        if training and cell.dropout > 0:
            keep = torch.rand((batch, 1, inputs.shape[-1]), device=inputs.device) >= cell.dropout
            inputs = inputs * keep.to(inputs.dtype) / (1 - cell.dropout)
        if mask is None and self._can_fuse():
            bias_hh = inputs.new_zeros((4 * self.units,))
            sequence, h_n, c_n = torch._VF.lstm(
                inputs,
                (h.unsqueeze(0), c.unsqueeze(0)),
                [cell.kernel.T, cell.recurrent_kernel.T, cell.bias, bias_hh],
                True,  # has_biases
                1,  # num_layers
                0.0,  # dropout between layers
                bool(training),
                False,  # bidirectional
                True,  # batch_first
            )
            h, c = h_n[0], c_n[0]
        else:
            outputs = []
            for t in range(inputs.shape[1]):
                new_h, (new_h, new_c) = cell.call(inputs[:, t], [h, c], training=training)
                if mask is not None:
                    step = mask[:, t].unsqueeze(-1)
                    new_h = torch.where(step, new_h, h)
                    new_c = torch.where(step, new_c, c)
                h, c = new_h, new_c
                outputs.append(h)
            sequence = torch.stack(outputs, dim=1)
        output = sequence if self.return_sequences else h
        if self.return_state:
            return [output, h, c]
        return output

    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        output = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [output, (batch, self.units), (batch, self.units)]
        return output

    def compute_mask(self, inputs, mask=None):
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask, None, None]
        return output_mask

    def get_config(self):
        config = super().get_config()
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        config.update(cell_config)
        config.update(
            {
                "return_sequences": self.return_sequences,
                "return_state": self.return_state,
                "go_backwards": self.go_backwards,
                "stateful": self.stateful,
                "unroll": self.unroll,
                "use_cudnn": self.use_cudnn,
                "activity_regularizer": serialize_object(self.activity_regularizer),
            }
        )
        return config

