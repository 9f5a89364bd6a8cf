"""A layer (or a `keras.ops` call recorded as a layer) as an entry of a model config's
`layers`, and back: the part of model configs that does not depend on the model's kind.
The models write and read their own configs (models/functional.py, models/sequential.py)
and call these for each layer."""

from __future__ import annotations

import inspect

from keraslite.graph import symbolic_ops
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.saving import op_config
from keraslite.serialization import serialization_lib as serialization


def serialize_layer(layer) -> dict:
    """One layer (or recorded operator) as an entry of a model config's `layers`."""
    function = op_config.op_function(layer)
    if function is not None:
        op_name = getattr(function, "__name__", "")
        arithmetic = op_config.arithmetic_ops()
        if op_name not in arithmetic:
            raise NotImplementedError(
                f"The operation '{op_name}' (node {layer.name}) cannot be written to a model config: it is "
                "neither a keras.ops function nor a tensor operator. Wrap it in a layer with a `get_config()` "
                "method (or use a Lambda layer)."
            )
        class_name = arithmetic[op_name][1]
        return {
            "module": "keras.src.ops.numpy",
            "class_name": class_name,
            "config": {"name": layer.name},
            "registered_name": class_name,
        }
    config = serialization.serialize_keras_object(layer)
    shapes_dict = _shapes_dict(layer)
    if shapes_dict is not None:
        config["build_config"] = {"shapes_dict": shapes_dict}
    inner = config.get("config")
    if isinstance(inner, dict):
        # Keras 3 layers do not take the legacy `batch_input_shape` argument.
        inner.pop("batch_input_shape", None)
    return config


def _shapes_dict(layer):
    """Keras's build config for a layer whose `build` takes several shapes (as
    `MultiHeadAttention.build(query_shape, value_shape, key_shape)`): the shape of each
    call argument it was built from, keyed `<argument>_shape`."""
    try:
        build_parameters = [p for p in inspect.signature(type(layer).build).parameters if p != "self"]
    except (TypeError, ValueError):
        return None
    if len(build_parameters) < 2 or not all(p.endswith("_shape") for p in build_parameters):
        return None
    node = next((n for n in layer._inbound_nodes if getattr(n, "input_tensors", None)), None)
    if node is None:
        return None
    try:
        bound = inspect.signature(layer.call).bind_partial(*node.call_args, **node.call_kwargs).arguments
    except TypeError:
        return None
    shapes = {}
    for parameter in build_parameters:
        value = bound.get(parameter[: -len("_shape")])
        if isinstance(value, KerasTensor):
            shapes[parameter] = list(value._shape)
    return shapes or None


def deserialize_layer(layer_data: dict, custom_objects=None, safe_mode: bool = True):
    """A `layers` entry of a model config -> a layer (or an op recorded as a layer)."""
    class_name = layer_data.get("class_name")
    module = layer_data.get("module") or ""
    arithmetic = {keras_name: fn for fn, keras_name in op_config.arithmetic_ops().values()}
    if class_name in arithmetic and module.startswith("keras.src.ops"):
        return symbolic_ops.OpLayer(arithmetic[class_name], name=layer_data["name"])
    op = op_config.op_from_config(layer_data)
    if op is not None:
        return op
    entry = {k: v for k, v in layer_data.items() if k not in ("name", "inbound_nodes")}
    return serialization.deserialize_keras_object(entry, custom_objects=custom_objects, safe_mode=safe_mode)
