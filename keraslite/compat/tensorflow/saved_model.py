"""`tf.saved_model.save` / `load`, in keraslite's own format (not TensorFlow's).

`save(obj, export_dir)` writes into `export_dir`:

- `keraslite_object.pkl` — `obj` pickled whole: a `tf.Module` with its attributes, its
  `tf.Variable`s (values, names, trainability) and its `tf.function` methods (which stay
  the Python methods they are: a class is stored by reference, so `load` needs it
  importable, as it is in the script that saved it);
- `keras_objects/<n>.keras` — each Keras model met on the way (the object itself, or one
  held by a module), in Keras's own `.keras` format, reloaded with `keras.models.load_model`;
- `keraslite_saved_model.json` — the format's name and version and the signature names.

No `saved_model.pb` is written: that file would claim to be TensorFlow's, which it is not.
The folder is written elsewhere and swapped into place, so a failed save leaves an
existing `export_dir` whole.

`load(export_dir)` returns the object with `signatures` (a dict, `"serving_default"` among
them when the object has one): each is called with keyword arguments and returns a dict of
outputs (`output_0`, ... or the output names), as TensorFlow's signatures do. Loading
UNPICKLES: load only folders you (or someone you trust) wrote — a crafted pickle runs code.
A TensorFlow SavedModel (`saved_model.pb`) cannot be read: `load` says so and what to use.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pickle
import types

import torch

import keraslite as keras
from keraslite.backend import state as backend_state
from keraslite.backend.variable import Variable as KerasVariable
from keraslite.compat.tensorflow.function import ConcreteFunction, Function
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.layers.base_layer import Layer
from keraslite.saving import atomic

__getattr__ = module_getattr("tf.saved_model")

FORMAT = "keraslite-saved-model"
FORMAT_VERSION = 1
OBJECT_FILE = "keraslite_object.pkl"
METADATA_FILE = "keraslite_saved_model.json"
KERAS_FOLDER = "keras_objects"
SERVING = "serve"
TRAINING = "train"
DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default"


class SaveOptions:
    """`tf.saved_model.SaveOptions`: accepted; keraslite's format has no options."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class LoadOptions(SaveOptions):
    """`tf.saved_model.LoadOptions`: accepted; keraslite's format has no options."""


class _SignatureFunction:
    """A saved signature: called with keyword arguments (the function's parameter names),
    returns a dict of outputs."""

    def __init__(self, target, input_names, output_names=None):
        self._target = target
        self.input_names = list(input_names)
        self.output_names = output_names

    def __call__(self, *args, **kwargs):
        values = list(args) + [kwargs.pop(name) for name in self.input_names[len(args) :] if name in kwargs]
        if kwargs:
            raise TypeError(f"Unexpected keyword arguments {sorted(kwargs)}; the signature takes {self.input_names}.")
        outputs = self._target(*values)
        if isinstance(outputs, dict):
            return outputs
        if isinstance(outputs, (list, tuple)):
            names = self.output_names or [f"output_{i}" for i in range(len(outputs))]
            return dict(zip(names, outputs))
        return {(self.output_names or ["output_0"])[0]: outputs}

    def __repr__(self) -> str:
        return f"<keraslite saved signature ({', '.join(self.input_names)})>"


def _parameter_names(function) -> list:
    python_function = getattr(function, "_python_function", function)
    if isinstance(function, ConcreteFunction):
        python_function = function._function._python_function
    try:
        return [
            p.name
            for p in inspect.signature(python_function).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return []


def _signature_for(function) -> _SignatureFunction:
    if isinstance(function, _SignatureFunction):
        return function
    if isinstance(function, (Function, ConcreteFunction)):
        return _SignatureFunction(function, _parameter_names(function))
    if isinstance(function, keras.Model):
        inputs = [t.name for t in getattr(function, "inputs", None) or []] or ["inputs"]
        return _SignatureFunction(function, inputs, list(getattr(function, "output_names", None) or []) or None)
    if callable(function):
        return _SignatureFunction(function, _parameter_names(function))
    raise ValueError(f"tf.saved_model.save: a signature must be a tf.function or callable. Received: {function!r}")


def _default_signatures(obj) -> dict:
    """TensorFlow's default when `signatures=None`: a Keras model's call, or the one
    `tf.function` with an `input_signature` the object has."""
    if isinstance(obj, keras.Model):
        return {DEFAULT_SERVING_SIGNATURE_DEF_KEY: obj}
    found = []
    for name in sorted(set(dir(type(obj))) | set(vars(obj) if hasattr(obj, "__dict__") else ())):
        attribute = getattr(type(obj), name, None)
        if isinstance(attribute, Function) and attribute.input_signature is not None:
            found.append(getattr(obj, name))
    return {DEFAULT_SERVING_SIGNATURE_DEF_KEY: found[0]} if len(found) == 1 else {}


def _rebuild_variable(cls, tensor, requires_grad):
    tensor = tensor.to(backend_state.get_device())
    return torch.nn.Parameter.__new__(cls, tensor, requires_grad=requires_grad)


def _set_variable_state(variable, attributes):
    variable.__dict__.update(attributes)
    return variable


def _global(module_name, qualified_name):
    """A module-level object found again by its name (a `tf.function`-decorated function,
    which its module holds as the `Function`, not the Python function pickle would name)."""
    value = importlib.import_module(module_name)
    for part in qualified_name.split("."):
        value = getattr(value, part)
    return value


def _rebind(instance, name):
    """A `tf.function` method bound to `instance` again (the class holds the Function)."""
    return getattr(instance, name)


class _Pickler(pickle.Pickler):
    def __init__(self, file, folder):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._folder = folder
        self._keras_files: dict = {}  # id(model) -> its persistent id

    def persistent_id(self, obj):
        if isinstance(obj, keras.Model):
            if id(obj) not in self._keras_files:
                os.makedirs(os.path.join(self._folder, KERAS_FOLDER), exist_ok=True)
                name = f"{len(self._keras_files)}.keras"
                keras.saving.save_model(obj, os.path.join(self._folder, KERAS_FOLDER, name))
                self._keras_files[id(obj)] = ("keras_model", name, type(obj))
            return self._keras_files[id(obj)]
        if isinstance(obj, Layer):
            raise pickle.PicklingError(
                f"tf.saved_model.save: keraslite saves Keras models (as .keras files) but not a bare layer "
                f"({type(obj).__name__} {obj.name!r}); hold it in a keras.Model."
            )
        return None

    def reducer_override(self, obj):
        if isinstance(obj, KerasVariable):
            tensor = torch.Tensor.detach(obj).cpu().clone().as_subclass(torch.Tensor)
            arguments = (type(obj), tensor, obj.requires_grad)
            return (_rebuild_variable, arguments, dict(obj.__dict__), None, None, _set_variable_state)
        if isinstance(obj, Function) and isinstance(obj._python_function, types.MethodType):
            instance = obj._python_function.__self__
            if isinstance(getattr(type(instance), obj.__name__, None), Function):
                return (_rebind, (instance, obj.__name__))
        if isinstance(obj, Function):
            python_function = obj._python_function
            module_name = getattr(python_function, "__module__", None)
            qualified_name = getattr(python_function, "__qualname__", "")
            try:
                found = _global(module_name, qualified_name) if module_name else None
            except (ImportError, AttributeError):
                found = None
            if found is obj:
                return (_global, (module_name, qualified_name))
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, folder):
        super().__init__(file)
        self._folder = folder
        self._models: dict = {}

    def persistent_load(self, pid):
        kind, name, cls = pid
        if kind != "keras_model":
            raise pickle.UnpicklingError(f"Unknown object kind {kind!r} in {self._folder}.")
        if name not in self._models:
            path = os.path.join(self._folder, KERAS_FOLDER, name)
            self._models[name] = keras.models.load_model(path, custom_objects={cls.__name__: cls}, compile=False)
        return self._models[name]


def save(obj, export_dir, signatures=None, options=None):
    """`tf.saved_model.save`: `obj` (a `tf.Module`, a Keras model, any picklable object)
    into `export_dir`, in keraslite's format (see the module docstring)."""
    if signatures is None:
        signatures = _default_signatures(obj)
    elif not isinstance(signatures, dict):
        signatures = {DEFAULT_SERVING_SIGNATURE_DEF_KEY: signatures}
    signatures = {name: _signature_for(function) for name, function in signatures.items()}
    with atomic.atomic_directory(os.fspath(export_dir)) as folder:
        with open(os.path.join(folder, OBJECT_FILE), "wb") as file:
            try:
                _Pickler(file, folder).dump({"object": obj, "signatures": signatures})
            except (pickle.PicklingError, TypeError, AttributeError) as error:
                raise ValueError(
                    f"tf.saved_model.save: keraslite stores the object by pickling it, and part of "
                    f"{type(obj).__name__} cannot be pickled: {error}"
                ) from error
        metadata = {"format": FORMAT, "version": FORMAT_VERSION, "keraslite_version": keras.__version__}
        metadata["signatures"] = sorted(signatures)
        with open(os.path.join(folder, METADATA_FILE), "w") as file:
            json.dump(metadata, file, indent=2)


def contains_saved_model(export_dir) -> bool:
    """Whether `export_dir` holds a saved model keraslite can load."""
    return os.path.isfile(os.path.join(os.fspath(export_dir), METADATA_FILE))


def load(export_dir, tags=None, options=None):
    """`tf.saved_model.load`: the object `save` wrote, with `signatures`. Unpickles: load
    only your own (or trusted) folders."""
    folder = os.fspath(export_dir)
    if not contains_saved_model(folder):
        if any(os.path.isfile(os.path.join(folder, f)) for f in ("saved_model.pb", "saved_model.pbtxt")):
            raise ValueError(
                f"{folder} is a TensorFlow SavedModel (saved_model.pb), which keraslite cannot read. "
                "Save the model from TensorFlow as a .keras file (model.save('m.keras')) and load it with "
                "keras.models.load_model, or save it again with keraslite's tf.saved_model.save."
            )
        raise OSError(f"No keraslite saved model in {folder!r} (no {METADATA_FILE}).")
    with open(os.path.join(folder, METADATA_FILE)) as file:
        metadata = json.load(file)
    if metadata.get("format") != FORMAT or metadata.get("version", 0) > FORMAT_VERSION:
        raise ValueError(f"{folder}: unknown saved model format {metadata.get('format')!r} v{metadata.get('version')}.")
    with open(os.path.join(folder, OBJECT_FILE), "rb") as file:
        saved = _Unpickler(file, folder).load()
    obj = saved["object"]
    try:
        obj.signatures = saved["signatures"]
    except AttributeError:  # an object without attributes keeps its signatures to itself
        pass
    return obj
