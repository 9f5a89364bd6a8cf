"""Configs of the calibrated quantization modes, GPTQ and AWQ: they quantize weights to a
few bits using activations recorded on a calibration dataset. keraslite builds and
serializes these configs as Keras does; quantizing with them is not implemented yet
(`quantize("gptq" | "awq", ...)` raises NotImplementedError)."""

from __future__ import annotations

from keraslite.quantizers.quantization_config import QuantizationConfig


def _check_calibration(num_samples, sequence_length) -> None:
    if num_samples <= 0:
        raise ValueError("num_samples must be a positive integer.")
    if sequence_length <= 0:
        raise ValueError("sequence_length must be a positive integer.")


class GPTQConfig(QuantizationConfig):
    """GPTQ (post-training quantization with Hessian-based error correction).

    Args:
        dataset: calibration data (strings or token arrays); not saved in the config.
        tokenizer: turns string samples into tokens; not saved in the config.
        weight_bits: 2, 3, 4 or 8.
        num_samples: calibration samples to use.
        per_channel: a scale per output channel.
        sequence_length: tokens per calibration sample.
        hessian_damping: fraction of the Hessian's mean diagonal added for stability, in [0, 1].
        group_size: weights per group sharing a scale (-1: per channel).
        symmetric: symmetric rather than asymmetric quantization.
        activation_order: quantize columns in order of activation magnitude.
        quantization_layer_structure: `{"pre_block_layers": [...], "sequential_blocks": [...]}`,
            else the model's `get_quantization_layer_structure`.
    """

    def __init__(
        self,
        dataset,
        tokenizer,
        *,
        weight_bits: int = 4,
        num_samples: int = 128,
        per_channel: bool = True,
        sequence_length: int = 512,
        hessian_damping: float = 0.01,
        group_size: int = 128,
        symmetric: bool = False,
        activation_order: bool = False,
        quantization_layer_structure: dict = None,
    ):
        super().__init__()
        if weight_bits not in [2, 3, 4, 8]:
            raise ValueError(f"Unsupported weight_bits {weight_bits}. Supported values are 2, 3, 4, and 8.")
        _check_calibration(num_samples, sequence_length)
        if hessian_damping < 0 or hessian_damping > 1:
            raise ValueError("hessian_damping must be between 0 and 1.")
        if group_size < -1 or group_size == 0:
            raise ValueError(
                "Invalid group_size. Supported values are -1 (whole-tensor) or a positive integer, "
                f"but got {group_size}."
            )
        self.dataset = dataset
        self.tokenizer = tokenizer
        self.num_samples = num_samples
        self.per_channel = per_channel
        self.sequence_length = sequence_length
        self.hessian_damping = hessian_damping
        self.weight_bits = weight_bits
        self.group_size = group_size
        self.symmetric = symmetric
        self.activation_order = activation_order
        self.quantization_layer_structure = quantization_layer_structure

    def get_config(self):
        return {
            # The dataset and tokenizer serve one calibration; they are not saved.
            "dataset": None,
            "tokenizer": None,
            "weight_bits": self.weight_bits,
            "num_samples": self.num_samples,
            "per_channel": self.per_channel,
            "sequence_length": self.sequence_length,
            "hessian_damping": self.hessian_damping,
            "group_size": self.group_size,
            "symmetric": self.symmetric,
            "activation_order": self.activation_order,
            "quantization_layer_structure": self.quantization_layer_structure,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    @property
    def mode(self):
        return "gptq"

    def dtype_policy_string(self):
        """The dtype policy mode this config gives a layer, e.g. "gptq/4/128"."""
        return f"gptq/{self.weight_bits}/{self.group_size}"


class AWQConfig(QuantizationConfig):
    """AWQ (activation-aware weight quantization, 4 bits).

    Args:
        dataset, tokenizer: calibration data and its tokenizer; not saved in the config.
        weight_bits: must be 4.
        num_samples, sequence_length: calibration samples and tokens per sample.
        group_size: weights per group sharing a scale (-1: per channel).
        num_grid_points: grid points searched for each channel's scale.
        quantization_layer_structure: as `GPTQConfig`.
    """

    def __init__(
        self,
        dataset,
        tokenizer,
        *,
        weight_bits: int = 4,
        num_samples: int = 128,
        sequence_length: int = 512,
        group_size: int = 128,
        num_grid_points: int = 20,
        quantization_layer_structure: dict = None,
    ):
        super().__init__()
        if weight_bits != 4:
            raise ValueError(f"AWQ only supports 4-bit quantization. Received weight_bits={weight_bits}.")
        _check_calibration(num_samples, sequence_length)
        if group_size < -1 or group_size == 0:
            raise ValueError(
                "Invalid group_size. Supported values are -1 (per-channel) or a positive integer, "
                f"but got {group_size}."
            )
        if num_grid_points <= 0:
            raise ValueError("num_grid_points must be a positive integer.")
        self.dataset = dataset
        self.tokenizer = tokenizer
        self.weight_bits = weight_bits
        self.num_samples = num_samples
        self.sequence_length = sequence_length
        self.group_size = group_size
        self.num_grid_points = num_grid_points
        self.quantization_layer_structure = quantization_layer_structure

    @property
    def mode(self):
        return "awq"

    def dtype_policy_string(self):
        """The dtype policy mode this config gives a layer, e.g. "awq/4/128"."""
        return f"awq/{self.weight_bits}/{self.group_size}"

    def get_config(self):
        return {
            "dataset": None,
            "tokenizer": None,
            "weight_bits": self.weight_bits,
            "num_samples": self.num_samples,
            "sequence_length": self.sequence_length,
            "group_size": self.group_size,
            "num_grid_points": self.num_grid_points,
            "quantization_layer_structure": self.quantization_layer_structure,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
