"""`Lambda`: an arbitrary function of the inputs as a layer (saved as code when it is a
Python lambda, loadable only with `safe_mode=False`)."""

from __future__ import annotations

import inspect

from keraslite import activations
from keraslite.backend import tree
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer
from keraslite.layers.core import serialize_object
from keraslite.layers.layer_inputs import map_shape_structure
from keraslite.serialization import serialization_lib as serialization
from keraslite.serialization.function_code import dump_function, is_python_lambda, load_function

_LAMBDA_UNSAFE = (
    "Requested the deserialization of a `Lambda` layer whose `function` is a Python lambda. "
    "This carries a potential risk of arbitrary code execution and thus it is disallowed by "
    "default. If you trust the source of the artifact, you can override this error by passing "
    "`safe_mode=False` to the loading function, or calling "
    "`keras.config.enable_unsafe_deserialization()`."
)


class Lambda(Layer):
    """Wraps an arbitrary function of the inputs as a layer.

    Args:
        function: called as `function(inputs, **arguments)` (plus `mask=`/`training=` if
            it accepts them).
        output_shape: output shape without the batch dim, or a function of the input
            shape; inferred by running the function when omitted.
        mask: an output mask, or a function `(inputs, mask) -> mask`.
        arguments: extra keyword arguments for `function`.

    A Python lambda is saved as marshalled bytecode, like Keras; loading it requires
    `safe_mode=False`. Named functions are saved by reference (register them with
    `keras.saving.register_keras_serializable`).
    """

    # Tells the deserializer that loading this layer may run code from the file.
    _keraslite_carries_code = True

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda {self.name}: `function` must be callable. Received: function={function!r}")
        self.function = function
        self.arguments = arguments or {}
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):
            parameters = {}
        self._fn_expects_training_arg = "training" in parameters
        self._fn_expects_mask_arg = "mask" in parameters
        self.built = True

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_spec(self, *args, **kwargs):
        if self._output_shape is None:
            return super().compute_output_spec(*args, **kwargs)
        input_shape = tree.map_structure(lambda t: t.shape if isinstance(t, KerasTensor) else t, args[0])
        if callable(self._output_shape):
            shape = self._output_shape(input_shape)
        else:
            batch = tree.flatten(input_shape)[0]
            shape = map_shape_structure(lambda s: (batch,) + tuple(s), self._output_shape)
        return map_shape_structure(lambda s: KerasTensor(s, self.compute_dtype), shape)

    def _function_config(self, fn):
        if is_python_lambda(fn):
            return dump_function(fn)
        return serialize_object(fn)

    def get_config(self):
        config = super().get_config()
        config["function"] = self._function_config(self.function)
        if self._output_shape is not None:
            config["output_shape"] = (
                self._function_config(self._output_shape) if callable(self._output_shape) else self._output_shape
            )
        if self.mask is not None:
            config["mask"] = self._function_config(self.mask) if callable(self.mask) else self.mask
        config["arguments"] = dict(self.arguments)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """`safe_mode=True` refuses Python lambdas; the default (None) trusts the caller
        (keraslite's loaders check `safe_mode` before they get here)."""
        config = dict(config)
        for key in ("function", "output_shape", "mask"):
            value = config.get(key)
            if isinstance(value, dict) and value.get("class_name") == "__lambda__":
                if safe_mode:
                    raise ValueError(_LAMBDA_UNSAFE)
                config[key] = load_function(value["config"])
            elif isinstance(value, dict) and "class_name" in value:
                config[key] = serialization.deserialize_keras_object(
                    value, custom_objects=custom_objects, safe_mode=False
                )
            elif key == "function" and isinstance(value, str):
                config[key] = activations.get(value)  # a built-in activation saved by name
        if isinstance(config.get("output_shape"), list) and all(
            d is None or isinstance(d, int) for d in config["output_shape"]
        ):
            config["output_shape"] = tuple(config["output_shape"])
        return cls(**config)
