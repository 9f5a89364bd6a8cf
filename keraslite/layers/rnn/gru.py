"""GRUCell and GRU (Cho et al., 2014), `reset_after=True` by default as in Keras 3.

Keras layout: `kernel (input_dim, 3*units)`, `recurrent_kernel (units, 3*units)`,
`bias (2, 3*units)` (input bias, recurrent bias) with `reset_after`, else `(3*units,)`;
gates in the order z (update), r (reset), h (candidate). torch's GRU orders them r, z, n:
the fused path reorders the gate blocks with one `index_select` per weight per call (a
copy of the weights, never per step; gradients flow back through it).
"""

from __future__ import annotations

import torch

from keraslite import activations
from keraslite.layers.rnn.builtin import BuiltinCell, BuiltinRNN

_GATE_ORDER: dict = {}


def _keras_to_torch_gates(weight: torch.Tensor) -> torch.Tensor:
    """Gate blocks z, r, h (last axis) -> r, z, h: one index_select (a copy of the weight)."""
    key = (weight.shape[-1], weight.device)
    order = _GATE_ORDER.get(key)
    if order is None:
        units = weight.shape[-1] // 3
        # Made outside inference mode even during `predict`: an inference tensor kept here
        # would fail every later training step ("Inference tensors cannot be saved for backward").
        with torch.inference_mode(False):
            order = torch.cat([torch.arange(units, 2 * units), torch.arange(units), torch.arange(2 * units, 3 * units)])
            order = order.to(weight.device)
        _GATE_ORDER[key] = order
    return weight.index_select(-1, order)


class GRUCell(BuiltinCell):
    """One GRU step: `(x_t, [h]) -> (h', [h'])`.

    Args:
        units: size of the hidden state.
        activation: default tanh. recurrent_activation: default sigmoid.
        reset_after: apply the reset gate after the recurrent matmul (Keras 3 / cuDNN
            convention, default True) or before it.
        Other arguments as in Keras (initializers, regularizers, constraints, dropout, seed).
    """

    _extra_config = ("reset_after",)

    def __init__(
        self,
        units: int,
        activation="tanh",
        recurrent_activation="sigmoid",
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
        reset_after=True,
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
        self.reset_after = reset_after
        self.state_size = units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1], 3)
        self._add_bias((2, 3 * self.units) if self.reset_after else (3 * self.units,))
        self.built = True

    def _input_bias(self):
        return self.bias[0] if self.reset_after else self.bias

    def step(self, projected, states, recurrent_mask=None):
        h = states[0]
        h_in = h * recurrent_mask if recurrent_mask is not None else h
        x_z, x_r, x_h = projected.chunk(3, dim=-1)
        units = self.units
        if self.reset_after:
            inner = h_in @ self.recurrent_kernel
            if self.use_bias:
                inner = inner + self.bias[1]
            r_z, r_r, r_h = inner.chunk(3, dim=-1)
            z = self.recurrent_activation(x_z + r_z)
            r = self.recurrent_activation(x_r + r_r)
            candidate = self.activation(x_h + r * r_h)
        else:
            inner = h_in @ self.recurrent_kernel[:, : 2 * units]
            r_z, r_r = inner.chunk(2, dim=-1)
            z = self.recurrent_activation(x_z + r_z)
            r = self.recurrent_activation(x_r + r_r)
            candidate = self.activation(x_h + (r * h_in) @ self.recurrent_kernel[:, 2 * units :])
        h = z * h + (1 - z) * candidate
        return h, [h]


class GRU(BuiltinRNN):
    """Gated Recurrent Unit layer over `(batch, timesteps, features)`.

    Args:
        units: size of the output and of the hidden state.
        reset_after: Keras 3 default True (the fused kernel needs it).
        return_sequences, return_state, go_backwards, stateful, unroll, use_cudnn:
            as `LSTM`. Other arguments as `GRUCell`; weights live in `layer.cell` (`gru_cell`).

    Call arguments: `sequences`, `initial_state=[h]`, `mask`, `training`.
    """

    fused_op = staticmethod(torch._VF.gru)

    def __init__(
        self,
        units: int,
        activation="tanh",
        recurrent_activation="sigmoid",
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
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        reset_after=True,
        use_cudnn="auto",
        **kwargs,
    ):
        cell = GRUCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
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
            reset_after=reset_after,
            seed=seed,
            name="gru_cell",
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

    def can_fuse(self) -> bool:
        return self._cell.reset_after and super().can_fuse()

    def fused_weights(self) -> list:
        cell = self._cell
        weights = [_keras_to_torch_gates(cell.kernel).T, _keras_to_torch_gates(cell.recurrent_kernel).T]
        if cell.use_bias:
            weights += [_keras_to_torch_gates(cell.bias[0]), _keras_to_torch_gates(cell.bias[1])]
        return weights
