"""The generic recurrent layer `RNN(cell)`, `StackedRNNCells` and the dropout-mask
helpers shared by the built-in cells.

A cell follows Keras's convention: `state_size` (an int or a list of ints),
optionally `output_size`, and `call(inputs, states, training=False)` returning
`(output, new_states)`. `RNN` runs the cell over the time axis of
`(batch, timesteps, features)` inputs, honouring masks (a masked step keeps the previous
states and repeats the previous output, or zeros with `zero_output_for_mask`),
`go_backwards`, `initial_state` and `stateful`.
"""

from __future__ import annotations

import inspect

import torch

from keraslite.backend import dtypes, state, tree
from keraslite.layers.base_layer import Layer
from keraslite.layers.rnn import export_loop
from keraslite.serialization import serialization_lib as serialization


def initial_state_arguments(batch_size, tf2_arguments: dict, default_dtype: torch.dtype):
    """`(batch_size, torch dtype)` from a cell's `get_initial_state` arguments. Keras 3 takes
    `batch_size` only; tf.keras 2 (the tf2 dialect) also `inputs` (its first positional
    argument, the batch size read from it) and `dtype`."""
    if tf2_arguments and state.dialect() != "tf2":
        raise TypeError(f"get_initial_state() got an unexpected keyword argument '{next(iter(tf2_arguments))}'")
    unknown = sorted(set(tf2_arguments) - {"inputs", "dtype"})
    if unknown:
        raise TypeError(f"get_initial_state() got an unexpected keyword argument '{unknown[0]}'")
    inputs = tf2_arguments.get("inputs")
    if state.dialect() == "tf2" and batch_size is not None and getattr(tree.flatten(batch_size)[0], "ndim", 0):
        inputs, batch_size = batch_size, None  # `cell.get_initial_state(x)`: tf.keras 2's `inputs`
    if batch_size is None and inputs is not None:
        batch_size = tree.flatten(inputs)[0].shape[0]
    if batch_size is None:
        raise ValueError("get_initial_state() needs `batch_size` (or, in tf.keras 2, `inputs`).")
    dtype = tf2_arguments.get("dtype")
    return int(batch_size), default_dtype if dtype is None else dtypes.to_torch_dtype(dtype)


class DropoutRNNCell:
    """Mixin for cells with `dropout` / `recurrent_dropout`: one mask per sequence,
    reused at every step (as Keras), cleared by the RNN layer after each call."""

    _dropout_mask = None
    _recurrent_dropout_mask = None

    @staticmethod
    def _make_dropout_mask(like: torch.Tensor, rate: float) -> torch.Tensor:
        keep = torch.rand(like.shape, device=like.device) >= rate
        return keep.to(like.dtype) / (1.0 - rate)

    def get_dropout_mask(self, step_input):
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._make_dropout_mask(step_input, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, state):
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._make_dropout_mask(state, self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        if self._dropout_mask is not None:
            self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        if self._recurrent_dropout_mask is not None:
            self._recurrent_dropout_mask = None


def _reset_dropout_masks(cell) -> None:
    if isinstance(cell, DropoutRNNCell):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    for child in getattr(cell, "cells", []) or []:
        _reset_dropout_masks(child)


def _serialize(obj):
    return serialization.serialize_keras_object(obj)


def _deserialize(config, custom_objects=None):
    return serialization.deserialize_keras_object(config, custom_objects=custom_objects)


def _output_size(cell) -> int:
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    state_size = cell.state_size
    return state_size[0] if isinstance(state_size, (list, tuple)) else state_size


def _call_cell(cell, inputs, states, training):
    if isinstance(cell, Layer):
        if cell._call_signature()[0]:
            return cell(inputs, states, training=training)
        return cell(inputs, states)
    call = cell.__call__ if callable(cell) else cell.call
    if "training" in inspect.signature(call).parameters:
        return call(inputs, states, training=training)
    return call(inputs, states)


class StackedRNNCells(Layer):
    """Wraps a list of cells so that they behave as one cell (each feeds the next).

    Args:
        cells: list of RNN cell instances.
    """

    def __init__(self, cells: list, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell) or "state_size" not in dir(cell):
                raise ValueError(
                    "All cells must have a `call` method and a `state_size` attribute. "
                    f"Received cells={cells} (including {cell!r})"
                )
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None, **tf2_arguments):
        batch_size, dtype = initial_state_arguments(batch_size, tf2_arguments, torch.get_default_dtype())
        extra = {"dtype": tf2_arguments["dtype"]} if "dtype" in tf2_arguments else {}
        states = []
        for cell in self.cells:
            if hasattr(cell, "get_initial_state"):
                states.append(cell.get_initial_state(batch_size=batch_size, **extra))
            elif isinstance(cell.state_size, int):
                states.append(torch.zeros((batch_size, cell.state_size), dtype=dtype))
            else:
                states.append([torch.zeros((batch_size, d), dtype=dtype) for d in cell.state_size])
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._maybe_build(tuple(input_shape))
            input_shape = (input_shape[0], _output_size(cell))
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            was_list = tree.is_nested(cell_states)
            cell_states = list(cell_states) if was_list else [cell_states]
            inputs, cell_states = _call_cell(cell, inputs, cell_states, training)
            if not tree.is_nested(cell_states):
                cell_states = [cell_states]
            if len(cell_states) == 1 and not was_list:
                cell_states = cell_states[0]
            new_states.append(cell_states)
        return inputs, new_states

    def get_config(self):
        config = super().get_config()
        config["cells"] = [_serialize(c) for c in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [_deserialize(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)


def step_mask_of(mask):
    """The `(batch, steps)` bool mask of a recurrent call (the first of a list, as Keras takes)."""
    if isinstance(mask, (list, tuple)):
        mask = mask[0]
    if mask is not None and mask.dtype != torch.bool:
        mask = mask.bool()
    return mask


def _kept_state(state: torch.Tensor) -> torch.Tensor:
    """A stateful layer's state for its next call: detached, and a normal tensor even when this
    call ran under inference mode (`predict`), so that training can start from it."""
    if state.is_inference():
        with torch.inference_mode(False):
            return state.clone()
    return state.detach()


def _step_mask(mask_t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return mask_t.view((mask_t.shape[0],) + (1,) * (like.ndim - 1))


def _keep_masked(mask_t, new, old):
    """States after a step: the new ones where `mask_t` is set, the old ones elsewhere."""
    if isinstance(new, (list, tuple)):
        return [_keep_masked(mask_t, n, o) for n, o in zip(new, old)]
    return torch.where(_step_mask(mask_t, new), new, old)


class RNN(Layer):
    """Base class for recurrent layers: runs `cell` over the time axis.

    Args:
        cell: an RNN cell (or a list of cells, stacked with `StackedRNNCells`).
        return_sequences: return the whole output sequence, not only the last output.
        return_state: also return the final states (`[output, *states]`).
        go_backwards: process the input backwards (the output sequence is reversed too).
        stateful: the final states of a batch are the initial states of the next one
            (`reset_states()` clears them); the batch size must stay the same.
        unroll: accepted for compatibility (the step loop is a Python loop either way).
        zero_output_for_mask: masked steps output zeros instead of the previous output.

    Call arguments: `sequences (batch, timesteps, ...)`, `initial_state` (list of
    tensors), `mask (batch, timesteps)` booleans, `training`.
    """

    def __init__(
        self,
        cell,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs,
    ):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell}")
        if "state_size" not in dir(cell):
            raise ValueError(
                "The RNN cell should have a `state_size` attribute (single integer or list of integers, "
                f"one integer per RNN state). Received: cell={cell}"
            )
        super().__init__(**kwargs)
        self.cell = cell
        # A plain attribute too: the hot paths skip torch's Module.__getattr__ lookup.
        object.__setattr__(self, "_cell", cell)
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.states = None
        state_size = cell.state_size
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError("state_size must be an integer, or a list/tuple of integers (one for each state tensor).")
        self.single_state = isinstance(state_size, int)
        self.state_size = [state_size] if self.single_state else list(state_size)

    # ------------------------------------------------------------------ shapes
    def build(self, sequences_shape, initial_state_shape=None):
        if self.unroll and sequences_shape[1] is None:
            raise ValueError(
                "Cannot unroll a RNN if the time dimension is undefined. \n- If using a Sequential model, specify the "
                "time dimension by passing an `Input()` as your first layer.\n- If using the functional API, specify "
                "the time dimension by passing a `shape` or `batch_shape` argument to your `Input()`."
            )
        step_shape = (sequences_shape[0],) + tuple(sequences_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._maybe_build(step_shape)
        self.built = True

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        states_shape = []
        for size in self.state_size:
            if isinstance(size, int):
                states_shape.append((batch, size))
            else:
                states_shape.append([(batch, s) for s in size])
        output_size = _output_size(self.cell)
        output_shape = (batch, steps, output_size) if self.return_sequences else (batch, output_size)
        if self.return_state:
            return (output_shape, *states_shape)
        return output_shape

    def compute_mask(self, inputs, mask=None):
        mask = tree.flatten(mask)[0] if mask is not None else None
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in tree.flatten(self.state_size)]
        return output_mask

    # ------------------------------------------------------------------ states
    def get_initial_state(self, batch_size):
        if hasattr(self.cell, "get_initial_state"):
            states = self.cell.get_initial_state(batch_size=batch_size)
            return list(states) if tree.is_nested(states) else [states]
        return [torch.zeros((batch_size, d)) for d in self.state_size]

    def reset_state(self):
        if self.states is not None:
            self.states = tree.map_structure(torch.zeros_like, self.states)

    def reset_states(self, states=None):
        """Reset the states of a stateful layer to zeros (or to `states`, NumPy arrays)."""
        if states is None:
            self.reset_state()
            return
        flat = tree.flatten(states)
        self.states = tree.pack_sequence_as(
            self.states if self.states is not None else flat, [torch.as_tensor(s) for s in flat]
        )

    def _initial_states(self, sequences, initial_state):
        batch = sequences.shape[0]
        if initial_state is None and self.stateful and self.states is not None:
            if tree.flatten(self.states)[0].shape[0] != batch:
                raise ValueError(
                    "If an RNN is stateful, the batch size of the input sequences must be the same as the batch "
                    f"size of the initial state. \n- Expected batch size: {tree.flatten(self.states)[0].shape[0]}\n"
                    f"- Received batch size: {batch}"
                )
            initial_state = self.states
        if initial_state is None:
            zeros = self._zero_states(sequences)
            if zeros is not None:
                return zeros
            initial_state = self.get_initial_state(batch)
        if not tree.is_nested(initial_state):
            initial_state = [initial_state]

        def convert(state):
            if isinstance(state, torch.Tensor) and state.device == sequences.device and state.dtype == sequences.dtype:
                return state
            return torch.as_tensor(state).to(device=sequences.device, dtype=sequences.dtype)

        return tree.map_structure(convert, list(initial_state))

    def _zero_states(self, sequences):
        """Zero initial states made directly on the input's device, or None when only the
        cell's `get_initial_state` knows them."""
        return None

    # ------------------------------------------------------------------ running
    def call(
        self, sequences: torch.Tensor, initial_state=None, mask: torch.Tensor | None = None, training: bool = False
    ):
        mask = step_mask_of(mask)
        states = self._initial_states(sequences, initial_state)
        try:
            last_output, outputs, states = self.inner_loop(sequences, states, mask, training)
        finally:
            _reset_dropout_masks(self._cell)
        if self.stateful:
            self.states = tree.map_structure(_kept_state, states)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return (output, *states)
        return output

    def inner_loop(self, sequences, states, mask, training):
        """Run the cell step by step: `(last_output, outputs, final_states)`."""
        return self._step_loop(sequences, states, mask, lambda x_t, s: self._cell_step(x_t, s, training))

    def _cell_step(self, x_t, states, training):
        output, new_states = _call_cell(self._cell, x_t, states, training)
        if not tree.is_nested(new_states):
            new_states = [new_states]
        return output, list(new_states)

    def _step_loop(self, inputs, states, mask, step):
        """The time loop shared by all cells. `inputs` is what `step` takes at each time
        step along axis 1 (raw inputs, or inputs already projected by the kernel)."""
        if export_loop.has_symbolic_steps(inputs):
            last, sequence, states = export_loop.scan_steps(
                inputs, states, mask, step, self.go_backwards, self.zero_output_for_mask, _keep_masked, _step_mask
            )
            return last, sequence if self.return_sequences else None, states
        steps = inputs.shape[1]
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs = []
        previous = None
        for t in order:
            output, new_states = step(inputs[:, t], states)
            if mask is not None:
                mask_t = mask[:, t]
                new_states = _keep_masked(mask_t, new_states, states)
                if previous is None or self.zero_output_for_mask:
                    previous = torch.zeros_like(output)
                output = torch.where(_step_mask(mask_t, output), output, previous)
            previous = output
            states = new_states
            if self.return_sequences:
                outputs.append(output)
        sequence = torch.stack(outputs, dim=1) if self.return_sequences else None
        return previous, sequence, states

    # ------------------------------------------------------------------ config
    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "return_sequences": self.return_sequences,
                "return_state": self.return_state,
                "go_backwards": self.go_backwards,
                "stateful": self.stateful,
                "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask,
            }
        )
        if getattr(type(self), "_config_has_cell", True):
            config["cell"] = _serialize(self.cell)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = _deserialize(config.pop("cell"), custom_objects)
        return cls(cell, **config)
