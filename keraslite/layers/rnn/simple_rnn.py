"""SimpleRNNCell and SimpleRNN: `h' = activation(x @ kernel + bias + h @ recurrent_kernel)`.

With tanh (or relu) and no recurrent dropout or mask the sequence runs in torch's fused
`rnn_tanh` / `rnn_relu` kernel (same arithmetic; Keras has no cuDNN path here).
"""

from __future__ import annotations

import torch

from keraslite import activations
from keraslite.layers.rnn.builtin import BuiltinCell, BuiltinRNN


class SimpleRNNCell(BuiltinCell):
    """One fully-connected RNN step: `(x_t, [h]) -> (h', [h'])`.

    Args:
        units: size of the hidden state. activation: default tanh.
        Other arguments as in Keras (initializers, regularizers, constraints, dropout, seed).
    """

    def __init__(
        self,
        units: int,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
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
        self.state_size = units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1], 1)
        self._add_bias((self.units,))
        self.built = True

    def step(self, projected, states, recurrent_mask=None):
        h = states[0]
        h_in = h * recurrent_mask if recurrent_mask is not None else h
        h = self.activation(torch.addmm(projected, h_in, self.recurrent_kernel))
        return h, [h]


class SimpleRNN(BuiltinRNN):
    """Fully-connected RNN whose output is fed back as the next input state.

    Args:
        units: size of the output and of the state. activation: default tanh.
        return_sequences, return_state, go_backwards, stateful, unroll: as `LSTM`.
        Other arguments as `SimpleRNNCell`; weights live in `layer.cell` (`simple_rnn_cell`).
    """

    def __init__(
        self,
        units: int,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        seed=None,
        **kwargs,
    ):
        cell = SimpleRNNCell(
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
            name="simple_rnn_cell",
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

    def can_fuse(self) -> bool:
        cell = self._cell
        return (
            not self.unroll and cell.recurrent_dropout == 0 and cell.activation in (activations.tanh, activations.relu)
        )

    @property
    def fused_op(self):
        return torch._VF.rnn_tanh if self._cell.activation is activations.tanh else torch._VF.rnn_relu

    def get_config(self):
        config = super().get_config()
        config.pop("seed", None)  # Keras 3 does not serialize it for SimpleRNN
        return config
