"""Quantization configs: what `layer.quantize(...)` / `model.quantize(...)` are told to do.

A config names its `mode` ("int8", "int4", "float8", "gptq", "awq") and may carry the
quantizers for weights and activations; `validate_and_resolve_config` turns the
`(mode, config)` a caller gave into one config, as Keras's `quantize` wrapper does."""

from __future__ import annotations

from keraslite.mixed_precision.dtype_policies import QUANTIZATION_MODES, DTypePolicyMap, Int4DTypePolicy
from keraslite.quantizers.quantizers import AbsMaxQuantizer
from keraslite.serialization import serialization_lib as serialization


class QuantizationConfig:
    """Base class of quantization configs; subclasses define `mode`.

    Args:
        weight_quantizer: quantizer for the weights (None: the layer's default).
        activation_quantizer: quantizer for the inputs (None: weight-only quantization).
    """

    def __init__(self, weight_quantizer=None, activation_quantizer=None):
        self.weight_quantizer = weight_quantizer
        self.activation_quantizer = activation_quantizer

    @property
    def mode(self):
        raise NotImplementedError(
            "Subclasses must implement this property. Do not instantiate QuantizationConfig directly."
        )

    def get_config(self):
        return {
            "weight_quantizer": serialization.serialize_keras_object(self.weight_quantizer),
            "activation_quantizer": serialization.serialize_keras_object(self.activation_quantizer),
        }

    @classmethod
    def from_config(cls, config):
        return cls(
            weight_quantizer=serialization.deserialize_keras_object(config.get("weight_quantizer")),
            activation_quantizer=serialization.deserialize_keras_object(config.get("activation_quantizer")),
        )

    @staticmethod
    def weight_quantizer_or_default(config, default):
        if config is not None and config.weight_quantizer is not None:
            return config.weight_quantizer
        return default

    @staticmethod
    def activation_quantizer_or_default(config, default):
        if config is not None:
            return config.activation_quantizer
        return default


class Int8QuantizationConfig(QuantizationConfig):
    """int8 weights and (by default, `"default"`) int8 inputs through `AbsMaxQuantizer`."""

    def __init__(self, weight_quantizer=None, activation_quantizer="default"):
        if activation_quantizer == "default":
            activation_quantizer = AbsMaxQuantizer()
        super().__init__(weight_quantizer, activation_quantizer)
        if self.weight_quantizer is not None and self.weight_quantizer.output_dtype != "int8":
            raise ValueError(
                "Int8QuantizationConfig requires a weight_quantizer with output_dtype='int8'. Received: "
                f"output_dtype={self.weight_quantizer.output_dtype}"
            )

    @property
    def mode(self):
        return "int8"


class Int4QuantizationConfig(QuantizationConfig):
    """int4 weights (packed two per byte); inputs stay float unless a quantizer is given.

    Args:
        weight_quantizer, activation_quantizer: as `QuantizationConfig` (`"default"`: none).
        block_size: rows per group for sub-channel quantization (a scale and zero point per
            group and output); None or -1: one scale per output channel.
    """

    def __init__(self, weight_quantizer=None, activation_quantizer="default", block_size=128):
        if activation_quantizer == "default":
            activation_quantizer = None
        super().__init__(weight_quantizer, activation_quantizer)
        if block_size is not None and block_size != -1 and block_size <= 0:
            raise ValueError(f"block_size must be None, -1, or a positive integer. Received: block_size={block_size}")
        self.block_size = block_size
        sub_channel = block_size is not None and block_size > 0
        if sub_channel and (self.weight_quantizer is not None or self.activation_quantizer is not None):
            raise ValueError(
                "Int4 sub-channel quantization (block_size > 0) does not support custom quantizers. Either set "
                "block_size to None or -1 for per-channel quantization, or remove the custom quantizer arguments. "
                f"Received: block_size={block_size}"
            )
        if self.weight_quantizer is not None:
            # (a list once read back from JSON)
            if tuple(self.weight_quantizer.value_range) != (-8, 7):
                raise ValueError(
                    "Int4QuantizationConfig requires a weight_quantizer with value_range=(-8, 7). Received: "
                    f"value_range={self.weight_quantizer.value_range}"
                )
            if self.weight_quantizer.output_dtype != "int8":
                raise ValueError(
                    "Int4QuantizationConfig requires a weight_quantizer with output_dtype='int8'. Received: "
                    f"output_dtype={self.weight_quantizer.output_dtype}"
                )

    @property
    def mode(self):
        return "int4"

    def get_config(self):
        config = super().get_config()
        config["block_size"] = self.block_size
        return config

    @classmethod
    def from_config(cls, config):
        return cls(
            weight_quantizer=serialization.deserialize_keras_object(config.get("weight_quantizer")),
            activation_quantizer=serialization.deserialize_keras_object(config.get("activation_quantizer")),
            # Files from before block_size existed were per channel.
            block_size=config.get("block_size", None),
        )


class Float8QuantizationConfig(QuantizationConfig):
    """float8 training (delayed scaling); takes no quantizers."""

    def __init__(self):
        super().__init__(None, None)

    @property
    def mode(self):
        return "float8"

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls()


def _validate_mode(mode) -> None:
    if mode is not None and mode not in QUANTIZATION_MODES:
        raise ValueError(f"Invalid quantization mode. Expected one of {QUANTIZATION_MODES}. Received: mode={mode}")


def validate_and_resolve_config(mode, config):
    """The one config that `(mode, config)` means: a default config for a bare mode, the
    given config checked against the mode otherwise (a string config is a mode)."""
    if isinstance(config, str):
        mode, config = config, None
    _validate_mode(mode)
    if config is None:
        defaults = {"int8": Int8QuantizationConfig, "int4": Int4QuantizationConfig, "float8": Float8QuantizationConfig}
        if mode in defaults:
            config = defaults[mode]()
        elif mode == "gptq":
            raise ValueError("For GPTQ, you must pass a `GPTQConfig` object in the `config` argument.")
        elif mode == "awq":
            raise ValueError("For AWQ, you must pass an `AWQConfig` object in the `config` argument.")
        elif mode is not None:
            raise ValueError(f"Invalid quantization mode. Received: mode={mode}")
        else:
            raise ValueError("You must provide either `mode` or `config` to `quantize`.")
    elif not isinstance(config, QuantizationConfig):
        raise ValueError(
            f"Argument `config` must be an instance of `QuantizationConfig`. Received: config={config} "
            f"(of type {type(config)})"
        )
    if mode is not None and config.mode != mode:
        raise ValueError(f"Contradictory arguments: mode='{mode}' but config.mode='{config.mode}'")
    _validate_mode(config.mode)
    for name, class_name in (("gptq", "GPTQConfig"), ("awq", "AWQConfig")):
        if config.mode == name and type(config).__name__ != class_name and not _inherits(config, class_name):
            raise ValueError(
                f"Mode '{name}' requires a valid `config` argument of type `{class_name}`. Received: {type(config)}"
            )
    return config


def _inherits(obj, class_name: str) -> bool:
    return any(klass.__name__ == class_name for klass in type(obj).__mro__)


def get_block_size_for_layer(layer, config):
    """The int4 block size of `layer`: from an `Int4QuantizationConfig`, else from its
    `Int4DTypePolicy` (-1 read as None), else None (per channel, as older files are)."""
    if config and isinstance(config, Int4QuantizationConfig):
        return config.block_size
    policy = layer.dtype_policy
    if isinstance(policy, DTypePolicyMap):
        policy = policy[getattr(layer, "path", None) or layer.name]
    if isinstance(policy, Int4DTypePolicy):
        return None if policy.block_size == -1 else policy.block_size
    return None
