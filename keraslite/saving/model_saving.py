"""The saving half of `Model`: save/load, weights files, configs (see saving/README.md)."""
from __future__ import annotations

import functools
import inspect
import json
import textwrap

from keraslite.backend import tree

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


class ModelSaving:
    """Mixed into `Model`: `save`, `save_weights`, `load_weights`, `get_config`,
    `from_config`, `to_json` for models."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        # Only user subclasses need Keras's auto config; keraslite's own models write theirs.
        if init is not None and not cls.__module__.startswith("keraslite.") and not getattr(init, "_keraslite_records_config", False):
            cls.__init__ = _record_init_arguments(init)

    # ------------------------------------------------------------------ configs
    def get_config(self) -> dict:
        """The model's config: the functional graph, the Sequential layer list, or (for a
        subclassed model) its constructor arguments."""
        from keraslite.models.model import Functional
        from keraslite.models.sequential import Sequential
        from keraslite.saving import model_config

        if isinstance(self, Sequential):
            return model_config.sequential_get_config(self)
        if isinstance(self, Functional) or (getattr(self, "_is_graph_network", False) and _functional_like_constructor(type(self))):
            return model_config.functional_get_config(self)
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
        from keraslite.models.sequential import Sequential
        from keraslite.saving import model_config

        if issubclass(cls, Sequential):
            return model_config.sequential_from_config(cls, config, custom_objects, safe_mode)
        is_functional_config = isinstance(config, dict) and all(k in config for k in ("layers", "input_layers", "output_layers"))
        from keraslite.models.model import Functional, Model

        looks_functional = isinstance(config, dict) and "layers" in config and cls in (Model, Functional)
        if (is_functional_config and _functional_like_constructor(cls)) or looks_functional:
            return model_config.functional_from_config(cls, config, custom_objects, safe_mode)
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

    def build_from_config(self, config) -> None:
        """Create the weights from a saved `build_config` ({"input_shape": ...}). A
        subclassed model creates its sublayers' weights on its first call, so it is run
        once on zeros of that shape (as Keras does)."""
        from keraslite.models.model import Model

        shape = (config or {}).get("input_shape")
        if shape is None or getattr(self, "_is_graph_network", False):
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
        from keraslite.serialization import serialization_lib as serialization

        return json.dumps(serialization.serialize_keras_object(self), **kwargs)

    # ------------------------------------------------------------------ files
    def save(self, filepath, overwrite: bool = True, zipped=None, **kwargs) -> None:
        """Save the whole model: `.keras` (Keras 3 archive), `.h5` (tf.keras 2 file) or a
        directory when the path has no extension (config + safetensors weights)."""
        from keraslite.saving import saving_api

        saving_api.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True, **kwargs) -> None:
        """Save the weights: `.weights.h5` (Keras 3 layout), `.safetensors` or `.h5` (tf.keras 2)."""
        from keraslite.saving import saving_api

        saving_api.save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, skip_mismatch: bool = False, by_name: bool = False, **kwargs) -> None:
        """Load weights saved by `save_weights` (or by Keras): `.weights.h5`, `.keras`,
        `.safetensors`, legacy `.h5`. A failed load leaves the model unchanged."""
        from keraslite.saving import saving_api

        saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, by_name=by_name, **kwargs)


def _functional_like_constructor(cls) -> bool:
    from keraslite.models.model import Functional, Model

    if cls in (Model, Functional):
        return True
    init = getattr(cls.__init__, "__wrapped__", cls.__init__)
    parameters = list(inspect.signature(init).parameters.values())[1:]
    names = [p.name for p in parameters if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]
    if names[:2] == ["inputs", "outputs"] and issubclass(cls, Functional):
        return True
    kinds = {p.kind for p in parameters}
    return inspect.Parameter.VAR_POSITIONAL in kinds and inspect.Parameter.VAR_KEYWORD in kinds and not names


def _has_custom_init(cls) -> bool:
    from keraslite.models.model import Model

    for klass in cls.__mro__:
        if klass is Model:
            return False
        if "__init__" in klass.__dict__:
            init = getattr(klass.__init__, "__wrapped__", klass.__init__)
            names = [p for p in inspect.signature(init).parameters if p not in ("self", "args", "kwargs", "name", "trainable", "dtype")]
            return bool(names)
    return False
