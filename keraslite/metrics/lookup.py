"""`keras.metrics.get/serialize/deserialize`."""

from __future__ import annotations

import inspect

from keraslite.losses import functions as loss_functions
from keraslite.metrics import (
    accuracy_metrics,
    confusion_metrics,
    correlation_metrics,
    curve_metrics,
    iou_metrics,
    reduction_metrics,
    regression_metrics,
)
from keraslite.metrics.metric import Metric
from keraslite.serialization import object_registry
from keraslite.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object


def _collect():
    objects = {}
    for module in (reduction_metrics, accuracy_metrics, regression_metrics, correlation_metrics):
        for name, obj in vars(module).items():
            if name.startswith("_"):
                continue
            if inspect.isclass(obj) and issubclass(obj, Metric):
                objects[name] = obj
            elif inspect.isfunction(obj) and obj.__module__ == module.__name__:
                objects[name] = obj
    for module in (confusion_metrics, curve_metrics, iou_metrics):
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, Metric) and not name.startswith("_"):
                objects[name] = obj
    for name in (
        "mean_squared_error",
        "mean_absolute_error",
        "mean_absolute_percentage_error",
        "mean_squared_logarithmic_error",
        "mse",
        "mae",
        "mape",
        "msle",
        "MSE",
        "MAE",
        "MAPE",
        "MSLE",
        "hinge",
        "squared_hinge",
        "categorical_hinge",
        "kl_divergence",
        "kld",
        "KLD",
        "poisson",
        "log_cosh",
        "logcosh",
        "binary_crossentropy",
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
        "huber",
        "binary_focal_crossentropy",
        "categorical_focal_crossentropy",
    ):
        objects.setdefault(name, getattr(loss_functions, name))
    objects["Metric"] = Metric
    return objects


ALL_OBJECTS = _collect()


def serialize(metric):
    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    if isinstance(config, str):
        return get(config)
    return deserialize_keras_object(config, custom_objects=custom_objects)


def get(identifier):
    """A metric from a name (`"mae"` -> function, `"MeanAbsoluteError"` -> object), a config,
    a `Metric` object, class or function."""
    if identifier is None:
        return None
    obj = identifier
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = object_registry.get_registered_object(identifier) or ALL_OBJECTS.get(identifier)
        if obj is None:
            raise ValueError(f"Could not interpret metric identifier: {identifier}")
    if inspect.isclass(obj) and issubclass(obj, Metric):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier}")
