"""`Metric`: Keras's stateful metric API, with state kept on the device.

`update_state` only runs tensor ops (in place, on the metric's device) so that a
training step that updates metrics never waits for the host; `result()` returns a
0-d tensor and only turning it into a Python number (the progress bar, History)
costs a sync.
"""

from __future__ import annotations

import functools

import torch

from keraslite import initializers
from keraslite.backend import dtypes, state
from keraslite.backend.variable import Variable
from keraslite.losses.loss import compute_dtype_name, squeeze_or_expand_to_same_rank, to_tensor


def without_grad(update):
    """`torch.no_grad()` around a metric's `update_state`, entered only when gradients are on.

    The training loops update metrics with gradients already off (evaluate's whole step,
    fit's tracker update); entering the context again costs more than the update of a
    small batch. Called by the user with gradients on, the update records no graph either way.
    """

    @functools.wraps(update)
    def update_without_grad(*args, **kwargs):
        if torch.is_grad_enabled():
            with torch.no_grad():
                return update(*args, **kwargs)
        return update(*args, **kwargs)

    return update_without_grad


class Metric:
    """Base class of metrics: `update_state(...)`, `result()`, `reset_state()`.

    Args:
        dtype: dtype of the state (default `floatx()`).
        name: the metric's name (as shown in logs).
    """

    def __init__(self, dtype=None, name: str | None = None):
        # An automatic name is unique in the session (`auc`, `auc_1`, ...), as in Keras.
        self.name = name or state.unique_name(state.to_snake_case(type(self).__name__))
        self._dtype_name = compute_dtype_name(dtype) or state.floatx()
        self._variables: list[Variable] = []
        self.__dict__.setdefault("_metrics", [])

    def __setattr__(self, name, value):
        # Metrics held as attributes are tracked, as in Keras: their variables are this
        # metric's too (`variables`, `reset_state`, the stateless methods).
        if isinstance(value, Metric) and not name.startswith("__"):
            tracked = self.__dict__.setdefault("_metrics", [])
            if all(value is not known for known in tracked):
                tracked.append(value)
        object.__setattr__(self, name, value)

    @property
    def dtype(self) -> str:
        return self._dtype_name

    @property
    def _torch_dtype(self) -> torch.dtype:
        return dtypes.to_torch_dtype(self._dtype_name)

    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation="sum", name=None) -> Variable:
        """A state variable (non-trainable); `reset_state` sets it to zeros, as in Keras.

        `initializer` is a name, an initializer object, a number or an array. `aggregation`
        (Keras's cross-replica rule: `"sum"`, `"mean"`, ...) is recorded on the variable."""
        torch_dtype = dtypes.to_torch_dtype(dtype) if dtype is not None else self._torch_dtype
        shape = tuple(shape)
        device = state.get_device()
        if initializer is None or initializer == "zeros":
            value = torch.zeros(shape, dtype=torch_dtype, device=device)
        elif isinstance(initializer, (int, float)) and not isinstance(initializer, bool):
            value = torch.full(shape, float(initializer), dtype=torch_dtype, device=device)
        elif isinstance(initializer, str) or callable(initializer):
            made = initializers.get(initializer)(shape, dtype=dtypes.standardize_dtype(torch_dtype))
            value = torch.as_tensor(made).to(device=device, dtype=torch_dtype)
        else:
            value = torch.as_tensor(initializer, dtype=torch_dtype).to(device)
        variable = Variable(
            value, trainable=False, aggregation=aggregation, name=name or "variable", path=f"{self.name}/{name}"
        )
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None) -> Variable:
        """The tf.keras-era name of `add_variable` (zeros when no initializer is given)."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self) -> list[Variable]:
        """This metric's state variables, then those of the metrics it holds as attributes."""
        variables = list(self._variables)
        for metric in self.__dict__.get("_metrics", []):
            variables.extend(metric.variables)
        return variables

    def _to_device(self, device: torch.device) -> None:
        """Move the state next to the data it accumulates (once, when a model moves)."""
        for variable in self._variables:
            if variable.device != device:
                variable.data = variable.data.to(device)

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError

    def result(self) -> torch.Tensor:
        raise NotImplementedError

    @torch.no_grad()
    def reset_state(self) -> None:
        """Zero every state variable (the held metrics' too), as Keras's base `reset_state` does."""
        for variable in self.variables:
            variable.zero_()

    def reset_states(self) -> None:
        """tf.keras 2's name for `reset_state` (what TF-2-era training loops call)."""
        self.reset_state()

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    # ------------------------------------------------------------------ stateless API
    def _check_metric_variables(self, metric_variables) -> list:
        metric_variables = list(metric_variables)
        if len(metric_variables) != len(self.variables):
            raise ValueError(
                "Argument `metric_variables` must be a list of tensors corresponding 1:1 to "
                f"{type(self).__name__}().variables. Received list with length {len(metric_variables)}, "
                f"but expected {len(self.variables)} variables."
            )
        return metric_variables

    def _run_on_values(self, metric_variables, action):
        """Run `action()` with the state replaced by `metric_variables`; the metric's own
        state is restored afterwards. Returns (what action returned, the state it left)."""
        variables = self.variables
        saved = [variable.data for variable in variables]
        try:
            for variable, value in zip(variables, metric_variables):
                variable.data = torch.as_tensor(value).to(device=variable.device, dtype=variable.dtype).clone()
            returned = action()
            new_values = [variable.data for variable in variables]
        finally:
            for variable, data in zip(variables, saved):
                variable.data = data
        return returned, new_values

    def stateless_update_state(self, metric_variables, *args, **kwargs) -> list:
        """`update_state` on the given state values; returns the new values (the metric's own
        state is left unchanged)."""
        metric_variables = self._check_metric_variables(metric_variables)
        return self._run_on_values(metric_variables, lambda: self.update_state(*args, **kwargs))[1]

    def stateless_result(self, metric_variables):
        """`result()` computed from the given state values."""
        metric_variables = self._check_metric_variables(metric_variables)
        return self._run_on_values(metric_variables, self.result)[0]

    def stateless_reset_state(self) -> list:
        """The state values `reset_state()` would produce (the metric's own state is unchanged)."""
        return self._run_on_values([v.data for v in self.variables], self.reset_state)[1]

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def reduce_to_samplewise_values(values, sample_weight, dtype: torch.dtype, reduce_fn=torch.mean):
    """Per-sample values and matching weights, as Keras reduces them: `reduce_fn` (a mean for
    `Mean`, a sum for `Sum`) over the axes the weights do not cover, then over the non-batch axes."""
    values = to_tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.ndim
        if values.ndim > weight_ndim:
            values = reduce_fn(values, dim=tuple(range(weight_ndim, values.ndim)))
        sample_weight = torch.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, dim=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, dim=tuple(range(1, values.ndim)))
    return values, sample_weight
