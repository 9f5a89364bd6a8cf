"""What LSTM, GRU and SimpleRNN (and their cells) share.

The cells compute the input projection `inputs @ kernel + bias` for the whole sequence
at once (one matmul, as a hand-written loop would) and only the recurrent part per step.
The layers run torch's fused kernels (`torch._VF.lstm` / `gru` / `rnn_tanh`) when the
configuration allows it (Keras's cuDNN conditions: default activations, no recurrent
dropout, no mask, not unrolled); input dropout is then applied to the whole sequence
first, with one mask per sequence, exactly as Keras does before its cuDNN kernel.
"""

from __future__ import annotations

import warnings

import torch

from keraslite import activations, constraints, initializers, regularizers
from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.core import serialize_object
from keraslite.layers.memory_layout import lay_out_in_memory
from keraslite.layers.rnn import export_loop, packed
from keraslite.layers.rnn.base import RNN, DropoutRNNCell, initial_state_arguments
from keraslite.layers.rnn.graph_breaks import compiling_a_graph, run_outside_graph


class BuiltinCell(DropoutRNNCell, Layer):
    """Common arguments and config of LSTMCell, GRUCell and SimpleRNNCell."""

    _extra_config: tuple = ()
    # whether torch's fused kernel copies a `kernel.T` that is not contiguous (oneDNN's LSTM;
    # GRU reorders its gates with a copy anyway, SimpleRNN's kernel reads any strides)
    _kernels_transposed_in_memory = False

    def __init__(
        self,
        units,
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
        kwargs.pop("implementation", None)
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(
                f"Received an invalid value for argument `units`, expected a positive integer, got {units!r}."
            )
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.seed = seed
        self.output_size = units

    def _add_kernels(self, input_dim: int, gates: int) -> None:
        self.kernel = self.add_weight(
            shape=(input_dim, gates * self.units),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, gates * self.units),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        if self._kernels_transposed_in_memory:
            # torch's fused kernels read `kernel.T`: lay it out contiguous (no copy per call)
            lay_out_in_memory(self.kernel, (1, 0))
            lay_out_in_memory(self.recurrent_kernel, (1, 0))

    def _add_bias(self, shape, initializer=None) -> None:
        if self.use_bias:
            self.bias = self.add_weight(
                shape=shape,
                name="bias",
                initializer=initializer or self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None

    def _input_bias(self):
        return self.bias

    def project(self, inputs: torch.Tensor) -> torch.Tensor:
        """`inputs @ kernel + input bias` for one step or a whole sequence."""
        bias = self._input_bias() if self.use_bias else None
        if bias is not None:
            return torch.addmm(bias, inputs.reshape(-1, inputs.shape[-1]), self.kernel).view(*inputs.shape[:-1], -1)
        return inputs @ self.kernel

    def recurrent_dropout_mask(self, state, training):
        if training and 0.0 < self.recurrent_dropout < 1.0:
            return self.get_recurrent_dropout_mask(state)
        return None

    def call(self, inputs, states, training=False):
        if training and 0.0 < self.dropout < 1.0:
            inputs = inputs * self.get_dropout_mask(inputs)
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        return self.step(self.project(inputs), states, self.recurrent_dropout_mask(states[0], training))

    def get_initial_state(self, batch_size=None, **tf2_arguments):
        batch_size, dtype = initial_state_arguments(batch_size, tf2_arguments, self._compute_torch_dtype)
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        return [torch.zeros((batch_size, s), dtype=dtype) for s in sizes]

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "activation": activations.serialize(self.activation)})
        if hasattr(self, "recurrent_activation"):
            config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["use_bias"] = self.use_bias
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
        for name in self._extra_config:
            config[name] = getattr(self, name)
        return config


_CELL_ARGS = (
    "units",
    "activation",
    "recurrent_activation",
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "unit_forget_bias",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
    "reset_after",
    "seed",
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "data_format",
    "dilation_rate",
)


class BuiltinRNN(RNN):
    """LSTM/GRU/SimpleRNN: an `RNN` over their own cell, configured flat as in Keras."""

    _config_has_cell = False
    fused_op = None  # torch._VF function of the fused kernel

    def __init__(
        self,
        cell,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        use_cudnn="auto",
        activity_regularizer=None,
        **kwargs,
    ):
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
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                "Invalid valid received for argument `use_cudnn`. Expected one of {'auto', True, False}. "
                f"Received: use_cudnn={use_cudnn}"
            )
        self.use_cudnn = use_cudnn
        self.input_spec = InputSpec(ndim=3)

    @staticmethod
    def split_kwargs(kwargs):
        """The kwargs (dtype, trainable) that go to the cell as well as the layer."""
        return {k: kwargs[k] for k in ("dtype", "trainable") if k in kwargs}

    def build(self, sequences_shape, initial_state_shape=None):
        super().build(sequences_shape)
        self.input_spec = InputSpec(ndim=3, axes={-1: sequences_shape[-1]})

    def __getattr__(self, name):
        # `layer.units`, `layer.dropout`, ... read the cell's, as Keras's properties do.
        if name in _CELL_ARGS and "cell" in self.__dict__.get("_modules", {}):
            return getattr(self._modules["cell"], name)
        return super().__getattr__(name)

    def _zero_states(self, sequences):
        size = self._cell.state_size
        sizes = size if isinstance(size, (list, tuple)) else [size]
        return [sequences.new_zeros((sequences.shape[0], size)) for size in sizes]

    def can_fuse(self) -> bool:
        cell = self._cell
        return (
            self.use_cudnn is not False
            and not self.unroll
            and cell.recurrent_dropout == 0
            and cell.activation is activations.tanh
            and getattr(cell, "recurrent_activation", activations.sigmoid) is activations.sigmoid
        )

    def fused_weights(self) -> list:
        """`[w_ih, w_hh, b_ih, b_hh]` in torch's layout (views where possible)."""
        cell = self._cell
        weights = [cell.kernel.T, cell.recurrent_kernel.T]
        if cell.use_bias:
            weights += [cell.bias, cell.bias.new_zeros(cell.bias.shape)]
        return weights

    def inner_loop(self, sequences, states, mask, training):
        cell = self._cell
        if training and 0.0 < cell.dropout < 1.0:
            sequences = sequences * cell.get_dropout_mask(sequences[:, 0]).unsqueeze(1)
        if self.can_fuse() and not export_loop.has_symbolic_steps(sequences):
            if mask is None:
                return self._run_fused(sequences, states, training)
            if compiling_a_graph():
                return run_outside_graph(self._run_masked, sequences, states, mask, training)
            return self._run_masked(sequences, states, mask, training)
        if self.use_cudnn is True and mask is None:
            raise ValueError(
                "use_cudnn=True was specified, but cuDNN is not supported for this layer configuration with this "
                "backend. Pass use_cudnn='auto' to fallback to a non-cuDNN implementation."
            )
        return self._run_step_loop(sequences, states, mask, training)

    def _run_step_loop(self, sequences, states, mask, training):
        cell = self._cell
        rec_mask = cell.recurrent_dropout_mask(states[0], training)
        projected = cell.project(sequences)
        return self._step_loop(projected, states, mask, lambda xp, s: cell.step(xp, s, rec_mask))

    def _run_fused(self, sequences, states, training, backwards=None):
        if self.go_backwards if backwards is None else backwards:
            sequences = sequences.flip(1)
        hx = [s.unsqueeze(0) for s in states]
        if sequences.is_cuda:
            # cuDNN copies weights that are not one flat buffer (ours are Keras-layout
            # views) and warns about it; the copy is O(weights), not per step.
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*contiguous chunk of memory.*")
                return self._fused_call(sequences, hx, training)
        return self._fused_call(sequences, hx, training)

    def _fused_call(self, sequences, hx, training):
        result = self.fused_op(
            sequences,
            tuple(hx) if len(hx) > 1 else hx[0],
            self.fused_weights(),
            self._cell.use_bias,  # has_biases
            1,  # num_layers
            0.0,  # dropout between layers
            bool(training),
            False,  # bidirectional
            True,  # batch_first
        )
        sequence, final = result[0], [s[0] for s in result[1:]]
        return final[0], sequence, final

    def _run_masked(self, sequences, states, mask, training):
        """A masked call: the fused kernel when the mask is right padding (packed, or over the
        full length; `packed.prefer_packed` says which is faster), else the step loop."""
        padding = packed.RightPadding.of(mask)
        if padding is None:
            return self._run_step_loop(sequences, states, mask, training)
        # LSTM's cell state at each row's last valid step comes only out of the packed kernel.
        needs_final_cell_state = len(states) > 1 and (self.return_state or self.stateful)
        if needs_final_cell_state or packed.prefer_packed():
            return self._run_packed(sequences, states, mask, padding, training)
        return self._run_full_right_padded(sequences, states, mask, padding, training)

    def _run_packed(self, sequences, states, mask, padding, training):
        outputs, finals = padding.run(
            self.fused_op,
            sequences,
            [s.unsqueeze(0) for s in states],
            self.fused_weights(),
            self._cell.use_bias,
            training,
            go_backwards=self.go_backwards,
            with_outputs=self.return_sequences,
        )
        finals = [f[0] for f in finals]
        last_output = finals[0]
        if not padding.every_row_valid:  # a row with no valid step outputs zeros
            last_output = last_output.masked_fill(~mask.any(dim=1, keepdim=True), 0)
        if outputs is not None and not self.go_backwards and not self.zero_output_for_mask:
            # the padded steps repeat the last output (going backwards they come first: zeros)
            outputs = torch.where(mask.unsqueeze(-1), outputs, last_output.unsqueeze(1))
        return last_output, outputs, finals

    def _run_full_right_padded(self, sequences, states, mask, padding, training):
        # Padding comes after the valid steps, so the valid outputs are those of the unmasked
        # run over the full length; the final state is the one at the last valid step.
        # Backwards, the step loop meets each row's padding first (zero outputs, states
        # untouched), then the valid steps last to first: a forward run over each row's
        # valid steps reversed, its outputs moved after the padding.
        batch, steps, features = sequences.shape
        if self.go_backwards:
            reverse = padding.reversed_valid_index()
            sequences = sequences.reshape(batch * steps, features).index_select(0, reverse).view(batch, steps, -1)
        _, sequence, _ = self._run_fused(sequences, states, training, backwards=False)
        lengths = padding.device_lengths
        last_index = (lengths - 1).clamp(min=0)
        last_output = sequence[torch.arange(batch, device=sequence.device), last_index]
        if not padding.every_row_valid:  # a row with no valid step outputs zeros, keeps its state
            valid = (lengths > 0).unsqueeze(-1)
            final_state = torch.where(valid, last_output, states[0])
            last_output = last_output.masked_fill(~valid, 0)
        else:
            final_state = last_output
        if not self.return_sequences:
            sequence = None
        elif self.go_backwards:
            index, padded = padding.padding_first_index()
            sequence = sequence.reshape(batch * steps, -1).index_select(0, index).view(batch, steps, -1)
            sequence = sequence.masked_fill(padded, 0)
        elif self.zero_output_for_mask:
            sequence = sequence.masked_fill(~mask.unsqueeze(-1), 0)
        else:
            sequence = torch.where(mask.unsqueeze(-1), sequence, last_output.unsqueeze(1))
        return last_output, sequence, [final_state] + list(states[1:])

    def get_config(self):
        config = super().get_config()
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        config.update(cell_config)
        config["activity_regularizer"] = serialize_object(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
