"""Bidirectional: runs a recurrent layer forwards and a copy of it backwards and merges
the two outputs (Keras 3 names the copies `forward_<name>` and `backward_<name>`)."""

from __future__ import annotations

import copy

import torch

from keraslite.layers.base_layer import Layer
from keraslite.layers.rnn import packed
from keraslite.layers.rnn.base import _deserialize, _serialize, step_mask_of
from keraslite.layers.rnn.builtin import BuiltinRNN
from keraslite.layers.rnn.graph_breaks import compiling_a_graph, run_outside_graph

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _strip(name: str, prefix: str) -> str:
    return name[len(prefix) :] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    Args:
        layer: an RNN layer instance (LSTM, GRU, SimpleRNN, RNN, ...).
        merge_mode: how outputs are combined: "concat" (default), "sum", "mul", "ave",
            or None (a list of the two outputs).
        backward_layer: optional layer for the backward direction (must have
            `go_backwards=True` and the same return_sequences/return_state/stateful).

    Weights: the forward layer's, then the backward layer's.
    """

    def __init__(
        self,
        layer: Layer,
        merge_mode: str | None = "concat",
        weights=None,
        backward_layer: Layer | None = None,
        **kwargs,
    ):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. Received: {layer}"
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"`backward_layer` need to be a `keras.layers.Layer` instance. Received: {backward_layer}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f'Invalid merge mode. Received: {merge_mode}. Merge mode should be one of {{"sum", "mul", "ave", '
                '"concat", None}'
            )
        super().__init__(**kwargs)
        config = _serialize(layer)
        config["config"]["name"] = "forward_" + _strip(layer.name, "forward_")
        self.forward_layer = _deserialize(config)
        if backward_layer is None:
            config = _serialize(layer)
            config["config"]["go_backwards"] = not layer.go_backwards
            config["config"]["name"] = "backward_" + _strip(layer.name, "backward_")
            self.backward_layer = _deserialize(config)
        else:
            self.backward_layer = backward_layer
        if hasattr(layer, "use_cudnn"):
            self.forward_layer.use_cudnn = layer.use_cudnn
            self.backward_layer.use_cudnn = layer.use_cudnn
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` value. Received: "
                f"forward_layer.go_backwards {self.forward_layer.go_backwards}, "
                f"backward_layer.go_backwards={self.backward_layer.go_backwards}"
            )
        for attribute in ("stateful", "return_sequences", "return_state"):
            forward_value, backward_value = (
                getattr(self.forward_layer, attribute),
                getattr(self.backward_layer, attribute),
            )
            if forward_value != backward_value:
                raise ValueError(
                    "Forward layer and backward layer are expected to have the same value for attribute "
                    f'"{attribute}", '
                    f'got "{forward_value}" for forward layer and "{backward_value}" for backward layer'
                )
        # As Keras: with return_sequences, masked steps output zeros in both directions.
        for direction in (self.forward_layer, self.backward_layer):
            if getattr(direction, "zero_output_for_mask", None) is not None:
                direction.zero_output_for_mask = direction.return_sequences
        self.merge_mode = merge_mode
        if weights:
            half = len(weights) // 2
            self.forward_layer._initial_weights = weights[:half]
            self.backward_layer._initial_weights = weights[half:]
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def build(self, sequences_shape, initial_state_shape=None):
        self.forward_layer._maybe_build(sequences_shape)
        self.backward_layer._maybe_build(sequences_shape)
        self.built = True

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output_shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shape = ()
        if self.return_state:
            output_shape, state_shape = output_shape[0], tuple(output_shape[1:])
        if self.merge_mode == "concat":
            output_shape = tuple(output_shape[:-1]) + (output_shape[-1] * 2,)
        elif self.merge_mode is None:
            output_shape = (tuple(output_shape), tuple(output_shape))
        if self.return_state:
            if self.merge_mode is None:
                return output_shape + state_shape + state_shape
            return (tuple(output_shape),) + state_shape + state_shape
        return output_shape

    def _can_fuse(self, training) -> bool:
        """Whether both directions can run in one bidirectional torch kernel."""
        forward, backward = self.forward_layer, self.backward_layer
        return (
            not self.stateful
            and type(forward) is type(backward)
            and isinstance(forward, BuiltinRNN)
            and forward.fused_op is not None
            and forward.fused_op == backward.fused_op
            and not forward.go_backwards
            and forward.can_fuse()
            and backward.can_fuse()
            and forward.cell.units == backward.cell.units
            and forward.cell.use_bias == backward.cell.use_bias
            and not (training and (forward.cell.dropout or backward.cell.dropout))
        )

    def _right_padding(self, mask):
        """The mask's layout when the packed bidirectional kernel should run over it, else None."""
        forward, backward = self.forward_layer, self.backward_layer
        # the packed kernel's padded outputs are zeros in both directions (as __init__ sets)
        zero_padding = forward.zero_output_for_mask == backward.zero_output_for_mask == self.return_sequences
        if not zero_padding or not packed.prefer_packed():
            return None
        return packed.RightPadding.of(mask)

    def _call_fused(self, sequences, initial_state, training, padding=None):
        """Both directions in one bidirectional torch kernel (as Keras 3 does on cuDNN); with
        `padding`, its packed form over each row's valid steps (the backward direction starts
        at each row's last valid step, as Keras's backward layer does over right padding)."""
        forward, backward = self.forward_layer, self.backward_layer
        if initial_state is None:
            states = forward._zero_states(sequences)
            hx = [torch.stack([s, s]) for s in states]
        else:
            half = len(initial_state) // 2
            hx = [torch.stack([f, b]) for f, b in zip(initial_state[:half], initial_state[half:])]
        weights = forward.fused_weights() + backward.fused_weights()
        if padding is not None:
            sequence, finals = padding.run(
                forward.fused_op,
                sequences,
                hx,
                weights,
                forward.cell.use_bias,
                training,
                bidirectional=True,
                with_outputs=self.return_sequences,
            )
        else:
            result = forward.fused_op(
                sequences,
                tuple(hx) if len(hx) > 1 else hx[0],
                weights,
                forward.cell.use_bias,
                1,  # num_layers
                0.0,  # dropout between layers
                bool(training),
                True,  # bidirectional
                True,  # batch_first
            )
            sequence, finals = result[0], result[1:]
        units = forward.cell.units
        if self.return_sequences:
            if self.merge_mode == "concat":
                return sequence, finals
            y, y_rev = sequence[..., :units], sequence[..., units:]
        else:
            y, y_rev = finals[0][0], finals[0][1]
            if padding is not None and not padding.every_row_valid:  # no valid step: zeros
                empty = (padding.device_lengths == 0).unsqueeze(-1)
                y, y_rev = y.masked_fill(empty, 0), y_rev.masked_fill(empty, 0)
            if self.merge_mode == "concat":
                return torch.cat([y, y_rev], dim=-1), finals
        return self._merge(y, y_rev), finals

    def _call_fused_over_mask(self, sequences, initial_state, mask, training):
        """`_call_fused` over a right-padded mask, or None (each direction then runs alone)."""
        padding = self._right_padding(mask)
        return None if padding is None else self._call_fused(sequences, initial_state, training, padding)

    def _merge(self, y, y_rev):
        if self.merge_mode == "concat":
            return torch.cat([y, y_rev], dim=-1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) / 2
        if self.merge_mode == "mul":
            return y * y_rev
        return (y, y_rev)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        mask = step_mask_of(mask)
        fused = None
        if self._can_fuse(training):
            if mask is None:
                fused = self._call_fused(sequences, initial_state, training)
            elif compiling_a_graph():
                # the whole layer (both directions) between two graphs: one graph break
                return run_outside_graph(self.call, sequences, initial_state, mask, training)
            else:
                fused = self._call_fused_over_mask(sequences, initial_state, mask, training)
        if fused is not None:
            output, finals = fused
            if not self.return_state:
                return output
            states = tuple(f[0] for f in finals) + tuple(f[1] for f in finals)
            return (output + states) if self.merge_mode is None else (output,) + states
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(initial_state[half:])
        y = self.forward_layer(sequences, initial_state=forward_state, mask=mask, training=training)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, mask=mask, training=training)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev.flip(1)
        output = self._merge(y, y_rev)
        if self.return_state:
            return (output + states) if self.merge_mode is None else (output,) + states
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.return_sequences:
            output_mask = mask if self.merge_mode else (mask, mask)
        else:
            output_mask = None if self.merge_mode else (None, None)
        if self.return_state:
            count = 2 * len(self.forward_layer.state_size)
            if isinstance(output_mask, tuple):
                return output_mask + (None,) * count
            return (output_mask,) + (None,) * count
        return output_mask

    def reset_states(self, states=None):
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def get_config(self):
        config = super().get_config()
        config["merge_mode"] = self.merge_mode
        config["layer"] = _serialize(self.forward_layer)
        config["backward_layer"] = _serialize(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = copy.deepcopy(config)
        config["layer"] = _deserialize(config["layer"], custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = _deserialize(backward, custom_objects)
        return cls(**config)
