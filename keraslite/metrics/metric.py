"""`Metric`: Keras's stateful metric API, with state kept on the device.

`update_state` only runs tensor ops (in place, on the metric's device) so that a
training step that updates metrics never waits for the host; `result()` returns a
0-d tensor and only turning it into a Python number (the progress bar, History)
costs a sync.
"""

from __future__ import annotations

import torch

from keraslite.backend import dtypes, state
from keraslite.backend.variable import Variable
from keraslite.losses.loss import squeeze_or_expand_to_same_rank, to_tensor


class Metric:
    """Base class of metrics: `update_state(...)`, `result()`, `reset_state()`.

    Args:
        name: the metric's name (as shown in logs).
        dtype: dtype of the state (default `floatx()`).
    """

    def __init__(self, name: str | None = None, dtype=None):
        self.name = name or state.to_snake_case(type(self).__name__)
        self._dtype_name = dtypes.standardize_dtype(dtype) if dtype is not None else state.floatx()
        self._variables: list[Variable] = []
        self._initial_values: list[torch.Tensor] = []

    @property
    def dtype(self) -> str:
        return self._dtype_name

    @property
    def _torch_dtype(self) -> torch.dtype:
        return dtypes.to_torch_dtype(self._dtype_name)

    def add_variable(self, shape=(), initializer="zeros", dtype=None, name=None) -> Variable:
        """A state variable (non-trainable); reset to its initial value by `reset_state`."""
        torch_dtype = dtypes.to_torch_dtype(dtype) if dtype is not None else self._torch_dtype
        if initializer == "zeros":
            value = torch.zeros(tuple(shape), dtype=torch_dtype, device=state.get_device())
        elif isinstance(initializer, (int, float)):
            value = torch.full(tuple(shape), float(initializer), dtype=torch_dtype, device=state.get_device())
        else:
            value = torch.as_tensor(initializer, dtype=torch_dtype).to(state.get_device())
        variable = Variable(value, trainable=False, name=name or "variable", path=f"{self.name}/{name}")
        self._variables.append(variable)
        self._initial_values.append(value.clone())
        return variable

    @property
    def variables(self) -> list[Variable]:
        return list(self._variables)

    def _to_device(self, device: torch.device) -> None:
        """Move the state next to the data it accumulates (once, when a model moves)."""
        for variable, initial in zip(self._variables, self._initial_values):
            if variable.device != device:
                variable.data = variable.data.to(device)
        self._initial_values = [v.to(device) for v in self._initial_values]

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError

    def result(self) -> torch.Tensor:
        raise NotImplementedError

    @torch.no_grad()
    def reset_state(self) -> None:
        for variable, initial in zip(self._variables, self._initial_values):
            variable.copy_(initial)

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def reduce_to_samplewise_values(values, sample_weight, dtype: torch.dtype):
    """Per-sample values (mean over the non-batch axes) and matching weights, as Keras reduces them."""
    values = to_tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.ndim
        if values.ndim > weight_ndim:
            values = values.mean(dim=tuple(range(weight_ndim, values.ndim)))
        sample_weight = torch.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = sample_weight.mean(dim=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = values.mean(dim=tuple(range(1, values.ndim)))
    return values, sample_weight
