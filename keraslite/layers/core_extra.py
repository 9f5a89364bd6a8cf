"""Core layers beyond Dense: EinsumDense, Masking, Lambda."""
from __future__ import annotations

import base64
import inspect
import marshal
import re
import types

import numpy as np
import torch

from keraslite import activations, constraints, initializers, regularizers
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer
from keraslite.layers.core import serialize_object


# ---------------------------------------------------------------------- EinsumDense
def analyze_einsum_equation(equation: str, bias_axes, input_shape, output_shape):
    """Kernel shape, bias shape and full output shape of an EinsumDense, as Keras derives
    them: `...` may stand for leading or trailing input dims that pass through unchanged."""
    plain = equation.replace("...", "0")
    for pattern, left_elided in (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False), ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True), ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False)):
        match = re.fullmatch(pattern, plain)
        if match:
            return _shapes_from_specs(*match.groups(), bias_axes, list(input_shape), output_shape, left_elided)
    raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")


def _shapes_from_specs(input_spec, weight_spec, output_spec, bias_axes, input_shape, output_shape, left_elided):
    elided = len(input_shape) - len(input_spec)
    full = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    full.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        # The elided leading dims (after the batch) pass through in order.
        full[1:1] = input_shape[1:elided]
    elif elided > 0:
        full.extend(input_shape[len(input_shape) - elided:])
    if left_elided:
        input_pos = {d: i + elided for i, d in enumerate(input_spec)}
        output_pos = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        input_pos = {d: i for i, d in enumerate(input_spec)}
        output_pos = {d: i for i, d in enumerate(output_spec)}
    for dim in input_spec:
        if dim in output_pos and full[output_pos[dim]] is not None and full[output_pos[dim]] != input_shape[input_pos[dim]]:
            raise ValueError(f"Input shape and output shape do not match at shared dimension '{dim}'. Input shape is {input_shape[input_pos[dim]]}, and output shape is {full[output_pos[dim]]}.")
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ValueError(f"Dimension '{dim}' was specified in the output '{output_spec}' but has no corresponding dim in the input spec '{input_spec}' or weight spec '{output_spec}'")
    kernel_shape = []
    for dim in weight_spec:
        if dim in output_pos:
            kernel_shape.append(full[output_pos[dim]])
        elif dim in input_pos:
            kernel_shape.append(input_shape[input_pos[dim]])
        else:
            raise ValueError(f"Weight dimension '{dim}' did not have a match in either the input spec '{input_spec}' or the output spec '{output_spec}'. For this layer, the weight must be fully specified.")
    bias_shape = None
    if bias_axes is not None:
        for char in bias_axes:
            if char not in output_spec:
                raise ValueError(f"Bias dimension '{char}' was requested, but is not part of the output spec '{output_spec}'")
        # The bias spans the output from its first biased axis on, broadcasting elsewhere.
        first = min(output_spec.find(char) for char in bias_axes)
        offset = elided if left_elided else 0
        bias_shape = [full[i + offset] if char in bias_axes else 1 for i, char in enumerate(output_spec) if i >= first]
        if not left_elided:
            bias_shape += [1] * max(elided, 0)
    return kernel_shape, bias_shape, full


class EinsumDense(Layer):
    """A dense layer of arbitrary dimensionality given by an einsum equation.

    Args:
        equation: `"ab,bc->ac"`-style equation: input, kernel, output specs; `...` may
            stand for pass-through leading (`"...b,bc->...c"`) or trailing dims.
        output_shape: the output shape without the batch dim (an int or tuple; None
            for dims that equal an input dim).
        activation: applied to the output; default linear.
        bias_axes: output axes (letters) that get a bias, or None.
        kernel_initializer, bias_initializer, *_regularizer, *_constraint: as Dense.

    Example: `EinsumDense("abc,cde->abde", output_shape=(None, 2, 8), bias_axes="de")`
    maps `(batch, seq, 16)` to `(batch, seq, 2, 8)`. As in Keras, a `None` in
    `output_shape` stays unknown in the symbolic output shape.
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None, kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        if lora_rank or quantization_config:
            raise NotImplementedError(f"EinsumDense {self.name}: LoRA and quantization are not supported. Received: lora_rank={lora_rank!r}, quantization_config={quantization_config!r}")
        self.equation = equation
        self.partial_output_shape = (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.full_output_shape = None

    def build(self, input_shape):
        kernel_shape, bias_shape, full = analyze_einsum_equation(self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        self.full_output_shape = tuple(full)
        self.kernel = self.add_weight(name="kernel", shape=kernel_shape, initializer=self.kernel_initializer, regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=bias_shape, initializer=self.bias_initializer, regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def call(self, inputs):
        x = torch.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        if self.full_output_shape is None:
            return tuple(analyze_einsum_equation(self.equation, self.bias_axes, input_shape, self.partial_output_shape)[2])
        return (input_shape[0],) + tuple(self.full_output_shape[1:])

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "output_shape": self.partial_output_shape,
                "equation": self.equation,
                "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": serialize_object(self.kernel_initializer),
                "bias_initializer": serialize_object(self.bias_initializer),
                "kernel_regularizer": serialize_object(self.kernel_regularizer),
                "bias_regularizer": serialize_object(self.bias_regularizer),
                "activity_regularizer": serialize_object(self.activity_regularizer),
                "kernel_constraint": serialize_object(self.kernel_constraint),
                "bias_constraint": serialize_object(self.bias_constraint),
                "quantization_config": None,
            }
        )
        return config


# ---------------------------------------------------------------------- Masking
class Masking(Layer):
    """Masks timesteps whose features all equal `mask_value`: their outputs become 0 and
    the output mask (`(batch, steps)`) is False there, for downstream layers (RNNs ...).

    Args:
        mask_value: the padding value (default 0.0).
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        keep = torch.any(inputs != self.mask_value, dim=-1, keepdim=True)
        outputs = inputs * keep.to(inputs.dtype)
        try:
            outputs._keras_mask = keep.squeeze(-1)
        except (AttributeError, RuntimeError):  # fake tensors during shape inference
            pass
        return outputs

    def compute_mask(self, inputs, mask=None):
        return torch.any(inputs != self.mask_value, dim=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(tuple(inputs.shape), self.compute_dtype, mask=KerasTensor(tuple(inputs.shape[:-1]), "bool"))

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config


# ---------------------------------------------------------------------- Lambda
_LAMBDA_UNSAFE = (
    "Requested the deserialization of a `Lambda` layer whose `function` is a Python lambda. "
    "This carries a potential risk of arbitrary code execution and thus it is disallowed by "
    "default. If you trust the source of the artifact, you can override this error by passing "
    "`safe_mode=False` to the loading function, or calling "
    "`keras.config.enable_unsafe_deserialization()`."
)


def dump_function(fn) -> dict:
    """A Python lambda -> Keras's `__lambda__` config (base64 marshalled code, defaults,
    closure values), readable by real Keras on the same Python version."""
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(cell.cell_contents for cell in fn.__closure__) if fn.__closure__ else None
    return {"class_name": "__lambda__", "config": {"code": code, "defaults": fn.__defaults__, "closure": closure}}


def load_function(config: dict):
    """Keras's `__lambda__` config -> the function (runs no code but builds it; callers
    must have checked safe mode)."""
    import keraslite

    code = marshal.loads(base64.decodebytes(config["code"].encode("ascii")))
    defaults = tuple(config["defaults"]) if isinstance(config.get("defaults"), list) else config.get("defaults")
    closure = config.get("closure")
    if closure is not None:
        closure = tuple(types.CellType(value) for value in closure)
    # Names a saved lambda usually refers to, resolved against keraslite.
    namespace = {"__builtins__": __builtins__, "keras": keraslite, "K": keraslite.backend, "np": np, "torch": torch}
    if hasattr(keraslite, "ops"):
        namespace["ops"] = keraslite.ops
    return types.FunctionType(code, namespace, code.co_name, defaults, closure)


def _is_python_lambda(fn) -> bool:
    return isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>"


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
        from keraslite.layers.layer_inputs import map_shape_structure
        from keraslite.backend import tree

        input_shape = tree.map_structure(lambda t: t.shape if isinstance(t, KerasTensor) else t, args[0])
        if callable(self._output_shape):
            shape = self._output_shape(input_shape)
        else:
            batch = tree.flatten(input_shape)[0]
            shape = map_shape_structure(lambda s: (batch,) + tuple(s), self._output_shape)
        return map_shape_structure(lambda s: KerasTensor(s, self.compute_dtype), shape)

    def _function_config(self, fn):
        if _is_python_lambda(fn):
            return dump_function(fn)
        return serialize_object(fn)

    def get_config(self):
        config = super().get_config()
        config["function"] = self._function_config(self.function)
        if self._output_shape is not None:
            config["output_shape"] = self._function_config(self._output_shape) if callable(self._output_shape) else self._output_shape
        if self.mask is not None:
            config["mask"] = self._function_config(self.mask) if callable(self.mask) else self.mask
        config["arguments"] = dict(self.arguments)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """`safe_mode=True` refuses Python lambdas; the default (None) trusts the caller
        (keraslite's loaders check `safe_mode` before they get here)."""
        from keraslite.serialization import serialization_lib as serialization

        config = dict(config)
        for key in ("function", "output_shape", "mask"):
            value = config.get(key)
            if isinstance(value, dict) and value.get("class_name") == "__lambda__":
                if safe_mode:
                    raise ValueError(_LAMBDA_UNSAFE)
                config[key] = load_function(value["config"])
            elif isinstance(value, dict) and "class_name" in value:
                config[key] = serialization.deserialize_keras_object(value, custom_objects=custom_objects, safe_mode=False)
            elif key == "function" and isinstance(value, str):
                config[key] = activations.get(value)  # a built-in activation saved by name
        if isinstance(config.get("output_shape"), list) and all(d is None or isinstance(d, int) for d in config["output_shape"]):
            config["output_shape"] = tuple(config["output_shape"])
        return cls(**config)
