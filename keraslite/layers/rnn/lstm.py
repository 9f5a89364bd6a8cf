"""LSTMCell and LSTM (Hochreiter & Schmidhuber, 1997).

Keras layout: `kernel (input_dim, 4*units)`, `recurrent_kernel (units, 4*units)`,
`bias (4*units,)`, gates in the order i, f, c, o, which is also torch's: the fused path
passes `kernel.T` / `recurrent_kernel.T` (views, no copy) to `torch._VF.lstm`.
"""

from __future__ import annotations

import torch

from keraslite import activations, initializers
from keraslite.layers.rnn.builtin import BuiltinCell, BuiltinRNN


class LSTMCell(BuiltinCell):
    """One LSTM step: `(x_t, [h, c]) -> (h', [h', c'])`.

    Args:
        units: size of the hidden state.
        activation: default tanh. recurrent_activation: default sigmoid.
        unit_forget_bias: add 1 to the forget gate bias at initialization.
        dropout, recurrent_dropout: rates on the inputs and on the recurrent state.
        Other arguments as in Keras (initializers, regularizers, constraints, seed).
    """

    _kernels_transposed_in_memory = True

    _extra_config = ("unit_forget_bias",)

    def __init__(
        self,
        units: int,
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
        super().__init__(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            **kwargs,
        )
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [units, units]

    def build(self, input_shape):
        self._add_kernels(input_shape[-1], 4)
        initializer = None
        if self.unit_forget_bias:
            units, base = self.units, self.bias_initializer

            def initializer(shape, dtype=None):
                return torch.cat(
                    [
                        torch.as_tensor(base((units,), dtype)),
                        torch.as_tensor(initializers.Ones()((units,), dtype)),
                        torch.as_tensor(base((2 * units,), dtype)),
                    ]
                )

        self._add_bias((4 * self.units,), initializer)
        self.built = True

    def step(self, projected, states, recurrent_mask=None):
        """One step from the projected input `x_t @ kernel + bias`."""
        h, c = states
        h_in = h * recurrent_mask if recurrent_mask is not None else h
        z = torch.addmm(projected, h_in, self.recurrent_kernel)
        i, f, g, o = z.chunk(4, dim=-1)
        c = self.recurrent_activation(f) * c + self.recurrent_activation(i) * self.activation(g)
        h = self.recurrent_activation(o) * self.activation(c)
        return h, [h, c]


class LSTM(BuiltinRNN):
    """Long Short-Term Memory layer over `(batch, timesteps, features)`.

    Args:
        units: size of the output and of the hidden state.
        return_sequences: return the full sequence `(batch, timesteps, units)`.
        return_state: also return the final states: `[output, h, c]`.
        go_backwards: process the sequence backwards (and return the reversed sequence).
        stateful: keep the final states as the next batch's initial states.
        dropout, recurrent_dropout: input / recurrent-state dropout rates.
        use_cudnn: "auto" uses torch's fused kernel when the configuration allows it;
            False never; True raises when it cannot.
        Other arguments as `LSTMCell`; the weights live in `layer.cell` (`lstm_cell`).

    Call arguments: `sequences`, `initial_state=[h, c]`, `mask (batch, timesteps)`, `training`.
    """

    fused_op = staticmethod(torch._VF.lstm)

    def __init__(
        self,
        units: int,
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
        use_cudnn="auto",
        **kwargs,
    ):
        cell = LSTMCell(
            units,
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
            name="lstm_cell",
            implementation=kwargs.pop("implementation", 2),
            **self.split_kwargs(kwargs),
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            use_cudnn=use_cudnn,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
