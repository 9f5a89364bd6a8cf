"""`Model`: what every model has (training, saving, summary, layer access); `Model`
subclasses that define `call` are subclassed models, whose forward is their `call`.

`keras.Model(inputs, outputs)` returns a `Functional` (models/functional.py), which builds
on `Model`; so does a subclass of `Model` constructed that way (Keras's "functional
subclass"). Saving lives in `saving/`: the methods here hand it the model.
"""

from __future__ import annotations

import functools
import inspect
import json
import textwrap

import numpy as np
import torch

from keraslite.backend import dtypes, state, tree
from keraslite.backend.name_scope import current_path, name_scope
from keraslite.export import export_api
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer
from keraslite.layers.layer_inputs import (  # noqa: F401  (select_by_input_name: also importable from here)
    check_input_shape,
    convert_inputs,
    is_string_array,
    match_input_rank,
    select_by_input_name,
    warn_unknown_input_keys,
)
from keraslite.models import state_tree as state_tree_lib
from keraslite.models import summary as summary_table
from keraslite.models import torch_forward
from keraslite.models.keras2_methods import Keras2ModelMethods
from keraslite.models.model_quantization import ModelQuantization
from keraslite.saving import saving_api
from keraslite.serialization import serialization_lib as serialization
from keraslite.training.trainer import Trainer

_AUTO_CONFIG_TYPES = (str, int, float, bool, type(None))

_SUBCLASSED_CONFIG_ERROR = textwrap.dedent(
    """\
    Model {name} (class {cls}) is a subclassed model whose constructor arguments are not all
    plain values (str, int, float, bool, None, and lists/dicts of them), so its config cannot be
    generated automatically. Override `get_config()` (and, if needed, `from_config()`):

        class {cls}(keras.Model):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.units = units
                ...

            def get_config(self):
                config = super().get_config()
                config.update({{"units": self.units}})
                return config
    """
)


def _is_symbolic(value) -> bool:
    """Whether `value` is (a structure of) KerasTensors: a functional model's inputs."""
    return any(isinstance(x, KerasTensor) for x in tree.flatten(value))


def _describe(value) -> str:
    """`value` for an error message (a layer passed by mistake may not be initialized yet)."""
    return f"<{type(value).__name__} object>" if isinstance(value, Layer) else repr(value)


def _is_functional_call(args, kwargs) -> bool:
    if "inputs" in kwargs and "outputs" in kwargs:
        return True
    if len(args) in (2, 3) or (len(args) == 1 and "outputs" in kwargs):
        return True
    return False


class Model(Trainer, Keras2ModelMethods, ModelQuantization, Layer):
    """A model: groups layers into an object with training and inference features.

    Functional: `keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")`,
    where `inputs`/`outputs` are KerasTensors (single, list or dict).
    Subclassed: define layers in `__init__` and the forward pass in `call`.

    A Model is a `torch.nn.Module`: `.to(device)`, `.parameters()`, `.state_dict()` work.
    """

    # The class `Model(inputs, outputs)` returns, set by models/functional.py (Functional
    # builds on Model, so this module cannot import it).
    _functional_class: type | None = None

    def __new__(cls, *args, **kwargs):
        if cls is Model and _is_functional_call(args, kwargs):
            cls = Model._functional_class
        return super().__new__(cls)

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        """`Model(inputs, outputs, name=...)` builds a functional model; a subclass calls
        `super().__init__(name=..., trainable=..., dtype=...)` without inputs and outputs."""
        if outputs is None and inputs is not None and state.dialect() == "tf2" and not _is_symbolic(inputs):
            # tf.keras 2 ignored a positional argument that is not a functional model's inputs
            # (tutorials write `super().__init__(self)`); Keras 3 refuses it.
            inputs = None
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise TypeError(
                    f"{type(self).__name__}.__init__() takes both `inputs` and `outputs` (a functional model, "
                    "Model(inputs, outputs)) or neither (a subclassed model, with keyword arguments name, "
                    f"trainable, dtype). Received: inputs={_describe(inputs)}, outputs={_describe(outputs)}"
                )
            # A Model subclass whose __init__ passes inputs and outputs up: it becomes functional.
            _with_functional_base(type(self))
            Model._functional_class.__init__(self, inputs, outputs, name=name, **kwargs)
            return
        Layer.__init__(self, name=name, **kwargs)
        # Read by training/ until it asks the model instead; nothing in models/ or saving/ reads it.
        self._is_graph_network = False
        self._device_cache = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        # Only user subclasses need Keras's auto config; keraslite's own models write theirs.
        if (
            init is not None
            and not cls.__module__.startswith("keraslite.")
            and not getattr(init, "_keraslite_records_config", False)
        ):
            cls.__init__ = _record_init_arguments(init)

    @classmethod
    def _auto_name_base(cls) -> str:
        return "model" if cls is Model else state.to_snake_case(cls.__name__)

    def _obj_type(self) -> str:
        """What saving walks this as (Keras's names): "Model", "Functional" or "Sequential"."""
        return "Model"

    # ------------------------------------------------------------------ layers
    @property
    def graph_module(self) -> torch.fx.GraphModule:
        """The `torch.fx.GraphModule` that computes a functional model (read its `.code`)."""
        raise AttributeError(
            f"Model {self.name} is not a functional model: it has no graph_module (its forward is `call`)."
        )

    @property
    def layers(self) -> list[Layer]:
        return self._flat_sublayers()

    @property
    def input_names(self) -> list[str]:
        """The keys that data for this model's inputs uses, in input order: the keys of a dict
        of inputs (Keras matches dict data by them), else the input layers' names."""
        structure = getattr(self, "_inputs_struct", None)
        if isinstance(structure, dict) and len(structure) == len(self.inputs):
            return [str(key) for key in structure]
        return [t._keras_history.layer.name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        return [t._keras_history.layer.name for t in self.outputs]

    @property
    def input_shape(self):
        return tree.map_structure(lambda t: tuple(t.shape), self._inputs_struct)

    @property
    def output_shape(self):
        return tree.map_structure(lambda t: tuple(t.shape), self._outputs_struct)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by `name` or by `index` in `model.layers`."""
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: index={index}, name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has {len(self.layers)} layers."
                )
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # ------------------------------------------------------------------ calling
    def _device(self) -> torch.device:
        if self._device_cache is None:
            first = next(iter(self.parameters()), None)
            self._device_cache = first.device if first is not None else state.get_device()
        return self._device_cache

    def _invalidate_device_cache(self) -> None:
        self._device_cache = None

    def _flatten_call_inputs(self, inputs) -> list:
        """Model inputs (single, list, or dict keyed by input name) -> flat list in input order."""
        names = self.input_names
        if isinstance(inputs, dict):
            if len(inputs) != len(names):
                warn_unknown_input_keys(inputs, names)
            return select_by_input_name(inputs, names, f'Model "{self.name}"')
        flat = tree.flatten(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(flat) != len(names):
            raise ValueError(
                f'Layer "{self.name}" expects {len(names)} input(s), but it received {len(flat)} input tensors. '
                f"Expected inputs: {names}"
            )
        return flat

    def _standardize_input(self, value, spec: KerasTensor, index: int):
        if not isinstance(value, torch.Tensor):
            value = convert_inputs(value)
        if spec._dtype == "string":
            value = np.asarray(value)
            if not is_string_array(value):
                raise TypeError(
                    f'Input {index} ("{spec.name}") of model "{self.name}" expects strings. Received an array of '
                    f"dtype {value.dtype}."
                )
            value = match_input_rank(value, spec._shape)
            check_input_shape(self.name, index, spec.name, spec._shape, value.shape, rank_only=True)
            return value
        target_dtype = dtypes.to_torch_dtype(spec._dtype)
        if (
            target_dtype.is_floating_point
            and self._compute_torch_dtype != target_dtype
            and self._compute_torch_dtype.is_floating_point
        ):
            target_dtype = self._compute_torch_dtype
        device = self._device()
        if value.dtype != target_dtype or value.device != device:
            value = value.to(device=device, dtype=target_dtype, non_blocking=True)
        value = match_input_rank(value, spec._shape)
        check_input_shape(self.name, index, spec.name, spec._shape, value.shape)
        return value

    def _training_signature(self):
        """What `fit/evaluate/predict` need to know of the model's graph; `None` for a model
        without one (subclassed: training learns its structure from the first batch)."""
        return None

    def _has_forward(self) -> bool:
        """Whether the model defines a forward pass (`call`). Training asks before calling a
        model to learn its outputs: a model whose steps are all overridden may have none."""
        return type(self).call is not Model.call

    @property
    def forward(self):
        """The model as torch's tools call it (`torch.export`, `torch.onnx.export`): calling it
        calls the model, and its signature is `call`'s (a functional model's names its inputs),
        so that `dynamic_shapes` and input names match arguments (models/torch_forward.py)."""
        override = self.__dict__.get("_forward_override")
        return override if override is not None else self._torch_forward()

    @forward.setter
    def forward(self, method):
        # torch patches `forward` for a while (torch.export's `patch_forward`) and puts it back.
        self.__dict__["_forward_override"] = method

    @forward.deleter
    def forward(self):
        self.__dict__.pop("_forward_override", None)

    def _torch_forward(self):
        return torch_forward.call_signature_forward(self)

    def call(self, inputs, training=None, mask=None):
        raise NotImplementedError(
            f"Model {type(self).__name__} has no `call` method. A subclassed model must define "
            "`call(self, inputs, training=None)`; a functional model is built with Model(inputs, outputs)."
        )

    def _maybe_build(self, shapes) -> None:
        if not self.built and type(self).build is Model.build:
            # A subclassed model without its own `build`: its first call (in its name scope,
            # see `Layer._eager_call`) builds the sublayers.
            self._build_shapes = shapes
            with name_scope(self.name, caller=self):
                self._path = current_path()
            self.built = True
            return
        Layer._maybe_build(self, shapes)

    def build(self, input_shape=None):
        if self.built:
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument to build a subclassed model.")
        shapes = (
            input_shape
            if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (tuple, list))
            else [input_shape]
        )
        dummies = [torch.zeros([1 if d is None else d for d in s], device=self._device()) for s in shapes]
        with torch.no_grad():
            self(dummies[0] if len(dummies) == 1 else dummies)
        self.built = True

    # ------------------------------------------------------------------ inspection
    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn=None,
        expand_nested=False,
        show_trainable=False,
        layer_range=None,
    ):
        """Print a table of the model's layers, output shapes and parameter counts."""
        self._print_summary(None, line_length, positions, print_fn, expand_nested, show_trainable, layer_range)

    def _print_summary(
        self, graph, line_length, positions, print_fn, expand_nested=False, show_trainable=False, layer_range=None
    ) -> None:
        summary_table.print_summary(
            self,
            graph,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )

    # ------------------------------------------------------------------ configs
    def get_config(self) -> dict:
        """A subclassed model's config: its constructor arguments (recorded automatically
        when they are plain values; otherwise override `get_config`)."""
        config = {"name": self.name, "trainable": self.trainable}
        auto = self.__dict__.get("_auto_config")
        if auto is None and _has_custom_init(type(self)):
            raise NotImplementedError(_SUBCLASSED_CONFIG_ERROR.format(name=self.name, cls=type(self).__name__))
        if auto:
            config.update(auto)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None, safe_mode: bool = True):
        """Rebuild a model from `get_config()`'s output (or a Keras 3 / tf.keras 2 config).

        Args:
            config: the config dict.
            custom_objects: `{"CustomDense": CustomDense, ...}` for classes that are not
                built in or registered.
        """
        functional = Model._functional_class
        is_functional_config = isinstance(config, dict) and all(
            k in config for k in ("layers", "input_layers", "output_layers")
        )
        looks_functional = isinstance(config, dict) and "layers" in config and cls in (Model, functional)
        if (is_functional_config and Model._functional_like_constructor(cls)) or looks_functional:
            return functional._from_graph_config(cls, config, custom_objects, safe_mode)
        try:
            return cls(**config)
        except TypeError as error:
            raise TypeError(
                "Unable to revive model from config. When overriding the `get_config()` method, make sure "
                f"that the returned config contains all items used as arguments in the constructor to {cls}, "
                "which is the default behavior. You can override this default behavior by defining a "
                f"`from_config(cls, config)` class method to specify how to create an instance of {cls.__name__} "
                f"from its config.\n\nReceived config={config}\n\nError encountered during deserialization: {error}"
            ) from error

    @staticmethod
    def _functional_like_constructor(cls) -> bool:
        """Whether `cls(inputs=..., outputs=..., name=...)` builds it (Keras's rule)."""
        functional = Model._functional_class
        if cls in (Model, functional):
            return True
        init = getattr(cls.__init__, "__wrapped__", cls.__init__)
        parameters = list(inspect.signature(init).parameters.values())[1:]
        names = [
            p.name
            for p in parameters
            if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        ]
        if names[:2] == ["inputs", "outputs"] and issubclass(cls, functional):
            return True
        kinds = {p.kind for p in parameters}
        return inspect.Parameter.VAR_POSITIONAL in kinds and inspect.Parameter.VAR_KEYWORD in kinds and not names

    def _legacy_config(self) -> dict:
        """This model's config in tf.keras 2's format, for legacy `.h5` files."""
        raise NotImplementedError(
            f"Model {self.name} is a subclassed model: the legacy `.h5` format can only hold functional and "
            "Sequential models. Save it as `.keras` (with a `get_config()`), or save its weights alone."
        )

    def build_from_config(self, config) -> None:
        """Create the weights from a saved `build_config` ({"input_shape": ...}). A
        subclassed model creates its sublayers' weights on its first call, so it is run
        once on zeros of that shape (as Keras does)."""
        shape = (config or {}).get("input_shape")
        if shape is None:
            return
        if type(self).build is not Model.build:
            if not self.built:
                self._maybe_build(shape)
            return
        if self.built and self.weights:
            return
        self.built = False
        Model.build(self, shape)

    def to_json(self, **kwargs) -> str:
        """The model's config (Keras 3's `{"module", "class_name", "config", ...}`) as JSON."""
        return json.dumps(serialization.serialize_keras_object(self), **kwargs)

    # ------------------------------------------------------------------ state tree
    def get_state_tree(self, value_format: str = "backend_tensor") -> dict:
        """The model's variables as nested dicts keyed by the parts of their paths:
        `{"trainable_variables": {"sequential": {"dense": {"kernel": ...}}},
        "non_trainable_variables": ..., "optimizer_variables": ..., "metrics_variables": ...}`.

        Args:
            value_format: `"backend_tensor"` (the variables' tensors) or `"numpy_array"` (copies).
        """
        optimizer = getattr(self, "optimizer", None)
        if optimizer is None:
            raise AttributeError(
                f"Model '{self.name}' has no optimizer: `get_state_tree()` returns the optimizer's variables too, "
                "so compile the model first (`model.compile(optimizer=...)`)."
            )
        return {
            "trainable_variables": state_tree_lib.nested_values(self.trainable_variables, value_format),
            "non_trainable_variables": state_tree_lib.nested_values(self.non_trainable_variables, value_format),
            "optimizer_variables": state_tree_lib.nested_values(optimizer.variables, value_format),
            "metrics_variables": state_tree_lib.nested_values(self.metrics_variables, value_format),
        }

    def set_state_tree(self, state_tree: dict) -> None:
        """Assign the values of a state tree (as `get_state_tree()` returns it, or part of
        one) to the variables with those paths."""
        groups = {
            "trainable_variables": lambda: self.trainable_variables,
            "non_trainable_variables": lambda: self.non_trainable_variables,
            "optimizer_variables": lambda: (
                self.optimizer.variables if getattr(self, "optimizer", None) is not None else []
            ),
            "metrics_variables": lambda: self.metrics_variables,
        }
        for key, values in state_tree.items():
            if key not in groups:
                raise ValueError(f"Unknown variable name: {key}")
            state_tree_lib.assign_by_path(groups[key](), values)

    # ------------------------------------------------------------------ files
    def save(self, filepath, overwrite: bool = True, zipped=None, **kwargs) -> None:
        """Save the whole model: `.keras` (Keras 3 archive), `.h5` (tf.keras 2 file) or a
        directory when the path has no extension (config + safetensors weights)."""
        saving_api.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True, max_shard_size=None, **kwargs) -> None:
        """Save the weights: `.weights.h5` (Keras 3 layout), `.safetensors` or `.h5` (tf.keras 2);
        with `max_shard_size` (GB per file), Keras 3's sharded `.weights.json` and its shards."""
        saving_api.save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size, **kwargs)

    def load_weights(self, filepath, skip_mismatch: bool = False, by_name: bool = False, **kwargs) -> None:
        """Load weights saved by `save_weights` (or by Keras): `.weights.h5`, `.keras`,
        `.safetensors`, legacy `.h5`. A failed load leaves the model unchanged."""
        saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, by_name=by_name, **kwargs)

    def export(self, filepath, format="tf_saved_model", verbose=None, input_signature=None, **kwargs):
        """Export the model as an artifact for inference (Keras 3's formats, torch backend).

        Args:
            filepath: `str` or `pathlib.Path`: where to write the artifact.
            format: `"onnx"` (an ONNX file with a dynamic batch axis) or `"torch"` (a
                `torch.export` `.pt2` program); `"tf_saved_model"` (the default, as in Keras),
                `"openvino"` and `"litert"` need TensorFlow, OpenVINO and litert-torch and
                raise an error naming what is missing.
            verbose: print where the artifact was written (`None`: the format's default, yes).
            input_signature: the inputs' shapes and dtypes (a structure of `keras.InputSpec`,
                `KerasTensor` or tensors); by default the model's own.
            **kwargs: `opset_version` for `"onnx"`; `torch.export.export`'s arguments
                (`strict`, `dynamic_shapes`, ...) for `"torch"`.

        Example:

        ```python
        model.export("model.onnx", format="onnx")
        session = onnxruntime.InferenceSession("model.onnx")
        predictions = session.run(None, {session.get_inputs()[0].name: x})

        model.export("model.pt2", format="torch")
        predictions = torch.export.load("model.pt2").module()(torch.from_numpy(x))
        ```
        """
        return export_api.export_model(
            self, filepath, format=format, verbose=verbose, input_signature=input_signature, **kwargs
        )


def _with_functional_base(cls):
    """`cls` with Functional in place of Model among its bases (as Keras injects it), so
    that a Model subclass constructed from inputs and outputs behaves as a functional model."""
    functional = Model._functional_class
    if cls is Model:
        return functional
    if not issubclass(cls, Model) or issubclass(cls, functional):
        return cls
    cls.__bases__ = tuple(_with_functional_base(base) for base in cls.__bases__)
    return cls


def _has_custom_init(cls) -> bool:
    for klass in cls.__mro__:
        if klass.__module__.startswith("keraslite.models."):
            return False
        if "__init__" in klass.__dict__:
            init = getattr(klass.__init__, "__wrapped__", klass.__init__)
            names = [
                p
                for p in inspect.signature(init).parameters
                if p not in ("self", "args", "kwargs", "name", "trainable", "dtype")
            ]
            return bool(names)
    return False


def _record_init_arguments(init):
    """Wrap a subclassed model's `__init__` to remember its arguments (Keras's auto config)."""

    @functools.wraps(init)
    def wrapper(self, *args, **kwargs):
        if "_auto_config" not in self.__dict__:
            object.__setattr__(self, "_auto_config", _auto_config(init, self, args, kwargs))
        init(self, *args, **kwargs)

    wrapper._keraslite_records_config = True
    return wrapper


def _auto_config(init, self, args, kwargs):
    try:
        bound = inspect.signature(init).bind(self, *args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    arguments.pop(next(iter(inspect.signature(init).parameters)), None)
    for name, parameter in inspect.signature(init).parameters.items():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            arguments.update(arguments.pop(name, {}))
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            if arguments.pop(name, ()):
                return None
    arguments.pop("name", None)
    try:
        if not all(isinstance(v, _AUTO_CONFIG_TYPES) for v in tree.flatten(arguments)):
            return None
    except TypeError:
        return None
    return arguments
