"""`keras.mixed_precision`: dtype policies. A `mixed_float16`/`mixed_bfloat16` global policy
makes `fit/evaluate/predict` run under `torch.autocast` on CUDA (weights stay float32),
with dynamic loss scaling for float16."""

from __future__ import annotations

import torch

from keraslite.backend import dtypes, state

_MIXED = {"mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}


def _parse_policy_name(name) -> tuple[str, str]:
    """A policy name -> (compute dtype, variable dtype)."""
    if not isinstance(name, str):
        raise TypeError(
            f"'name' must be a string, such as 'mixed_float16'. Received: name={name} (of type {type(name)})"
        )
    if name in _MIXED:
        return _MIXED[name]
    try:
        dtype = dtypes.standardize_dtype(name)
    except ValueError:
        dtype = None
    if dtype is None or dtype == "string":
        raise ValueError(
            f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid policies include 'mixed_float16', "
            "'mixed_bfloat16', and the name of any float dtype such as 'float32'."
        )
    return dtype, dtype


class DTypePolicy:
    """A dtype policy: `compute_dtype` (what layers compute in) and `variable_dtype` (weights).

    Args:
        name: `"float32"`, `"mixed_float16"`, `"mixed_bfloat16"`, or any dtype name such as
            `"bfloat16"` or `"int32"`; `None` takes the global policy's name.
    """

    def __init__(self, name: str | None = None):
        if name is None:
            name = global_policy().name
        self._compute_dtype, self._variable_dtype = _parse_policy_name(name)
        self._name = name
        self._quantization_mode = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._variable_dtype

    @property
    def quantization_mode(self) -> str | None:
        """The quantization mode ("int8", "float8", "int4", "gptq", "awq") or None."""
        return self._quantization_mode

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        plain = ("DTypePolicy", "FloatDTypePolicy")
        if type(self).__name__ in plain:
            if type(other).__name__ not in plain or not isinstance(other, DTypePolicy):
                return False
        elif type(other) is not type(self):
            return False
        return self._name == other._name

    def __hash__(self):
        return hash((self._name, self._quantization_mode))

    def __repr__(self):
        # FloatDTypePolicy is an alias of DTypePolicy and prints as one, as in Keras.
        class_name = "DTypePolicy" if type(self).__name__ == "FloatDTypePolicy" else type(self).__name__
        return f'<{class_name} "{self._name}">'


Policy = DTypePolicy
# None until first read or set: the default policy is `floatx()`'s at that moment, as in Keras.
_global_policy: DTypePolicy | None = None


def set_global_policy(policy) -> None:
    """Set the policy of layers created from now on and of training steps (`"mixed_float16"` ...)."""
    global _global_policy
    if not isinstance(policy, (DTypePolicy, str)):
        raise ValueError(
            "Invalid `policy` argument. Expected the string name of a policy (such as 'mixed_float16') or a "
            f"`DTypePolicy` instance. Received: policy={policy} (of type {type(policy)})"
        )
    _global_policy = policy if isinstance(policy, DTypePolicy) else DTypePolicy(policy)


def global_policy() -> DTypePolicy:
    global _global_policy
    if _global_policy is None:
        _global_policy = DTypePolicy(state.floatx())
    return _global_policy


def set_dtype_policy(policy) -> None:
    """Set the default dtype policy: a `DTypePolicy` or its name (`"mixed_float16"` ...)."""
    set_global_policy(policy)


def dtype_policy() -> DTypePolicy:
    """The default dtype policy (`keras.config.dtype_policy()`)."""
    return global_policy()


class LossScaler:
    """Dynamic loss scaling for float16: start at 2**15, halve on overflow, double after
    `growth_interval` finite steps."""

    def __init__(self, initial_scale: float = 2.0**15, growth_interval: int = 2000):
        self.scale_value = initial_scale
        self.growth_interval = growth_interval
        self._good_steps = 0

    def get_scale(self) -> float:
        return self.scale_value

    def scale(self, loss):
        return loss * self.scale_value

    def update_scale(self, found_inf: bool) -> None:
        if found_inf:
            self.scale_value = max(1.0, self.scale_value / 2)
            self._good_steps = 0
        else:
            self._good_steps += 1
            if self._good_steps >= self.growth_interval:
                self.scale_value *= 2
                self._good_steps = 0


def configure_step(runner, device: torch.device) -> None:
    """Set up autocast (and loss scaling) on a step runner according to the global policy."""
    policy = global_policy()
    if not policy.name.startswith("mixed_") or device.type != "cuda":
        return
    dtype = torch.float16 if policy.compute_dtype == "float16" else torch.bfloat16
    runner.autocast = ("cuda", dtype)
    if dtype == torch.float16:
        runner.grad_scaler = LossScaler()
