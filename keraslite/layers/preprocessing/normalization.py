"""Normalization: `(x - mean) / sqrt(variance)` with statistics given or learned by `adapt`."""

from __future__ import annotations

import math

import numpy as np
import torch

from keraslite.backend import state
from keraslite.layers.base_layer import Layer


class Normalization(Layer):
    """Shifts and scales inputs to zero mean and unit variance per index of `axis`.

    Args:
        axis: int, tuple of ints or None: the axes that keep a separate mean and
            variance (default -1, the features). None: one scalar mean and variance.
        mean, variance: the statistics, given directly (both or neither); otherwise
            call `adapt(data)` before use.
        invert: apply the inverse transformation (de-normalize).

    With `adapt`, the layer holds three non-trainable weights `mean`, `variance` and
    `count`, as in Keras. Output: the layer's dtype, same shape as the input.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert: bool = False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        self._build_input_shape = None
        self.mean = None
        self.variance = None
        if (mean is not None) != (variance is not None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` "
                f"must be set. Received: mean={mean} and variance={variance}"
            )
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    "When setting values directly, `mean` and `variance` must have the same shape. "
                    f"Received: mean shape {np.shape(mean)} and variance shape {np.shape(variance)}"
                )
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(
                    f"The rank of `mean` must be less than or equal to the number of axes ({len(self.axis)}). "
                    f"Received: mean shape {np.shape(mean)} for axis {self.axis}"
                )

    def build(self, input_shape) -> None:
        if input_shape is None:
            return
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        self._build_input_shape = input_shape
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                "All `axis` values must be in the range [-ndim, ndim). "
                f"Received inputs with ndim={ndim}, while axis={self.axis}"
            )
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(
                    f"All `axis` values to be kept must have a known shape. Received axis={self.axis}, "
                    f"inputs.shape={input_shape}, with unknown axis at index {d}"
                )
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [input_shape[d] if d in self._keep_axis else 1 for d in range(ndim)]
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean", shape=self._mean_and_var_shape, initializer="zeros", trainable=False
            )
            self.adapt_variance = self.add_weight(
                name="variance", shape=self._mean_and_var_shape, initializer="ones", trainable=False
            )
            self.count = self.add_weight(name="count", shape=(), dtype="int32", initializer="zeros", trainable=False)
            self.built = True
            self.finalize_state()
        else:
            mean = torch.as_tensor(np.asarray(self.input_mean), dtype=self._compute_torch_dtype)
            variance = torch.as_tensor(np.asarray(self.input_variance), dtype=self._compute_torch_dtype)
            if mean.ndim > 0:
                # Trailing dims of `mean` go to the trailing kept axes.
                expanded = [1] * ndim
                for i in range(1, mean.ndim + 1):
                    expanded[self._keep_axis[-i]] = mean.shape[-i]
                mean, variance = mean.reshape(expanded), variance.reshape(expanded)
            device = state.get_device()
            self.mean = torch.broadcast_to(mean, self._broadcast_shape).to(device)
            self.variance = torch.broadcast_to(variance, self._broadcast_shape).to(device)
            self.built = True

    def adapt(self, data) -> None:
        """Compute the mean and variance of `data` (a NumPy array, a torch tensor, a list
        of numbers, or an iterable of batches) along the non-kept axes."""
        if self.input_mean is not None:
            raise ValueError(
                f"Normalization layer {self.name} was given `mean` and `variance`; it has no statistics to adapt. "
                "Create it without them to learn them from data."
            )
        batches = None
        if isinstance(data, torch.Tensor):
            array = data.detach().cpu().numpy()
        elif isinstance(data, np.ndarray):
            array = data
        elif (
            isinstance(data, (list, tuple))
            and data
            and not hasattr(data[0], "shape")
            and not isinstance(data[0], tuple)
        ):
            array = np.asarray(data, dtype="float64")
        elif hasattr(data, "__iter__"):
            batches = [_batch_to_numpy(b) for b in data]
            if not batches:
                raise ValueError(
                    "adapt() received an empty iterable (no batches). Expected at least one batch. Pass a "
                    "non-empty iterable of arrays or tensors, e.g. layer.adapt([x]) or layer.adapt(list_of_batches)."
                )
            array = batches[0]
        else:
            raise TypeError(
                f"Unsupported data type: {type(data)}. `adapt` supports `np.ndarray`, torch tensors, "
                "and iterables of batches (e.g. list, generator)."
            )
        input_shape = tuple(array.shape)
        if not self.built:
            self._maybe_build(input_shape)
        else:
            for d in self._keep_axis:
                if input_shape[d] != self._build_input_shape[d]:
                    raise ValueError(
                        f"The layer was built with input_shape={self._build_input_shape}, but adapt() is being "
                        f"called with data with an incompatible shape, data.shape={input_shape}"
                    )
        if batches is None:
            total_mean = np.mean(array, axis=self._reduce_axis)
            total_var = np.var(array, axis=self._reduce_axis)
        else:
            # Chan et al.'s pairwise update: exact mean/variance over batches of any sizes.
            total_mean = np.zeros(self._mean_and_var_shape)
            total_var = np.zeros(self._mean_and_var_shape)
            total_count = 0
            for batch in batches:
                batch = batch.astype("float64")
                batch_mean = np.mean(batch, axis=self._reduce_axis)
                batch_var = np.var(batch, axis=self._reduce_axis)
                batch_count = math.prod(batch.shape[d] for d in self._reduce_axis) if self._reduce_axis else 1
                total_count += batch_count
                weight = batch_count / total_count
                new_mean = total_mean * (1 - weight) + batch_mean * weight
                total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - weight) + (
                    batch_var + (batch_mean - new_mean) ** 2
                ) * weight
                total_mean = new_mean
        with torch.no_grad():
            self.adapt_mean.copy_(torch.as_tensor(np.asarray(total_mean), dtype=self.adapt_mean.dtype))
            self.adapt_variance.copy_(torch.as_tensor(np.asarray(total_var), dtype=self.adapt_variance.dtype))
        self.finalize_state()

    def finalize_state(self) -> None:
        if self.input_mean is not None or not self.built:
            return
        # Views of the weights: set_weights/loading update what `call` uses.
        self.mean = self.adapt_mean.detach().reshape(self._broadcast_shape)
        self.variance = self.adapt_variance.detach().reshape(self._broadcast_shape)

    def set_weights(self, weights) -> None:
        super().set_weights(weights)
        self.finalize_state()

    def call(self, inputs):
        if self.mean is None:
            raise ValueError("You must call `.build(input_shape)` on the layer before using it.")
        inputs = inputs.to(self._compute_torch_dtype)
        if self.mean.device != inputs.device:
            # Given statistics are plain tensors (no weights, as Keras): move them once.
            self.mean, self.variance = self.mean.to(inputs.device), self.variance.to(inputs.device)
        mean, variance = self.mean, self.variance
        scale = torch.clamp_min(torch.sqrt(variance.to(inputs.dtype)), state.epsilon())
        if self.invert:
            return mean.to(inputs.dtype) + inputs * scale
        return (inputs - mean.to(inputs.dtype)) / scale

    def _invalidate_device_cache(self) -> None:
        if self.built and self.input_mean is None and hasattr(self, "adapt_mean"):
            self.finalize_state()

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(),
                "variance": np.array(self.input_variance).tolist(),
            }
        )
        return config

    def get_build_config(self):
        if self._build_input_shape:
            return {"input_shape": self._build_input_shape}
        return None

    def build_from_config(self, config) -> None:
        if config and not self.built:
            self._maybe_build(tuple(config["input_shape"]))


def _batch_to_numpy(batch):
    if isinstance(batch, (tuple, list)):
        # (x, y) or (x, y, sample_weight) batches, as a DataLoader yields them.
        batch = batch[0]
    if isinstance(batch, torch.Tensor):
        return batch.detach().cpu().numpy()
    if not hasattr(batch, "shape"):
        raise TypeError(
            "adapt() expects an iterable that yields arrays or tensors with a `.shape` attribute "
            f"(e.g. numpy arrays or torch tensors). Got an element of type {type(batch).__name__}."
        )
    return np.asarray(batch)
