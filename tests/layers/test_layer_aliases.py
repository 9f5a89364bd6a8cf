"""Keras's alias names (`AvgPool2D`, `Convolution2D`, `GlobalMaxPool1D`, ...): the same
classes as their canonical names, and the same outputs as Keras 3 given the same weights.
One oracle request for the whole table."""

import json

import numpy as np
import torch

from keraslite import layers

# (alias, canonical name, constructor kwargs, input shape)
ALIASES = [
    ("AvgPool1D", "AveragePooling1D", {"pool_size": 2}, (2, 6, 3)),
    ("AvgPool2D", "AveragePooling2D", {"pool_size": 2, "padding": "same"}, (2, 5, 4, 3)),
    ("AvgPool3D", "AveragePooling3D", {"pool_size": 2}, (1, 4, 4, 4, 2)),
    ("MaxPool1D", "MaxPooling1D", {"pool_size": 3, "strides": 1}, (2, 6, 3)),
    ("MaxPool2D", "MaxPooling2D", {}, (2, 5, 4, 3)),
    ("MaxPool3D", "MaxPooling3D", {"padding": "same"}, (1, 3, 4, 5, 2)),
    ("GlobalAvgPool1D", "GlobalAveragePooling1D", {}, (2, 5, 3)),
    ("GlobalAvgPool2D", "GlobalAveragePooling2D", {"keepdims": True}, (2, 4, 5, 3)),
    ("GlobalAvgPool3D", "GlobalAveragePooling3D", {}, (1, 2, 3, 4, 2)),
    ("GlobalMaxPool1D", "GlobalMaxPooling1D", {}, (2, 5, 3)),
    ("GlobalMaxPool2D", "GlobalMaxPooling2D", {}, (2, 4, 5, 3)),
    ("GlobalMaxPool3D", "GlobalMaxPooling3D", {"keepdims": True}, (1, 2, 3, 4, 2)),
    ("Convolution1D", "Conv1D", {"filters": 4, "kernel_size": 3}, (2, 7, 3)),
    ("Convolution2D", "Conv2D", {"filters": 4, "kernel_size": 3, "padding": "same"}, (2, 5, 6, 3)),
    ("Convolution3D", "Conv3D", {"filters": 2, "kernel_size": 2}, (1, 3, 4, 4, 2)),
    ("Convolution1DTranspose", "Conv1DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2}, (2, 5, 2)),
    ("Convolution2DTranspose", "Conv2DTranspose", {"filters": 3, "kernel_size": 2, "strides": 2}, (2, 3, 4, 2)),
    ("Convolution3DTranspose", "Conv3DTranspose", {"filters": 2, "kernel_size": 2}, (1, 2, 3, 3, 2)),
    ("SeparableConvolution1D", "SeparableConv1D", {"filters": 4, "kernel_size": 3}, (2, 7, 3)),
    (
        "SeparableConvolution2D",
        "SeparableConv2D",
        {"filters": 4, "kernel_size": 2, "depth_multiplier": 2},
        (2, 5, 5, 3),
    ),
]


def test_aliases_are_keras_classes_and_compute_like_keras(keras_oracle):
    rng = np.random.default_rng(4)
    torch.manual_seed(4)
    arrays, ours = {}, {}
    for index, (alias, canonical, kwargs, shape) in enumerate(ALIASES):
        assert getattr(layers, alias) is getattr(layers, canonical), alias
        layer = getattr(layers, alias)(**kwargs)
        x = rng.standard_normal(shape).astype("float32")
        ours[alias] = layer(torch.as_tensor(x)).detach().numpy()
        arrays[f"x{index}"] = x
        for w_index, weight in enumerate(layer.get_weights()):
            arrays[f"w{index}_{w_index}"] = weight
    table = [(alias, kwargs) for alias, _, kwargs, _ in ALIASES]
    code = f"""
import json
for index, (alias, kwargs) in enumerate(json.loads({json.dumps(table)!r})):
    cls = getattr(keras.layers, alias)
    result['name_' + alias] = cls.__name__
    layer = cls(**kwargs)
    x = inputs['x%d' % index]
    layer(x)
    weights = sorted(k for k in inputs if k.startswith('w%d_' % index))
    layer.set_weights([inputs[k] for k in sorted(weights, key=lambda k: int(k.split('_')[1]))])
    result['out_' + alias] = layer(x).detach().numpy()
"""
    expected = keras_oracle.run(code, **arrays)
    for alias, canonical, _, _ in ALIASES:
        assert expected[f"name_{alias}"] == canonical, f"Keras's {alias} is {expected[f'name_{alias}']}"
        np.testing.assert_allclose(ours[alias], expected[f"out_{alias}"], rtol=1e-5, atol=1e-5, err_msg=alias)
