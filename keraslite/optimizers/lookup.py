"""`keras.optimizers.get/serialize/deserialize`."""

from __future__ import annotations

import inspect

from keraslite.optimizers.adafactor import Adafactor
from keraslite.optimizers.adagrad import Adadelta, Adagrad, Lion
from keraslite.optimizers.adam import Adam, Adamax, AdamW, Nadam
from keraslite.optimizers.base_optimizer import Optimizer
from keraslite.optimizers.ftrl import Ftrl
from keraslite.optimizers.lamb import Lamb
from keraslite.optimizers.loss_scale_optimizer import LossScaleOptimizer
from keraslite.optimizers.multi_optimizer import MultiOptimizer
from keraslite.optimizers.muon import Muon
from keraslite.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from keraslite.optimizers.sgd import SGD, RMSprop
from keraslite.serialization import object_registry
from keraslite.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object

ALL_OBJECTS = {
    cls.__name__: cls
    for cls in (
        SGD,
        RMSprop,
        Adam,
        AdamW,
        Adamax,
        Nadam,
        Adagrad,
        Adadelta,
        Lion,
        Adafactor,
        Ftrl,
        Lamb,
        Muon,
        ScheduleFreeAdamW,
        LossScaleOptimizer,
        MultiOptimizer,
    )
}
_LOWER = {name.lower(): cls for name, cls in ALL_OBJECTS.items()}


def serialize(optimizer) -> dict:
    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """A Keras optimizer config -> an optimizer (class names are matched case-insensitively)."""
    if isinstance(config, dict) and str(config.get("class_name", "")).lower() in _LOWER:
        cls = _LOWER[config["class_name"].lower()]
        return cls.from_config(dict(config.get("config", {})), custom_objects=custom_objects)
    return deserialize_keras_object(config, custom_objects=custom_objects)


def get(identifier) -> Optimizer:
    """An optimizer from a name (`"rmsprop"`, `"Adam"`), a config dict, a class or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if inspect.isclass(identifier) and issubclass(identifier, Optimizer):
        return identifier()
    if isinstance(identifier, str):
        cls = _LOWER.get(identifier.lower())
        if cls is not None:
            return cls()
        registered = object_registry.get_registered_object(identifier)
        if registered is not None:
            return registered() if inspect.isclass(registered) else registered
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
