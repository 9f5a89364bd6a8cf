"""`Model.quantize` and `Model.get_quantization_layer_structure` (mixed into `Model`):
quantize every leaf layer that can be quantized, warning for the others, as Keras does."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable

from keraslite.layers.base_layer import Layer
from keraslite.layers.layer_quantization import calibrated_mode_error
from keraslite.quantizers.quantization_config import validate_and_resolve_config


def should_quantize_layer(layer, filters) -> bool:
    """Whether `filters` (None, a regex, a list of regexes matched against the layer name
    with `re.search`, or a callable taking the layer) selects `layer`."""
    if filters is None:
        return True
    if isinstance(filters, str):
        return bool(re.search(filters, layer.name))
    if isinstance(filters, (list, tuple)):
        return any(re.search(pattern, layer.name) for pattern in filters)
    if callable(filters):
        return filters(layer)
    return True


def _leaf_layers(model) -> list:
    """Every layer under `model` (depth first, each once) that holds no other layer."""
    found, seen = [], set()
    for module in model.modules():
        if module is model or not isinstance(module, Layer) or id(module) in seen:
            continue
        seen.add(id(module))
        if not any(isinstance(child, Layer) for child in module.modules() if child is not module):
            found.append(module)
    return found


class ModelQuantization:
    """The quantization members of `Model`."""

    def get_quantization_layer_structure(self, mode=None):
        """The topology calibrated modes (GPTQ, AWQ) walk: `{"pre_block_layers": [...],
        "sequential_blocks": [...]}`, or None (the default). Model authors override it."""
        del mode
        return None

    def quantize(self, mode=None, config=None, filters=None, **kwargs):
        """Quantize the weights of every layer that supports it (the model must be built).

        Args:
            mode: "int8", "int4" or "float8" (optional when `config` is given). "gptq" and
                "awq" are not implemented yet: they raise NotImplementedError.
            config: a `keras.quantizers.QuantizationConfig` (custom quantizers, int4 block size).
            filters: a regex (or list of regexes) on layer names, or a callable taking a
                layer: only the layers it selects are quantized.

        Layers that cannot be quantized are left as they are, with a warning.
        """
        type_check = kwargs.pop("type_check", True)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to {self.__class__.__name__}: {kwargs}")
        if filters is not None and not isinstance(filters, (str, Callable, list, tuple)):
            raise ValueError(
                f"The `filters` argument must be a regex string, a list of regex strings, or a callable. Received: "
                f"{type(filters)}"
            )
        resolved = validate_and_resolve_config(mode, config)
        if resolved.mode in ("gptq", "awq"):
            raise calibrated_mode_error(resolved.mode)
        for layer in _leaf_layers(self):
            if not should_quantize_layer(layer, filters):
                continue
            try:
                layer.quantize(mode, type_check=type_check, config=config)
            except NotImplementedError as error:
                warnings.warn(str(error), stacklevel=2)
            except AttributeError:
                pass
