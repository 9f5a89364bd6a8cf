"""`TorchModuleWrapper`: any `torch.nn.Module` as a Keras layer (Keras 3's
`keras.layers.TorchModuleWrapper`).

The wrapped module stays a plain torch module, registered as the submodule `module`: a model
holding the wrapper is still a `torch.nn.Module` whose `state_dict` has the module's tensors
(`<layer>.module.<key>`). Its parameters become the layer's weights: each is replaced, in
place in the module, by a keraslite `Variable` (a `Parameter` sharing the same storage), so
optimizers, `state_dict`, `.to()` and the module's own forward all see one object. Its
persistent buffers (BatchNorm's running statistics) are the layer's non-trainable weights:
`Variable` views sharing the buffers' storage, made again whenever the module replaced a
buffer (`.to(device)` does). Weights are listed in `state_dict` order.

Saving (which Keras 3 also does, in this layout, so files cross both ways): the config holds
the module pickled by `torch.save` (base64, as Keras writes it), and the weights file holds
the `state_dict` entries under their keys. Rebuilding the module unpickles it, which can run
code, so loading needs `safe_mode=False`.
"""

from __future__ import annotations

import base64
import io
import pickletools
import zipfile

import torch

from keraslite.backend import state, tree
from keraslite.backend.variable import Variable
from keraslite.graph import shape_inference
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer
from keraslite.layers.layer_inputs import is_shape, map_shape_structure
from keraslite.serialization import serialization_lib

# Unknown dims of the zero input that initializes a lazy module: the batch, then the others.
_LAZY_BATCH_SIZE = 1
_LAZY_UNKNOWN_DIM = 32
# Pickle globals that every torch.save holds (storages, rebuild helpers): not the module's classes.
_PICKLE_PLUMBING = (
    "torch._utils",
    "torch.storage",
    "torch.nn.parameter",
    "collections",
    "__builtin__",
    "builtins",
    "torch",
)

_UNSAFE_MODULE = (
    "Loading the TorchModuleWrapper layer '{name}' rebuilds its torch.nn.Module with `torch.load()`, "
    "which unpickles it (classes: {classes}). Unpickling can execute arbitrary code, so it is disallowed in "
    "safe mode. If you trust the source of this file, pass `safe_mode=False` to the loading function "
    "(`keras.models.load_model(path, safe_mode=False)`, or `from_config(config, safe_mode=False)`), or call "
    "`keras.config.enable_unsafe_deserialization()`."
)


class TorchModuleWrapper(Layer):
    """Wraps a `torch.nn.Module` as a layer, so that it can be used in functional,
    Sequential and subclassed models, trained by `fit` and saved.

    Args:
        module: the `torch.nn.Module` to wrap. It is moved to keraslite's device. A lazy
            module (`torch.nn.LazyLinear`, ...) is initialized when the layer is built: by a
            symbolic call (on zeros of the input shape) or by its first call.
        name: the layer's name.
        output_shape: the output shape, batch dimension included (e.g. `(None, 10)`), or a
            structure of shapes. Optional: without it the module runs once on fake tensors
            of the symbolic input's shape to find out.
        **kwargs: other `Layer` arguments (`trainable`, `dtype`).

    The module's parameters are the layer's weights (trainable unless their
    `requires_grad` is off) and its persistent buffers its non-trainable weights, in
    `state_dict` order. `call(*args, training=None, **kwargs)` runs `module(*args, **kwargs)`
    after putting the module in training or evaluation mode according to `training`: `fit`
    trains, `predict`/`evaluate` infer, and a plain call follows keraslite's rule for every
    layer (the enclosing call's `training`, else the layer's torch mode: `model.train()` /
    `model.eval()`, inference by default). Keras 3 instead trains the module on any call not
    given `training=False`, `model(x)` included.

    Example:

    ```python
    inputs = keras.Input((4,))
    x = keras.layers.TorchModuleWrapper(torch.nn.Linear(4, 8))(inputs)
    outputs = keras.layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    ```
    """

    def __init__(self, module, name=None, output_shape=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(module, torch.nn.Module):
            raise TypeError(
                f"TorchModuleWrapper '{self.name}': `module` must be a `torch.nn.Module` instance. "
                f"Received: module={module!r} (of type {type(module).__name__})"
            )
        self.module = module.to(state.get_device())
        self.output_shape = output_shape
        # One entry per weight: (state_dict key, owning submodule, attribute, is a parameter,
        # the module's own tensor, the Variable the layer shows).
        self._weight_entries: list[tuple] = []
        if not _has_uninitialized_parameters(self.module):
            self._track_module_weights()
            self.built = True

    # ------------------------------------------------------------------ output shape
    @property
    def output_shape(self):
        """The `output_shape` argument (None when the output shape is inferred)."""
        return self._output_shape_argument

    @output_shape.setter
    def output_shape(self, value) -> None:
        self._output_shape_argument = _as_shape_structure(value)

    def compute_output_spec(self, *args, **kwargs):
        if self._output_shape_argument is not None:
            return map_shape_structure(lambda shape: KerasTensor(shape, self.compute_dtype), self.output_shape)
        return shape_inference.infer_output_spec(self, args, kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape_argument is not None:
            return self._output_shape_argument
        specs = self.compute_output_spec(map_shape_structure(lambda shape: KerasTensor(shape), input_shape))
        return tree.map_structure(lambda spec: spec.shape, specs)

    # ------------------------------------------------------------------ building
    def build(self, input_shape=None) -> None:
        if _has_uninitialized_parameters(self.module):
            if input_shape is None:
                raise ValueError(
                    f"TorchModuleWrapper '{self.name}' wraps the lazy module {type(self.module).__name__}, "
                    "whose parameters are made on its first call: build the layer with an input shape "
                    "(`layer.build(input_shape)`), or call it."
                )
            # A real run, even inside a shape-inference (fake tensor) run: lazy modules make
            # their parameters from what they see.
            with shape_inference.real_tensors():
                self._initialize_lazy_module(input_shape)
        self._track_module_weights()
        self.built = True

    def _initialize_lazy_module(self, input_shape) -> None:
        device, dtype = state.get_device(), self._compute_torch_dtype

        def zeros(shape):
            filled = [
                (_LAZY_BATCH_SIZE if index == 0 else _LAZY_UNKNOWN_DIM) if dim is None else dim
                for index, dim in enumerate(shape)
            ]
            return torch.zeros(filled, dtype=dtype, device=device)

        was_training = self.module.training
        self.module.eval()  # no running statistics or dropout from the zeros
        try:
            with torch.no_grad():
                self.module(map_shape_structure(zeros, input_shape))
        except Exception as error:
            raise ValueError(
                f"TorchModuleWrapper '{self.name}' could not initialize the lazy module "
                f"{type(self.module).__name__} by running it on zeros of shape {input_shape}: {error}. "
                "Call the module once on a real input before wrapping it."
            ) from error
        finally:
            self.module.train(was_training)

    # ------------------------------------------------------------------ weights
    def _track_module_weights(self) -> None:
        """Make the module's parameters Variables (in place) and its buffers Variable views,
        and record them in `state_dict` order."""
        # Real tensors even when this runs inside a shape-inference (fake tensor) run.
        with shape_inference.real_tensors():
            self._make_weight_entries()

    def _make_weight_entries(self) -> None:
        wrapped: dict[int, Variable] = {}
        old_views = {key: variable for key, _, _, is_param, _, variable in self._weight_entries if not is_param}
        for submodule in self.module.modules():
            for attribute, param in list(submodule._parameters.items()):
                if param is None or isinstance(param, Variable):
                    continue
                if id(param) not in wrapped:
                    wrapped[id(param)] = Variable(param, trainable=param.requires_grad)
                submodule._parameters[attribute] = wrapped[id(param)]
        entries, seen = [], set()
        for key, tensor in self.module.state_dict(keep_vars=True).items():
            if not isinstance(tensor, torch.Tensor) or id(tensor) in seen:
                continue  # extra state (`get_extra_state`), or a tied weight already listed
            seen.add(id(tensor))
            owner_path, _, attribute = key.rpartition(".")
            owner = self.module.get_submodule(owner_path)
            is_param = isinstance(tensor, Variable)
            if is_param:
                variable = tensor
            else:
                previous = old_views.get(key)
                name = previous.name if previous is not None else None
                variable = Variable(tensor, trainable=False, name=name)
            variable._keras_store_key = key
            entries.append((key, owner, attribute, is_param, tensor, variable))
        self._weight_entries = entries
        # Which parameters `layer.trainable` switches: those trainable when first seen (a
        # parameter frozen by `trainable = False` stays on the list when the entries are remade).
        listed = {id(v): True for v in self._trainable_variables}
        listed.update({id(v): False for v in self._non_trainable_variables})
        params = [entry[5] for entry in entries if entry[3]]
        self._trainable_variables = [v for v in params if listed.get(id(v), v.requires_grad)]
        self._non_trainable_variables = [v for v in params if not listed.get(id(v), v.requires_grad)]

    def _entries_are_current(self) -> bool:
        for _, owner, attribute, is_param, tensor, variable in self._weight_entries:
            current = (owner._parameters if is_param else owner._buffers).get(attribute)
            if current is not tensor:
                return False
            if not is_param and variable.data_ptr() != tensor.data_ptr():
                return False  # a copy of the layer (deepcopy, pickle): the view no longer shares memory
        return True

    def _own_weights(self) -> list[torch.nn.Parameter]:
        if not self.built:
            return []
        if not self._entries_are_current():
            # The module replaced a buffer (`.to()`, or its own code) or a parameter.
            self._track_module_weights()
        return [entry[5] for entry in self._weight_entries]

    @property
    def weights(self) -> list[torch.nn.Parameter]:
        """The module's parameters and persistent buffers in `state_dict` order (none
        before a lazy module is built: its parameters do not exist yet)."""
        return self._own_weights()

    # ------------------------------------------------------------------ calling
    def call(self, *args, training=None, **kwargs):
        # keraslite resolves `training` before `call`; None only comes from a direct
        # `layer.call(x)`, where Keras's rule applies: training unless told False.
        training = training is not False
        if self.module.training != training:
            self.module.train(training)
        return self.module(*args, **kwargs)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"module": _module_to_base64(self.module), "output_shape": self._output_shape_argument})
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None, safe_mode=None):
        """Rebuild the layer; unpickling the module needs `safe_mode=False` (or
        `keras.config.enable_unsafe_deserialization()`)."""
        config = serialization_lib.keras_compatible_config(cls, config, builtin=True)
        module = config.get("module")
        if isinstance(module, dict) and module.get("class_name") == "__bytes__":
            module = module.get("config", {}).get("value")
        if isinstance(module, (str, bytes)):
            data = base64.b64decode(module)
            if safe_mode is None:
                safe_mode = not serialization_lib.unsafe_deserialization_enabled()
            if safe_mode:
                raise ValueError(
                    _UNSAFE_MODULE.format(name=config.get("name"), classes=", ".join(pickled_classes(data)) or "?")
                )
            config["module"] = _module_from_bytes(data, config.get("name"))
        return cls(**config)


# ---------------------------------------------------------------------- helpers
def _has_uninitialized_parameters(module: torch.nn.Module) -> bool:
    return any(isinstance(p, torch.nn.parameter.UninitializedParameter) for p in module.parameters()) or any(
        isinstance(b, torch.nn.parameter.UninitializedBuffer) for b in module.buffers()
    )


def _as_shape_structure(value):
    """Lists in a shape structure as tuples (a config gives lists)."""
    if value is None:
        return None
    if is_shape(value):
        return tuple(None if d is None else int(d) for d in value)
    if isinstance(value, dict):
        return {key: _as_shape_structure(shape) for key, shape in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_as_shape_structure(shape) for shape in value)
    raise TypeError(
        f"`output_shape` must be a shape (a tuple of ints or None) or a structure of shapes. Received: {value!r}"
    )


def _module_to_base64(module: torch.nn.Module) -> str:
    buffer = io.BytesIO()
    torch.save(module, buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _module_from_bytes(data: bytes, layer_name) -> torch.nn.Module:
    try:
        module = torch.load(io.BytesIO(data), map_location="cpu", weights_only=False)
    except Exception as error:
        raise ValueError(
            f"Could not rebuild the torch.nn.Module of the TorchModuleWrapper layer '{layer_name}': {error}. "
            f"Its classes ({', '.join(pickled_classes(data)) or '?'}) must be importable where the model is loaded, "
            "under the module path they had when it was saved (a class defined in the saving script's `__main__` "
            "must be defined in the loading script's `__main__`)."
        ) from error
    if not isinstance(module, torch.nn.Module):
        raise ValueError(
            f"The config of the TorchModuleWrapper layer '{layer_name}' holds a {type(module).__name__}, "
            "not a torch.nn.Module."
        )
    return module


def pickled_classes(data: bytes) -> list[str]:
    """The classes a `torch.save` file refers to ("package.module.Class"), read from its
    pickle opcodes without unpickling anything (for error messages)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            pickle_name = next(name for name in archive.namelist() if name.endswith("data.pkl"))
            pickled = archive.read(pickle_name)
        found = []
        for opcode, argument, _ in pickletools.genops(pickled):
            if opcode.name == "GLOBAL":
                module_name, _, class_name = str(argument).partition(" ")
                qualified = f"{module_name}.{class_name}"
                if module_name not in _PICKLE_PLUMBING and qualified not in found:
                    found.append(qualified)
        return found
    except Exception:  # noqa: BLE001  (only for a message: an unreadable pickle names nothing)
        return []
