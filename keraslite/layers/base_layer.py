"""`Layer`: a `torch.nn.Module` that keeps the Keras layer contract.

A layer is built on its first call from the input shape (`build(input_shape)` creating
weights with `add_weight`), then runs `call`. Called on KerasTensors it validates the
input against `input_spec`, infers the output and records a `Node`; called on arrays or
tensors it computes. Weights are `Variable`s (Parameters) in Keras layout.
"""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import torch

from keraslite import constraints, initializers, regularizers
from keraslite.backend import dtypes, state, tree
from keraslite.backend.conversion import to_numpy, to_tensor
from keraslite.backend.name_scope import current_path, name_scope
from keraslite.backend.variable import Variable
from keraslite.graph import shape_inference
from keraslite.graph.input_spec import assert_input_compatibility
from keraslite.graph.keras_tensor import KerasTensor, any_keras_tensor
from keraslite.graph.node import Node
from keraslite.graph.operation import Operation
from keraslite.layers import layer_state
from keraslite.layers.eager_call import eager_call, plain_eager_call
from keraslite.layers.layer_inputs import (
    flat_shapes,
    map_shape_structure,
    shape_of_constant,
)
from keraslite.layers.layer_quantization import QuantizationMixin
from keraslite.layers.layer_state import LayerStateMethods, RematerializedCall, build_in_name_scope
from keraslite.layers.masks import (
    default_compute_mask,
    overrides_compute_mask,
    resolve_mask,
    symbolic_output_masks,
)
from keraslite.mixed_precision import dtype_policies
from keraslite.mixed_precision.policy import DTypePolicy, global_policy
from keraslite.quantizers import lookup as quantizers_lookup
from keraslite.serialization.serialization_lib import keras_compatible_config

_LEGACY_INPUT_KWARGS = ("input_dim", "input_shape", "batch_input_shape", "batch_size", "input_length")
_ACCEPTED_KWARGS = _LEGACY_INPUT_KWARGS + ("weights",)
_FLAGS = (bool, type(None))


class Layer(QuantizationMixin, LayerStateMethods, Operation):
    """Base class of all layers (and of `Model`).

    Args:
        trainable: whether the layer's weights are updated by training.
        name: unique name; by default the snake-cased class name made unique
            (`dense`, `dense_1`, ...).
        dtype: the dtype of the weights and computations (default `floatx()`).
        activity_regularizer: penalty on the layer's output, added to `losses`.
    """

    # Set by keras.distribution.ModelParallel's FSDP (training/model_parallel.py): the
    # registered parameters are then FSDP's shards, and `weights` lists only the Keras variables
    # (distribution/sharded_variables.py: storage-free, read by gathering the shards).
    _weights_sharded = False

    def __init__(
        self,
        *,
        activity_regularizer=None,
        trainable: bool = True,
        dtype=None,
        autocast: bool = True,
        name: str | None = None,
        **kwargs,
    ):
        unknown = set(kwargs) - set(_ACCEPTED_KWARGS)
        if unknown:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{ {k: kwargs[k] for k in sorted(unknown)} }"
            )
        super().__init__(name=name)
        # Keras semantics: a layer runs in inference mode unless told otherwise
        # (fit passes training=True; PyTorch code may call .train()).
        self.training = False
        self._trainable = bool(trainable)
        self._dtype_policy = _resolve_dtype_policy(dtype)
        # Weights and eager computation use the variable dtype; a mixed policy's lower
        # precision comes from `torch.autocast` around the step (as Keras autocasts).
        self._dtype_name = dtypes.standardize_dtype(self._dtype_policy.variable_dtype)
        self._compute_torch_dtype = dtypes.to_torch_dtype(self._dtype_name)
        self.autocast = autocast
        self.built = False
        self.input_spec = None
        # Keras 3: a layer that defines its own `compute_mask` supports masking.
        self._supports_masking = overrides_compute_mask(self)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._trainable_variables: list[Variable] = []
        self._non_trainable_variables: list[Variable] = []
        self._auto_named_parameters: set[str] = set()
        self._call_losses: list[torch.Tensor] = []
        self._build_shapes = None
        self._initial_weights = kwargs.get("weights")
        self._batch_input_shape = _legacy_batch_input_shape(kwargs)
        self._path = None  # set when built: the open name scopes, then the name
        RematerializedCall.install_if_in_scope(self)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_keraslite_in_name_scope", False):
            cls.build = build_in_name_scope(build)

    # ------------------------------------------------------------------ attributes
    def __setattr__(self, name, value):
        # Lists/tuples of layers are tracked like Keras does (torch would not see them).
        if (
            isinstance(value, (list, tuple))
            and value
            and not name.startswith("_")
            and all(isinstance(v, torch.nn.Module) for v in value)
            and "_modules" in self.__dict__
        ):
            torch.nn.Module.__setattr__(self, name, value)
            self._modules[name] = torch.nn.ModuleList(value)
            return
        if isinstance(value, Variable) and "_parameters" in self.__dict__:
            params = self._parameters
            for key, param in params.items():
                if param is value and key != name:
                    if layer_state.replaces_placeholder(self, name, key):
                        # Over a `self.w = None`: read `_parameters[key]` (torch.export swaps it).
                        del self.__dict__[name]
                        self.__dict__.setdefault("_parameter_aliases", {})[name] = key
                    elif key in self._auto_named_parameters:
                        # `self.w = self.add_weight(...)`: keep the user's attribute name.
                        renamed = {(name if k == key else k): v for k, v in params.items()}
                        params.clear()
                        params.update(renamed)
                        self._auto_named_parameters.discard(key)
                    else:
                        object.__setattr__(self, name, value)
                    return
        super().__setattr__(name, value)

    def __getattr__(self, name):
        # Weights live in `_parameters` (not the instance dict): look there first, as
        # cheaply as possible, since `self.kernel` is read on every call.
        parameters = self.__dict__.get("_parameters")
        if parameters is not None and name in parameters:
            return parameters[name]
        aliases = self.__dict__.get("_parameter_aliases")
        if aliases is not None and name in aliases:
            return parameters[aliases[name]]
        try:
            # Straight to torch (not through Operation.__getattr__): one frame less on
            # every submodule read (`self.dense(x)` in a subclassed model's call).
            return torch.nn.Module.__getattr__(self, name)
        except AttributeError:
            # A property that raised AttributeError lands here (Python's fallback);
            # surface its own message instead of torch's "has no attribute".
            attribute = getattr(type(self), name, None)
            if isinstance(attribute, property):
                return attribute.fget(self)
            raise

    @property
    def dtype(self) -> str:
        return self._dtype_name

    @property
    def supports_masking(self) -> bool:
        """Whether the layer sets `compute_mask(inputs, previous_mask)` on its outputs (by
        default, whether its class defines `compute_mask`); otherwise masks stop here."""
        return self._supports_masking

    @supports_masking.setter
    def supports_masking(self, value: bool) -> None:
        self._supports_masking = value

    @property
    def compute_dtype(self) -> str:
        name = self._dtype_policy.name
        if name.startswith("mixed_") or "_from_mixed_" in name:  # also "int8_from_mixed_bfloat16"
            return self._dtype_policy.compute_dtype
        return self._dtype_name

    @property
    def variable_dtype(self) -> str:
        return self._dtype_name

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        self._trainable = value
        for variable in self._trainable_variables:
            variable.trainable = value
        for layer in self._flat_sublayers():
            layer.trainable = value

    def _flat_sublayers(self) -> list["Layer"]:
        """Direct sublayers (through ModuleLists and plain torch containers); for a
        functional model also the op nodes of its graph, which follow `trainable`."""
        found = []

        def visit(module):
            for child in module._modules.values():
                if child is None:
                    continue
                if isinstance(child, Operation):
                    if child not in found:
                        found.append(child)
                else:
                    visit(child)

        visit(self)
        return found

    @property
    def layers(self) -> list["Layer"]:
        return self._flat_sublayers()

    # ------------------------------------------------------------------ weights
    def add_weight(
        self,
        *args,
        shape=None,
        initializer=None,
        dtype=None,
        trainable: bool = True,
        autocast: bool = True,
        regularizer=None,
        constraint=None,
        aggregation="none",
        overwrite_with_gradient: bool = False,
        name: str | None = None,
        **kwargs,
    ) -> Variable:
        """Create a weight (a `Variable`) of Keras shape `shape`, registered on this layer.

        Keras 3's signature. The tf.keras 2 form with the name first,
        `add_weight("kernel", shape=...)`, is accepted too, as tutorials use it, and so
        are positional `shape, initializer, ...` (older Keras 3 code).
        `initializer` defaults to `glorot_uniform` for floating weights and `zeros`
        otherwise, as in Keras. `overwrite_with_gradient`: the optimizer overwrites the
        variable with its gradient instead of applying an update (float8 scaling factors).
        """
        if args and isinstance(args[0], str):
            name = args[0] if name is None else name
            args = args[1:]
        named = dict(shape=shape, initializer=initializer, dtype=dtype, trainable=trainable, autocast=autocast)
        named.update(regularizer=regularizer, constraint=constraint, aggregation=aggregation, name=name)
        named.update(zip(named, args))  # positional `shape, initializer, ...` (older Keras 3 code)
        variable = self._add_weight(**named, **kwargs)
        if overwrite_with_gradient:
            variable.overwrite_with_gradient = True
        return variable

    def _add_weight(
        self,
        shape=None,
        initializer=None,
        dtype=None,
        trainable: bool = True,
        autocast: bool = True,
        regularizer=None,
        constraint=None,
        aggregation="none",
        name: str | None = None,
        **kwargs,
    ) -> Variable:
        shape = tuple(int(d) for d in (shape if shape is not None else ()))
        if any(d is None for d in shape):
            raise ValueError(f"Layer {self.name}: weight shapes must be fully defined. Received: shape={shape}")
        dtype_name = dtypes.standardize_dtype(dtype if dtype is not None else self._dtype_name)
        if initializer is None:
            initializer = "glorot_uniform" if dtypes.is_float_dtype(dtype_name) else "zeros"
        initializer = initializers.get(initializer)
        auto_named = name is None
        if name is None:
            name = _next_free_weight_name(self, "variable")
        # Weights are made for real even while a shape is inferred under fake tensors.
        with shape_inference.real_tensors():
            value = initializer(shape, dtype=dtype_name)
            value = torch.as_tensor(value).to(device=state.get_device(), dtype=dtypes.to_torch_dtype(dtype_name))
        trainable = bool(trainable) and dtypes.is_float_dtype(dtype_name)
        # The variable's path is the layer's: `<open name scopes>/<layer name>/<weight name>`.
        with name_scope(self.name, caller=self):
            if self._path is None:
                self._path = current_path()
            variable = Variable(value, trainable=trainable and self._trainable, name=name, autocast=autocast)
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        register_name = name if name not in self._parameters else _next_free_weight_name(self, name)
        if (
            register_name in self.__dict__
            or register_name in self._modules
            or register_name in self._buffers
            or hasattr(type(self), register_name)
        ):
            register_name = _next_free_weight_name(self, "_" + register_name)
        self.register_parameter(register_name, variable)
        if auto_named:
            self._auto_named_parameters.add(register_name)
        (self._trainable_variables if trainable else self._non_trainable_variables).append(variable)
        return variable

    def _own_weights(self) -> list[torch.nn.Parameter]:
        own = list(self._trainable_variables) + list(self._non_trainable_variables)
        if self._weights_sharded:
            # FSDP (keras.distribution.ModelParallel) holds this layer's registered parameters
            # as shards; its weights are the Keras variables, whose values those shards hold.
            return own
        seen = {id(v) for v in own}
        # Plain torch parameters registered by torch-style code count as trainable weights.
        for param in self._parameters.values():
            if param is not None and id(param) not in seen:
                own.append(param)
                seen.add(id(param))
        return own

    @property
    def weights(self) -> list[torch.nn.Parameter]:
        """Own weights (trainable first), then each sublayer's, without duplicates."""
        result, seen = [], set()
        for weight in self._own_weights():
            if id(weight) not in seen:
                result.append(weight)
                seen.add(id(weight))
        for module in self._modules.values():
            if module is None:
                continue
            child_weights = module.weights if isinstance(module, Layer) else _torch_module_weights(module)
            for weight in child_weights:
                if id(weight) not in seen:
                    result.append(weight)
                    seen.add(id(weight))
        return result

    @property
    def variables(self) -> list[torch.nn.Parameter]:
        return self.weights

    @property
    def trainable_weights(self) -> list[torch.nn.Parameter]:
        if not self.trainable:
            return []
        return [w for w in self.weights if w.requires_grad]

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_weights(self) -> list[torch.nn.Parameter]:
        if not self.trainable:
            return self.weights
        return [w for w in self.weights if not w.requires_grad]

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        """The weights as NumPy arrays, in Keras order and layout."""
        # Copies: on the CPU `.numpy()` would share memory with the live parameters.
        return [to_numpy(w).copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Set the weights from NumPy arrays in Keras order and layout (as `get_weights`)."""
        current = self.weights
        weights = list(weights)
        if len(weights) != len(current):
            raise ValueError(
                f"Layer {self.name} weight shape mismatch: you called `set_weights(weights)` on "
                f"layer '{self.name}' with a weight list of length {len(weights)}, but the layer "
                f"was expecting {len(current)} weights."
            )
        converted = []
        for variable, value in zip(current, weights):
            value = to_numpy(value) if isinstance(value, torch.Tensor) else np.asarray(value)
            if tuple(value.shape) != tuple(variable.shape):
                raise ValueError(
                    f"Layer {self.name} weight shape mismatch for weight {getattr(variable, 'path', '?')}: "
                    f"expected shape {tuple(variable.shape)}, received value of shape {value.shape}"
                )
            converted.append(value)
        # Only write once every value is known to fit: a failed call changes nothing.
        with torch.no_grad():
            for variable, value in zip(current, converted):
                variable.copy_(to_tensor(value).to(dtype=variable.dtype, device=variable.device))

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # ------------------------------------------------------------------ losses
    def add_loss(self, loss) -> None:
        """Add a loss tensor (from inside `call`) to `layer.losses` for this forward pass."""
        self._call_losses.append(loss)

    @property
    def losses(self) -> list[torch.Tensor]:
        """Losses of the last call (activity regularization, `add_loss`) plus weight
        regularization penalties, for this layer and its sublayers."""
        result = list(self._call_losses)
        for weight in self._own_weights():
            regularizer = getattr(weight, "regularizer", None)
            if regularizer is not None:
                result.append(regularizer(weight))
        for layer in self._flat_sublayers():
            result.extend(layer.losses)
        return result

    def _clear_losses(self) -> None:
        self._call_losses.clear()
        for layer in self._flat_sublayers():
            layer._clear_losses()

    # ------------------------------------------------------------------ tf.keras 2's add_metric
    def add_metric(self, value, name=None, aggregation=None, **kwargs) -> None:
        """tf.keras 2: track the mean of `value` (a tensor computed in `call`) over each epoch
        as the metric `name`, which `fit`/`evaluate` then log beside the compiled metrics."""
        if name is None:
            raise ValueError(
                f"`{type(self).__name__}.add_metric` needs a name for the metric, as in "
                "`self.add_metric(tf.reduce_mean(x), name='mean_activation')`."
            )
        if aggregation not in (None, "mean"):
            raise ValueError(
                f"`add_metric` aggregation must be None or 'mean' (a sample-wise mean); received {aggregation!r}."
            )
        if isinstance(value, KerasTensor) or isinstance(value, torch._subclasses.FakeTensor):
            return  # a symbolic trace or a shape-inference run: nothing to measure
        metrics = self.__dict__.setdefault("_added_metrics", {})
        if name not in metrics:
            # By registered name (metrics sit above layers): the `Mean` of `keras.metrics`.
            metrics[name] = importlib.import_module("keraslite.metrics").Mean(name=name)
        metrics[name].update_state(value)

    def _collect_added_metrics(self) -> list:
        """The metrics `add_metric` made on this layer and its sublayers, in call order."""
        found = list(self.__dict__.get("_added_metrics", {}).values())
        for module in self.modules():
            for metric in module.__dict__.get("_added_metrics", {}).values():
                if all(metric is not m for m in found):
                    found.append(metric)
        return found

    # ------------------------------------------------------------------ building
    def build(self, input_shape) -> None:
        """Create the weights for inputs of `input_shape`. Subclasses override this."""
        self.built = True

    def _maybe_build(self, shapes) -> None:
        if self.built:
            return
        self._build_shapes = shapes
        # As in Keras, a layer builds inside its name scope: the sublayers it builds and
        # the weights it makes get paths under its own (`sequential/dense/kernel`).
        with name_scope(self.name, caller=self):
            self._path = current_path()
            self.build(shapes)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def compute_output_shape(self, input_shape):
        raise NotImplementedError(f"Layer {type(self).__name__} does not define compute_output_shape.")

    def compute_output_spec(self, *args, **kwargs):
        """The output KerasTensor(s) for symbolic inputs.

        Built-in layers compute it from `compute_output_shape`; a layer that does not
        define that (most custom layers) is run once on fake tensors to find out.
        """
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            input_shapes = tree.map_structure(lambda t: t.shape if isinstance(t, KerasTensor) else t, args[0])
            output_shape = self.compute_output_shape(input_shapes)
            return map_shape_structure(lambda shape: KerasTensor(shape, self.compute_dtype), output_shape)
        return shape_inference.infer_output_spec(self, args, kwargs)

    @default_compute_mask
    def compute_mask(self, inputs, previous_mask=None):
        """The mask of the outputs: by default the input's (`previous_mask`), unchanged."""
        return previous_mask

    # ------------------------------------------------------------------ calling
    def call(self, inputs, *args, **kwargs):
        return inputs

    def forward(self, *args, **kwargs):
        return self(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        if args:
            if isinstance(args[0], torch.Tensor) and (
                # A functional model's graph passes `training` alone: no KerasTensor to look for.
                (len(args) == 1 and (not kwargs or (len(kwargs) == 1 and type(kwargs.get("training")) in _FLAGS)))
                or not any_keras_tensor(args[1:], kwargs)
            ):
                return self._eager_call(*args, **kwargs)
        else:
            # `layer(logits=x, targets=y)`: as in Keras, the first argument of `call` may come
            # by keyword whatever its name. From here on (and in the `Node` a symbolic call
            # records) it is positional, where the build, the input spec and masks look for it.
            args = (self._pop_first_argument(kwargs),)
        if any_keras_tensor(args, kwargs):
            return self._symbolic_call(*args, **kwargs)
        return self._eager_call(*args, **kwargs)

    def _pop_first_argument(self, kwargs: dict):
        """The value of `call`'s first parameter, taken out of `kwargs` (a call without
        positional arguments)."""
        name = _first_call_parameter(type(self))
        if name is not None and name in kwargs:
            return kwargs.pop(name)
        if name is None and "inputs" in kwargs:
            # `call(self, *args, **kwargs)`: no name to look for; Keras's usual one.
            return kwargs.pop("inputs")
        expected = f"`{name}`" if name is not None else "`inputs`"
        raise TypeError(
            f"Layer '{self.name}' was called without its first argument: {type(self).__name__}.call() takes it "
            f"as {expected}, positionally or by keyword. Received: args=(), kwargs={sorted(kwargs)}"
        )

    def _eager_call(self, *args, **kwargs):
        inputs = args[0] if len(args) == 1 else None
        # The common case in a few attribute reads (see eager_call.py): one built leaf layer,
        # one tensor with no mask and nothing to convert, no mask kwarg, no losses to collect.
        if (
            isinstance(inputs, torch.Tensor)
            and self.built
            and (not kwargs or (len(kwargs) == 1 and "training" in kwargs))
            and not self._modules
            and self.activity_regularizer is None
            and getattr(inputs, "_keras_mask", None) is None
            and (not self.autocast or inputs.dtype == self._compute_torch_dtype or not inputs.is_floating_point())
            and not self._call_losses
            and not overrides_compute_mask(self)
        ):
            return plain_eager_call(self, inputs, kwargs.get("training"))
        return eager_call(self, args, kwargs)

    def _symbolic_call(self, *args, **kwargs):
        inputs = args[0]
        shapes = tree.map_structure(lambda t: t.shape if isinstance(t, KerasTensor) else shape_of_constant(t), inputs)
        assert_input_compatibility(self.input_spec, flat_shapes(shapes), self.name)
        if not self.built:
            with name_scope(self.name, caller=self):
                self._build_for_symbolic_call(shapes)
                return self._symbolic_call(*args, **kwargs)
        spec_kwargs = dict(kwargs)
        previous_mask = resolve_mask(self, self._call_signature()[1], inputs, args, spec_kwargs)
        outputs = self.compute_output_spec(*args, **spec_kwargs)
        outputs = symbolic_output_masks(self, inputs, outputs, previous_mask)
        # A mask found on the inputs (not passed by the user) is recorded apart from the
        # call's arguments: it is no graph input, the lowering reads it at run time.
        auto_mask = previous_mask if "mask" in spec_kwargs and "mask" not in kwargs else None
        node = Node(self, call_args=args, call_kwargs=kwargs, outputs=outputs, input_masks=auto_mask)
        return node.outputs

    def _build_for_symbolic_call(self, shapes) -> None:
        try:
            self._maybe_build(shapes)
        except (ValueError, TypeError, NotImplementedError):
            raise
        except Exception as error:
            raise shape_inference.same_kind_of_error(
                error,
                f"Exception encountered when building layer '{self.name}' "
                f"({type(self).__name__}) for input shape {shapes}: {error}",
            ) from error

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        policy = self._dtype_policy
        if policy.name.startswith("mixed_"):
            dtype = policy.name
        elif getattr(policy, "quantization_mode", None) is not None:
            dtype = dtype_policies.serialize(policy)  # Keras's policy config: it names the mode
        else:
            dtype = self._dtype_name
        config = {"name": self.name, "trainable": self.trainable, "dtype": dtype}
        base_init = Layer.__init__
        if type(self).__init__ is not base_init and type(self).get_config is Layer.get_config:
            # A custom layer with constructor arguments must describe them itself.
            parameters = inspect.signature(type(self).__init__).parameters
            extra = [p for p in parameters if p not in ("self", "args", "kwargs") and p not in config]
            if extra:
                raise NotImplementedError(
                    f"Layer {type(self).__name__} has arguments {extra} in `__init__()` and therefore "
                    "must override `get_config()`. Example:\n\n"
                    f"class {type(self).__name__}(keras.layers.Layer):\n"
                    "    def __init__(self, " + ", ".join(extra) + ", **kwargs):\n"
                    "        super().__init__(**kwargs)\n        ...\n\n"
                    "    def get_config(self):\n"
                    "        config = super().get_config()\n"
                    "        config.update({" + ", ".join(f'"{p}": self.{p}' for p in extra) + "})\n"
                    "        return config"
                )
        return config

    @classmethod
    def from_config(cls, config: dict):
        # Configs written by real Keras 3 carry keys (e.g. quantization_config=None) and
        # DTypePolicy dicts that only Keras knows; built-in layers take them too.
        config = keras_compatible_config(cls, config, builtin=cls.__module__.startswith("keraslite."))
        if isinstance(config.get("quantization_config"), dict):
            config["quantization_config"] = quantizers_lookup.deserialize(config["quantization_config"])
        try:
            return cls(**config)
        except Exception as error:
            raise TypeError(
                f"Error when deserializing class '{cls.__name__}' using config={config}.\n\n"
                f"Exception encountered: {error}"
            ) from error

    def get_build_config(self):
        if self._build_shapes is not None:
            return {"input_shape": self._build_shapes}
        return None

    def build_from_config(self, config):
        if config and not self.built:
            self._maybe_build(config["input_shape"])

    def extra_repr(self) -> str:
        return f"name={self.name!r}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    def _apply(self, fn, recurse=True):
        result = super()._apply(fn, recurse)
        # `.to(torch.float64)`/`.half()` change the compute dtype, as a torch user expects.
        for param in self._parameters.values():
            if param is not None and param.is_floating_point():
                if param.dtype != self._compute_torch_dtype:
                    self._compute_torch_dtype = param.dtype
                    self._dtype_name = dtypes.standardize_dtype(param.dtype)
                    if getattr(self._dtype_policy, "quantization_mode", None) is None:  # a quantized layer stays so
                        self._dtype_policy = DTypePolicy(self._dtype_name)
                break
        self._invalidate_device_cache()
        return result

    def _invalidate_device_cache(self) -> None:
        pass


# ---------------------------------------------------------------------- helpers
def _resolve_dtype_policy(dtype):
    """A layer's `dtype` argument -> DTypePolicy: None (the global policy), a dtype, a
    policy name like "mixed_float16", a DTypePolicy, or Keras 3's config dict of one."""
    if dtype is None:
        return global_policy()
    if isinstance(dtype, DTypePolicy):
        return dtype
    if isinstance(dtype, dict) and dtype.get("module") == "keras.dtype_policies":
        return dtype_policies.deserialize(dtype)  # quantized policies, DTypePolicyMap
    if isinstance(dtype, str) and "_from_" in dtype:
        return dtype_policies.get(dtype)  # "int8_from_float32", "int4/128_from_bfloat16"
    if isinstance(dtype, dict):
        return DTypePolicy(dtype.get("config", {}).get("name", "float32"))
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        return DTypePolicy(dtype)
    if hasattr(dtype, "variable_dtype") and hasattr(dtype, "name") and not isinstance(dtype, str):
        return DTypePolicy(dtype.name)
    name = dtypes.standardize_dtype(dtype)
    return DTypePolicy(name) if dtypes.is_float_dtype(name) else _IntegerPolicy(name)


class _IntegerPolicy:
    """The policy of a layer with a non-float dtype (e.g. an integer lookup)."""

    def __init__(self, name):
        self.name = self.compute_dtype = self.variable_dtype = name


def _first_call_parameter(cls) -> str | None:
    """The name of the first parameter of `cls.call` that a caller may pass by keyword
    (cached per class), or None when it takes `*args` first."""
    cached = cls.__dict__.get("_keraslite_first_call_parameter", False)
    if cached is False:
        cached = None
        for parameter in inspect.signature(cls.call).parameters.values():
            if parameter.name == "self":
                continue
            if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
                cached = parameter.name
            break
        setattr(cls, "_keraslite_first_call_parameter", cached)
    return cached


def _torch_module_weights(module: torch.nn.Module) -> list:
    return [p for p in module.parameters()]


def _next_free_weight_name(layer: Layer, base: str) -> str:
    name, index = base, 0
    while name in layer._parameters:
        index += 1
        name = f"{base}_{index}"
    return name


def _legacy_batch_input_shape(kwargs):
    if kwargs.get("batch_input_shape") is not None:
        return tuple(kwargs["batch_input_shape"])
    if kwargs.get("input_shape") is not None:
        shape = kwargs["input_shape"]
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        return (kwargs.get("batch_size"),) + shape
    if kwargs.get("input_dim") is not None:
        if kwargs.get("input_length") is not None:
            return (kwargs.get("batch_size"), kwargs["input_length"])
        return (kwargs.get("batch_size"), int(kwargs["input_dim"]))
    return None
