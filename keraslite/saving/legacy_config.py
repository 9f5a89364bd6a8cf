"""Model configs as tf.keras 2 wrote them (for legacy `.h5` files): objects are
`{"class_name", "config"}` without `module`/`registered_name`, InputLayer takes
`batch_input_shape`, each layer call is a list of `[layer, node, tensor, kwargs]`, and a
nested model's own graph is its node 0. The models write their own graphs in this format
(`Model._legacy_config`); this module holds the per-layer part."""

from __future__ import annotations

from keraslite.layers.input_layer import InputLayer
from keraslite.saving import layer_config
from keraslite.saving.op_config import op_function

_NEW_FORMAT_KEYS = ("module", "registered_name", "build_config", "compile_config", "shared_object_id")


def strip_new_format(value):
    """Drop the Keras 3-only keys from every nested object config."""
    if isinstance(value, dict):
        if "class_name" in value and "config" in value:
            return {k: strip_new_format(v) for k, v in value.items() if k not in _NEW_FORMAT_KEYS}
        return {k: strip_new_format(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strip_new_format(v) for v in value]
    return value


def legacy_layer_entry(layer) -> dict:
    """A layer (not a model) as an entry of a tf.keras 2 model config."""
    if op_function(layer) is not None:
        raise NotImplementedError(
            f"The model uses the operation '{layer.name}' on symbolic tensors, which the legacy tf.keras 2 `.h5` "
            "format cannot describe. Save it as `.keras` instead, or wrap the operation in a layer."
        )
    entry = strip_new_format(layer_config.serialize_layer(layer))
    if isinstance(layer, InputLayer):
        inner = dict(entry["config"])
        inner["batch_input_shape"] = inner.pop("batch_shape")
        inner.setdefault("ragged", False)
        entry["config"] = inner
    return entry
