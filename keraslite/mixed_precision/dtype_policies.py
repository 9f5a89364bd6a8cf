"""`keras.dtype_policies`: the policy classes beyond `DTypePolicy` and their registry.

`FloatDTypePolicy` is Keras's alias of `DTypePolicy`. The quantized policies
(`QuantizedDTypePolicy` for int8/int4, `QuantizedFloat8DTypePolicy`, `Int4DTypePolicy`,
`GPTQDTypePolicy`, `AWQDTypePolicy`) parse, compare and serialize as in Keras; a layer whose
policy is quantized builds quantized weights (layers/layer_quantization.py).
`DTypePolicyMap` maps layer paths (exact, then regex patterns) to policies.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping

from keraslite.backend import dtypes
from keraslite.mixed_precision.policy import DTypePolicy, dtype_policy

QUANTIZATION_MODES = ("int8", "float8", "int4", "gptq", "awq")
_MODULE = "keras.dtype_policies"


class FloatDTypePolicy(DTypePolicy):
    """An alias of `DTypePolicy` (Keras keeps the name for older configs)."""


class QuantizedDTypePolicy(DTypePolicy):
    """A quantized policy: `mode` ("int8", "int4", ...) applied to weights of the float
    policy `source_name` (the global policy's name when None); named "<mode>_from_<source>"."""

    def __init__(self, mode, source_name=None):
        if source_name is None:
            source_name = dtype_policy().name
        super().__init__(source_name)
        if mode not in QUANTIZATION_MODES:
            raise ValueError(f"Invalid quantization mode. Expected one of {QUANTIZATION_MODES}. Received: mode={mode}")
        if self.compute_dtype == "float16" and mode == "int8":
            raise ValueError(f"Quantization mode='{mode}' doesn't work well with compute_dtype='float16'.")
        self._name = f"{mode}_from_{source_name}"
        self._source_name = source_name
        self._quantization_mode = mode

    def __eq__(self, other):
        return (
            super().__eq__(other)
            and self._quantization_mode == other._quantization_mode
            and self._source_name == other._source_name
        )

    __hash__ = DTypePolicy.__hash__

    def get_config(self):
        return {"mode": self._quantization_mode, "source_name": self._source_name}


class QuantizedFloat8DTypePolicy(QuantizedDTypePolicy):
    """float8 quantization, with the length of the scaling's amax history."""

    default_amax_history_length = 1024

    def __init__(self, mode, source_name=None, amax_history_length=1024):
        super().__init__(mode=mode, source_name=source_name)
        if not isinstance(amax_history_length, int):
            raise TypeError(
                f"`amax_history_length` must be an integer. Received: amax_history_length={amax_history_length}"
            )
        self._amax_history_length = amax_history_length

    @property
    def amax_history_length(self) -> int:
        return self._amax_history_length

    def __eq__(self, other):
        return super().__eq__(other) and self._amax_history_length == other._amax_history_length

    __hash__ = DTypePolicy.__hash__

    def get_config(self):
        return {**super().get_config(), "amax_history_length": self._amax_history_length}


def _split_mode(mode: str, algorithm: str, fields: tuple, policy: str) -> list[int]:
    parts = mode.split("/") if isinstance(mode, str) else []
    expected = "'" + "/".join([algorithm] + [f"<{f}>" for f in fields]) + "'"
    if len(parts) != len(fields) + 1 or parts[0] != algorithm:
        raise ValueError(f"Invalid mode for {policy}. Expected format {expected}, but got '{mode}'.")
    try:
        return [int(p) for p in parts[1:]]
    except ValueError:
        raise ValueError(
            f"Invalid mode for {policy}. {' and '.join(f'<{f}>' for f in fields)} must be "
            f"integer{'s' if len(fields) > 1 else ''}. Expected format {expected}, but got '{mode}'."
        ) from None


def _check_group(value: int, what: str, mode: str, meaning: str) -> None:
    if value < -1 or value == 0:
        raise ValueError(
            f"Invalid {what} in mode. Supported values are -1 ({meaning}) or a positive integer, "
            f"but got {value} from '{mode}'."
        )


class Int4DTypePolicy(QuantizedDTypePolicy):
    """int4 quantization with a block size: mode "int4/<block_size>" (-1: per channel)."""

    def __init__(self, mode, source_name=None):
        (block_size,) = _split_mode(mode, "int4", ("block_size",), "Int4DTypePolicy")
        _check_group(block_size, "block_size", mode, "per-channel")
        super().__init__(mode="int4", source_name=source_name)
        self._name = f"{mode}_from_{source_name}"
        self.mode = "int4"
        self.block_size = block_size

    def __eq__(self, other):
        return super().__eq__(other) and self.block_size == other.block_size

    __hash__ = DTypePolicy.__hash__

    def get_config(self):
        return {**super().get_config(), "mode": f"int4/{self.block_size}"}


class _GroupedWeightPolicy(QuantizedDTypePolicy):
    _algorithm = ""
    _bits = ()

    def __init__(self, mode, source_name=None):
        weight_bits, group_size = _split_mode(mode, self._algorithm, ("weight_bits", "group_size"), type(self).__name__)
        if weight_bits not in self._bits:
            raise ValueError(
                f"Invalid weight_bits in mode. Supported values are {', '.join(map(str, self._bits))}, "
                f"but got {weight_bits} from '{mode}'."
            )
        _check_group(group_size, "group_size", mode, "whole-tensor")
        super().__init__(mode=self._algorithm, source_name=source_name)
        self._name = f"{mode}_from_{source_name}"
        self.mode = self._algorithm
        self.weight_bits = weight_bits
        self.group_size = group_size

    def __eq__(self, other):
        return super().__eq__(other) and (self.weight_bits, self.group_size) == (other.weight_bits, other.group_size)

    __hash__ = DTypePolicy.__hash__

    def get_config(self):
        return {**super().get_config(), "mode": f"{self.mode}/{self.weight_bits}/{self.group_size}"}


class GPTQDTypePolicy(_GroupedWeightPolicy):
    """GPTQ quantization: mode "gptq/<weight_bits>/<group_size>" (bits 2, 3, 4 or 8)."""

    _algorithm = "gptq"
    _bits = (2, 3, 4, 8)


class AWQDTypePolicy(_GroupedWeightPolicy):
    """AWQ quantization: mode "awq/4/<group_size>" (AWQ quantizes to 4 bits only)."""

    _algorithm = "awq"
    _bits = (4,)


def quantized_policy_from_name(name: str) -> QuantizedDTypePolicy:
    """ "int8_from_float32", "int4/128_from_bfloat16", "gptq/4/64_from_float32" -> its policy."""
    if not isinstance(name, str) or not name.startswith(QUANTIZATION_MODES):
        raise ValueError(f"`policy` is incompatible with the current supported quantization. Received: {name!r}")
    parts = name.split("_from_")
    if len(parts) != 2:
        raise ValueError(
            "Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate "
            f"`QuantizedDTypePolicy`. Received: policy={name}"
        )
    mode, source = parts
    if mode.startswith("int4") and "/" in mode:
        return Int4DTypePolicy(mode, source)
    if mode.startswith("gptq"):
        return GPTQDTypePolicy(mode, source)
    if mode.startswith("awq"):
        return AWQDTypePolicy(mode, source)
    if mode.startswith("float8"):
        return QuantizedFloat8DTypePolicy(mode, source)
    return QuantizedDTypePolicy(mode, source)


class DTypePolicyMap(DTypePolicy, MutableMapping):
    """Layer paths -> policies. A lookup tries the exact path, then every key as a regex
    (`re.fullmatch`); two matching patterns are an error; no match gives `default_policy`
    (the global policy when None)."""

    def __init__(self, default_policy=None, policy_map=None):
        if isinstance(default_policy, DTypePolicyMap):
            raise ValueError("`default_policy` cannot be a `DTypePolicyMap`.")
        if policy_map is not None and not isinstance(policy_map, dict):
            raise TypeError(
                "If specified, `policy_map` must be a dict. "
                f"Received: policy_map={policy_map} of type {type(policy_map)}"
            )
        self._default_policy_arg = default_policy
        self._default_policy = get(default_policy)
        self._policy_map = policy_map or {}
        self._quantization_mode = None

    @property
    def default_policy(self):
        return get(self._default_policy)

    @property
    def name(self):
        return f"map_{self.default_policy.name}"

    @property
    def compute_dtype(self):
        return self.default_policy.compute_dtype

    @property
    def variable_dtype(self):
        return self.default_policy.variable_dtype

    @property
    def quantization_mode(self):
        return self.default_policy.quantization_mode

    def __getitem__(self, key):
        if key in self._policy_map:
            return self._policy_map[key]
        matches = [pattern for pattern in self._policy_map if re.fullmatch(pattern, key)]
        if len(matches) > 1:
            raise ValueError(
                f"Path '{key}' matches multiple dtype policy specification keys: {matches}. Please make sure each "
                "path only matches at most one dtype policy specification key in the DTypePolicyMap."
            )
        return self._policy_map[matches[0]] if matches else self.default_policy

    def __setitem__(self, key, policy):
        if key in self._policy_map:
            raise ValueError(
                f"{key} already exist in the DTypePolicyMap with value {self._policy_map[key]}. "
                "Please make sure to not use duplicated keys."
            )
        try:
            policy = get(policy)
        except Exception:
            raise ValueError(
                f"Cannot interpret the assigned value by `keras.dtype_policies.get`. Received: {policy} of type "
                f"{type(policy)}"
            ) from None
        self._policy_map[key] = policy

    def __delitem__(self, key):
        return self._policy_map.pop(key)

    def __contains__(self, key):
        return key in self._policy_map

    def __len__(self):
        return len(self._policy_map)

    def __iter__(self):
        return iter(self._policy_map)

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def get_config(self):
        return {
            "default_policy": self._default_policy_arg,
            "policy_map": {key: serialize(policy) for key, policy in self._policy_map.items()},
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["policy_map"] = {key: deserialize(value) for key, value in (config.get("policy_map") or {}).items()}
        return cls(**config)

    def __repr__(self):
        mapping = [(key, policy.name) for key, policy in self._policy_map.items()]
        return f"<DTypePolicyMap at {hex(id(self))} default_policy={self._default_policy.name}, mapping={mapping}>"


_CLASSES = {
    cls.__name__: cls
    for cls in (
        DTypePolicy,
        FloatDTypePolicy,
        QuantizedDTypePolicy,
        QuantizedFloat8DTypePolicy,
        Int4DTypePolicy,
        GPTQDTypePolicy,
        AWQDTypePolicy,
        DTypePolicyMap,
    )
}


def serialize(dtype_policy):
    """Keras's config of a policy: `{"module", "class_name", "config", "registered_name"}`."""
    class_name = type(dtype_policy).__name__
    if class_name not in _CLASSES:
        raise ValueError(f"Cannot serialize {dtype_policy!r}: not a keras.dtype_policies policy.")
    module = "keras" if class_name in ("DTypePolicy", "FloatDTypePolicy") else _MODULE
    return {"module": module, "class_name": class_name, "config": dtype_policy.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """A policy from its config dict (or from a policy name string)."""
    if isinstance(config, str):
        return get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret dtype policy config: {config!r}")
    class_name = config["class_name"]
    cls = (custom_objects or {}).get(class_name) or _CLASSES.get(class_name)
    if cls is None:
        raise ValueError(
            f"Unknown dtype policy class {class_name!r}. Known: {sorted(_CLASSES)}; pass a custom one in "
            "`custom_objects`."
        )
    return cls.from_config(config.get("config", {}))


def get(identifier):
    """A policy from None (the global policy), a policy, a config dict, a policy name
    ("mixed_float16", "int8_from_float32" ...) or a dtype."""
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier.startswith(QUANTIZATION_MODES):
            return quantized_policy_from_name(identifier)
        return DTypePolicy(identifier)
    try:
        return DTypePolicy(dtypes.standardize_dtype(identifier))
    except (ValueError, TypeError, KeyError):
        raise ValueError(
            f"Cannot interpret `dtype` argument. Expected a string or an instance of DTypePolicy. Received: "
            f"dtype={identifier}"
        ) from None
