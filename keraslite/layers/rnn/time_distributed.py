"""TimeDistributed: applies a layer to every temporal slice of an input."""

from __future__ import annotations

from keraslite.backend import tree
from keraslite.layers.base_layer import Layer
from keraslite.layers.layer_inputs import map_shape_structure
from keraslite.layers.wrapper import Wrapper


class TimeDistributed(Wrapper):
    """Applies `layer` to each step of `(batch, timesteps, ...)` inputs.

    The time axis is folded into the batch axis (`(batch * timesteps, ...)`, a view when
    the input is contiguous), the layer runs once, and the result is unfolded.

    Args:
        layer: a `Layer` instance.
    """

    def __init__(self, layer: Layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. Received: {layer}"
            )
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _inner_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, "
                f"received: {input_shape}"
            )
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        self.layer._maybe_build(self._inner_shape(tuple(input_shape)))
        self.built = True

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape(self._inner_shape(tuple(input_shape)))
        return map_shape_structure(lambda s: (s[0], input_shape[1]) + tuple(s[1:]), inner)

    def call(self, inputs, training=None, mask=None):
        batch, steps = inputs.shape[0], inputs.shape[1]
        folded = inputs.reshape((batch * steps,) + tuple(inputs.shape[2:]))
        kwargs = {}
        accepts_training, accepts_mask, _ = self.layer._call_signature()
        if accepts_training:
            kwargs["training"] = training
        if accepts_mask and mask is not None:
            kwargs["mask"] = mask.reshape((batch * steps,) + tuple(mask.shape[2:]))
        outputs = self.layer(folded, **kwargs)
        return tree.map_structure(lambda o: o.reshape((batch, steps) + tuple(o.shape[1:])), outputs)

    def compute_mask(self, inputs, mask=None):
        # Keras keeps the incoming (batch, timesteps) mask for the output.
        return mask
