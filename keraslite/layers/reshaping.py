"""Reshaping layers: Flatten, Reshape, RepeatVector, Permute (views, no weights)."""

from __future__ import annotations

import math

from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.layer_arguments import standardize_data_format


class Flatten(Layer):
    """Flattens everything but the batch dimension (in channels-last order, as Keras)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)
        self.built = True

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = inputs.movedim(1, -1)
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(math.prod(rest))
        return (input_shape[0], size)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (one dim may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(target_shape)
        if sum(1 for d in target_shape if d == -1) > 1:
            raise ValueError(
                "There must be at most one unknown dimension (-1) in `target_shape`. Received: "
                f"target_shape={target_shape}"
            )
        self.target_shape = target_shape
        self.built = True

    def _resolved(self, input_shape):
        known = [d for d in input_shape[1:]]
        target = list(self.target_shape)
        if any(d is None for d in known):
            return tuple(None if d == -1 else d for d in target)
        total = int(math.prod(known))
        fixed = int(math.prod(d for d in target if d != -1))
        if -1 in target:
            if fixed == 0 or total % fixed:
                raise ValueError(
                    f'Layer "{self.name}" (Reshape): the total size of the input ({total} values per sample, '
                    f"shape {tuple(input_shape)}) cannot be reshaped to target_shape={self.target_shape}."
                )
            target[target.index(-1)] = total // fixed
        elif fixed != total:
            raise ValueError(
                f'Layer "{self.name}" (Reshape): the total size of the input ({total} values per sample, '
                f"shape {tuple(input_shape)}) must equal the total size of target_shape={self.target_shape} ({fixed})."
            )
        return tuple(target)

    def build(self, input_shape):
        self._resolved(input_shape)
        self.built = True

    def call(self, inputs):
        return inputs.reshape((inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolved(input_shape)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class RepeatVector(Layer):
    """Repeats a `(batch, features)` input `n` times: output `(batch, n, features)`.

    Args:
        n: number of repetitions.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        self.n = n
        self.input_spec = InputSpec(ndim=2)
        self.built = True

    def call(self, inputs):
        return inputs.unsqueeze(1).expand(-1, self.n, -1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


class Permute(Layer):
    """Permutes the non-batch dimensions: `dims` is a permutation of 1..rank-1
    (e.g. `(2, 1)` swaps the two axes of a `(batch, a, b)` input). The result is a view."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be "
                f"consecutive and start from 1. Received dims={dims}"
            )
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)
        self.built = True

    def call(self, inputs):
        return inputs.permute(0, *self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config
