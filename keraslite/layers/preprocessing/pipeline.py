"""Pipeline: a sequence of (preprocessing) layers applied one after the other."""

from __future__ import annotations

from keraslite.layers.base_layer import Layer
from keraslite.serialization import serialization_lib


class Pipeline(Layer):
    """Applies `layers` in order, passing `training` (and masks) along.

    Unlike `Sequential`, a Pipeline is a layer, not a model: it is meant for
    preprocessing (e.g. a chain of augmentations) and works on dict inputs such as
    `{"images": ..., "labels": ...}` that the image layers accept.

    Args:
        layers: a list of layers.
        name: the layer's name.
    """

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        self._pipeline_layers = list(layers)  # tracked as submodules (a list of layers)

    @property
    def layers(self):
        return self._pipeline_layers

    def call(self, inputs, training=None, mask=None):
        outputs = inputs
        for layer in self._pipeline_layers:
            accepts_training, accepts_mask, _ = layer._call_signature()
            kwargs = {}
            if accepts_mask and mask is not None:
                kwargs["mask"] = mask
            if accepts_training and training is not None:
                kwargs["training"] = training
            outputs = layer(outputs, **kwargs)
            mask = getattr(outputs, "_keras_mask", None)
        return outputs

    def compute_output_spec(self, inputs, *args, **kwargs):
        outputs = inputs
        for layer in self._pipeline_layers:
            outputs = layer.compute_output_spec(outputs)
        return outputs

    @classmethod
    def from_config(cls, config):
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError(
                "`Pipeline` config must contain a `layers` key mapping to a list of serialized layers. "
                f"Received config with layers={layers}."
            )
        config = dict(config)
        config["layers"] = [serialization_lib.deserialize_keras_object(layer) for layer in layers]
        return cls(**config)

    def get_config(self) -> dict:
        return {
            "layers": [serialization_lib.serialize_keras_object(layer) for layer in self._pipeline_layers],
            "name": self.name,
        }
