"""What every layer has for quantization (`Layer` inherits `QuantizationMixin`):
`quantization_mode`, `dtype_policy` (setting a quantized policy on a built layer quantizes
it), `quantize`, `quantized_build`, `quantized_call`.

A layer class that can be quantized names a `QuantizationScheme` in its class attribute
`_quantization` (`Dense`: `quantized_dense.DENSE_QUANTIZATION`); the scheme builds the
quantized weights, converts float weights, and gives the quantized forward of each mode.
A quantized layer's forward is bound on the instance (`layer.call` becomes the scheme's
forward for its mode), so unquantized layers keep their `call` with no per-call check.
"""

from __future__ import annotations

from keraslite.backend import dtypes
from keraslite.mixed_precision import dtype_policies
from keraslite.quantizers.quantization_config import get_block_size_for_layer, validate_and_resolve_config

_CALIBRATED_MODES = ("gptq", "awq")


def calibrated_mode_error(mode: str) -> NotImplementedError:
    """The error of the modes keraslite does not implement yet (GPTQ, AWQ)."""
    return NotImplementedError(
        f"Quantization mode '{mode}' ({mode.upper()}, calibrated on a dataset) is not supported by keraslite yet. "
        "Supported modes: 'int8', 'int4', 'float8'."
    )


class QuantizationScheme:
    """How one layer class quantizes. Subclasses define the methods below.

    `modes`: the modes the class supports. `build(layer, shape, mode, config)` creates the
    quantized weights of a layer built (or loaded) in `mode`; `quantize(layer, mode, config)`
    replaces a built layer's float weights by quantized ones; `forward(layer, mode)` is the
    quantized forward (the parameters of the layer's `call`, plus `training` for the modes
    in `training_modes`); `saved_names(layer, mode)` lists the weights in the order Keras
    saves them."""

    modes: tuple = ()
    training_modes: tuple = ()

    def build(self, layer, shape, mode, config):
        raise NotImplementedError

    def quantize(self, layer, mode, config):
        raise NotImplementedError

    def forward(self, layer, mode):
        raise NotImplementedError

    def saved_names(self, layer, mode) -> list[str]:
        raise NotImplementedError


def remove_weight(layer, name: str) -> None:
    """Unregister the weight `name` (the float weight that quantization replaces)."""
    variable = layer._parameters.pop(name)
    layer._auto_named_parameters.discard(name)
    for group in (layer._trainable_variables, layer._non_trainable_variables):
        for index, candidate in enumerate(group):
            if candidate is variable:
                del group[index]
                break


class QuantizationMixin:
    """Quantization members of `Layer` (Keras's names and signatures)."""

    _quantization: QuantizationScheme | None = None

    @property
    def quantization_mode(self):
        """The quantization mode of this layer ("int8", "int4", "float8", ...), None if not quantized."""
        policy = self._dtype_policy
        if isinstance(policy, dtype_policies.DTypePolicyMap):
            policy = policy[self.name]
        return getattr(policy, "quantization_mode", None)

    @property
    def dtype_policy(self):
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        policy = dtype_policies.get(value)
        self._dtype_policy = policy
        if dtypes.is_float_dtype(policy.variable_dtype):
            self._dtype_name = dtypes.standardize_dtype(policy.variable_dtype)
            self._compute_torch_dtype = dtypes.to_torch_dtype(self._dtype_name)
        mode = policy.quantization_mode
        if mode is not None and self.built and not getattr(self, "_is_quantized", False):
            if mode == "gptq":
                raise ValueError(
                    f"Implicitly enabling GPTQ quantization by setting `dtype_policy` to '{value}' is not supported. "
                    "GPTQ requires a calibration dataset and a `GPTQConfig` object.\n\n"
                    "Please use the `.quantize('gptq', config=...)` method on the layer or model instead."
                )
            self.quantize(mode)

    def quantize(self, mode=None, type_check=True, config=None):
        """Quantize the weights of this built layer in place.

        Args:
            mode: "int8", "int4" or "float8" ("gptq" and "awq" are not implemented yet);
                optional when `config` gives it.
            type_check: refuse subclasses of the quantizable layer classes (their `call`
                may differ); pass False to quantize them anyway.
            config: a `keras.quantizers.QuantizationConfig` (quantizers, int4 block size).
        """
        config = validate_and_resolve_config(mode, config)
        mode = config.mode
        self._check_quantize_args(mode, self.compute_dtype)
        scheme = self._quantization
        if scheme is None or (type_check and type(self).__dict__.get("_quantization") is None):
            raise self._not_implemented_error(self.quantize)
        if mode in _CALIBRATED_MODES:
            raise calibrated_mode_error(mode)
        if mode not in scheme.modes:
            raise self._quantization_mode_error(mode)
        self.quantization_config = config
        scheme.quantize(self, mode, config)
        if self._dtype_policy.quantization_mode is None:
            policy_name = mode
            if mode == "int4":
                block_size = get_block_size_for_layer(self, config)
                policy_name = f"int4/{-1 if block_size is None else block_size}"
            self.dtype_policy = dtype_policies.get(f"{policy_name}_from_{self._dtype_policy.name}")

    def quantized_build(self, input_shape, mode):
        """Create the quantized weights for `mode` (a layer built or loaded with a quantized
        dtype policy); `input_shape` is the float weight's shape (e.g. Dense's kernel)."""
        scheme = self._quantization
        if scheme is None:
            raise self._not_implemented_error(self.quantized_build)
        if mode in _CALIBRATED_MODES:
            raise calibrated_mode_error(mode)
        if mode not in scheme.modes:
            raise self._quantization_mode_error(mode)
        scheme.build(self, input_shape, mode, getattr(self, "quantization_config", None))
        self._is_quantized = True
        # Route calls to the quantized forward. The class's call signature (which arguments
        # `__call__` passes) is cached first, from the class's own `call`.
        signature = self._call_signature()
        self.call = scheme.forward(self, mode)
        if mode in scheme.training_modes and not signature[0]:
            # This instance's forward takes `training` (float8 moves its scales while training).
            self._call_signature = lambda: (True,) + signature[1:]

    def quantized_call(self, *args, **kwargs):
        """The forward of the quantized layer (what a call runs once it is quantized)."""
        scheme = self._quantization
        mode = self.quantization_mode
        if scheme is None:
            raise self._not_implemented_error(self.quantized_call)
        if mode not in scheme.modes:
            raise self._quantization_mode_error(mode)
        return scheme.forward(self, mode)(*args, **kwargs)

    def _check_quantize_args(self, mode, compute_dtype):
        if not self.built:
            raise ValueError(
                f"Cannot quantize a layer that isn't yet built. Layer '{self.name}' (of type "
                f"'{self.__class__.__name__}') is not built yet."
            )
        if getattr(self, "_is_quantized", False):
            raise ValueError(
                f"Layer '{self.name}' is already quantized with dtype_policy='{self.dtype_policy.name}'. "
                f"Received: mode={mode}"
            )
        if mode not in dtype_policies.QUANTIZATION_MODES:
            raise ValueError(
                f"Invalid quantization mode. Expected one of {dtype_policies.QUANTIZATION_MODES}. Received: mode={mode}"
            )
        if mode == "int8" and compute_dtype == "float16":
            raise ValueError(
                f"Quantization mode='{mode}' doesn't work well with compute_dtype='float16'. Consider loading "
                "model/layer with another dtype policy such as 'mixed_bfloat16' or 'mixed_float16' before calling "
                "`quantize()`."
            )

    def _not_implemented_error(self, attr, msg=None):
        if callable(attr):
            attr_name, attr_type = attr.__name__, "method"
        else:
            attr_name, attr_type = str(attr), "attribute"
        msg = f" {msg}" if msg is not None else ""
        return NotImplementedError(
            f"Layer {self.__class__.__name__} does not have a `{attr_name}` {attr_type} implemented.{msg}"
        )

    def _quantization_mode_error(self, mode):
        modes = self._quantization.modes if self._quantization is not None else dtype_policies.QUANTIZATION_MODES
        return NotImplementedError(
            f"Invalid quantization mode. Expected one of {modes}. Received: quantization_mode={mode}"
        )

    def _saved_variables(self) -> list:
        """This layer's own weights in the order Keras saves them (`save_own_variables`):
        the float layout's order, or the quantized mode's (e.g. kernel, bias, kernel_scale)."""
        mode = self.quantization_mode
        if mode is None or self._quantization is None:
            return list(self._own_weights())
        parameters = self._parameters
        return [
            parameters[name] for name in self._quantization.saved_names(self, mode) if parameters.get(name) is not None
        ]
