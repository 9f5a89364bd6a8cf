"""`Masking`: marks padded timesteps (all features equal to `mask_value`) as masked."""

from __future__ import annotations

import torch

from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer


class Masking(Layer):
    """Masks timesteps whose features all equal `mask_value`: their outputs become 0 and
    the output mask (`(batch, steps)`) is False there, for downstream layers (RNNs ...).

    Args:
        mask_value: the padding value (default 0.0).
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        keep = torch.any(inputs != self.mask_value, dim=-1, keepdim=True)
        outputs = inputs * keep.to(inputs.dtype)
        try:
            outputs._keras_mask = keep.squeeze(-1)
        except (AttributeError, RuntimeError):  # fake tensors during shape inference
            pass
        return outputs

    def compute_mask(self, inputs, mask=None):
        return torch.any(inputs != self.mask_value, dim=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(tuple(inputs.shape), self.compute_dtype, mask=KerasTensor(tuple(inputs.shape[:-1]), "bool"))

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
