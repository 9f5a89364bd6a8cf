"""`Wrapper`: the base class of layers that wrap another layer (TimeDistributed,
SpectralNormalization). Not a layer to use by itself."""

from __future__ import annotations

import copy

from keraslite.layers.base_layer import Layer
from keraslite.serialization import serialization_lib


class Wrapper(Layer):
    """A layer holding another layer (`self.layer`), whose config carries the wrapped
    layer's config under `"layer"`.

    Args:
        layer: the `Layer` instance to wrap.
    """

    def __init__(self, layer: Layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"{type(self).__name__} wraps a `keras.layers.Layer` instance. Received: layer={layer!r} "
                f"(of type {type(layer).__name__})"
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer._maybe_build(input_shape)
        self.built = True

    def get_config(self):
        config = super().get_config()
        config["layer"] = serialization_lib.serialize_keras_object(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = copy.deepcopy(config)
        layer = serialization_lib.deserialize_keras_object(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
