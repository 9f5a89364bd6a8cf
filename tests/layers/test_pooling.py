"""Pooling layers (Max/Average 1D/2D/3D, GlobalMax/GlobalAverage 1D/2D/3D): the shared
harness against Keras 3 over valid/same padding, strides, data formats, keepdims, masks."""

import numpy as np
import pytest
import torch

from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

CF = "channels_first"
POOL_CASES = [
    (layers.MaxPooling1D, {}, (2, 6, 3), (2, 3, 3)),
    (layers.MaxPooling1D, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 7, 3), (2, 4, 3)),
    (layers.MaxPooling1D, {"pool_size": 2, "data_format": CF}, (2, 3, 6), (2, 3, 3)),
    (layers.AveragePooling1D, {"pool_size": 3, "strides": 1}, (2, 6, 3), (2, 4, 3)),
    (layers.AveragePooling1D, {"pool_size": 3, "strides": 1, "padding": "same"}, (2, 6, 3), (2, 6, 3)),
    (layers.MaxPooling2D, {}, (2, 5, 4, 3), (2, 2, 2, 3)),
    (layers.MaxPooling2D, {"pool_size": (3, 2), "strides": 2, "padding": "same"}, (2, 5, 5, 2), (2, 3, 3, 2)),
    (layers.MaxPooling2D, {"pool_size": 2, "data_format": CF, "padding": "same"}, (2, 2, 5, 3), (2, 2, 3, 2)),
    (layers.AveragePooling2D, {"pool_size": 2}, (2, 4, 5, 3), (2, 2, 2, 3)),
    (layers.AveragePooling2D, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 5, 5, 2), (2, 3, 3, 2)),
    (layers.AveragePooling2D, {"pool_size": (2, 3), "strides": 1, "data_format": CF}, (2, 2, 4, 5), (2, 2, 3, 3)),
    (layers.MaxPooling3D, {}, (1, 4, 4, 4, 2), (1, 2, 2, 2, 2)),
    (layers.MaxPooling3D, {"pool_size": 3, "strides": 2, "padding": "same"}, (1, 5, 4, 3, 2), (1, 3, 2, 2, 2)),
    (layers.AveragePooling3D, {"pool_size": 3, "strides": 1, "padding": "same"}, (1, 3, 4, 5, 2), (1, 3, 4, 5, 2)),
    (layers.AveragePooling3D, {"pool_size": 2, "data_format": CF}, (1, 2, 4, 4, 4), (1, 2, 2, 2, 2)),
    (layers.GlobalMaxPooling1D, {}, (2, 5, 3), (2, 3)),
    (layers.GlobalMaxPooling1D, {"keepdims": True, "data_format": CF}, (2, 3, 5), (2, 3, 1)),
    (layers.GlobalAveragePooling1D, {}, (2, 5, 3), (2, 3)),
    (layers.GlobalAveragePooling1D, {"keepdims": True}, (2, 5, 3), (2, 1, 3)),
    (layers.GlobalMaxPooling2D, {}, (2, 4, 5, 3), (2, 3)),
    (layers.GlobalMaxPooling2D, {"keepdims": True}, (2, 4, 5, 3), (2, 1, 1, 3)),
    (layers.GlobalAveragePooling2D, {"data_format": CF}, (2, 3, 4, 5), (2, 3)),
    (layers.GlobalAveragePooling2D, {"keepdims": True, "data_format": CF}, (2, 3, 4, 5), (2, 3, 1, 1)),
    (layers.GlobalMaxPooling3D, {}, (1, 2, 3, 4, 2), (1, 2)),
    (layers.GlobalAveragePooling3D, {"keepdims": True}, (1, 2, 3, 4, 2), (1, 1, 1, 1, 2)),
    # Adaptive pooling: windows of uneven size when the input does not divide evenly.
    (layers.AdaptiveAveragePooling1D, {"output_size": 3}, (2, 7, 3), (2, 3, 3)),
    (layers.AdaptiveMaxPooling1D, {"output_size": 4, "data_format": CF}, (2, 3, 9), (2, 3, 4)),
    (layers.AdaptiveAveragePooling2D, {"output_size": (2, 3)}, (2, 5, 7, 2), (2, 2, 3, 2)),
    (layers.AdaptiveMaxPooling2D, {"output_size": 3}, (2, 7, 5, 2), (2, 3, 3, 2)),
    (layers.AdaptiveAveragePooling3D, {"output_size": 2, "data_format": CF}, (1, 2, 3, 5, 4), (1, 2, 2, 2, 2)),
    (layers.AdaptiveMaxPooling3D, {"output_size": (1, 2, 3)}, (1, 3, 4, 5, 2), (1, 1, 2, 3, 2)),
]


@pytest.mark.parametrize("cls, kwargs, shape, out_shape", POOL_CASES)
def test_pooling_parity(keras_oracle, cls, kwargs, shape, out_shape):
    run_layer_test(
        cls,
        kwargs,
        input_shape=shape,
        expected_output_shape=out_shape,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        compare_config_keys=True,
    )


def test_global_1d_pooling_masks_match_keras(keras_oracle):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5, 4)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=bool)
    code = """
import torch
m = torch.tensor(inputs['m'])
result['avg'] = keras.layers.GlobalAveragePooling1D()(inputs['x'], mask=m).numpy()
result['max'] = keras.layers.GlobalMaxPooling1D()(inputs['x']).numpy()
"""
    expected = keras_oracle.run(code, x=x, m=mask)
    avg = layers.GlobalAveragePooling1D()(torch.tensor(x), mask=torch.tensor(mask))
    np.testing.assert_allclose(avg.numpy(), expected["avg"], rtol=1e-5, atol=1e-6)
    # Keras's GlobalMaxPooling1D takes no mask: a mask (from upstream) is ignored, with a warning.
    with pytest.warns(UserWarning, match="does not support masking"):
        mx = layers.GlobalMaxPooling1D()(torch.tensor(x), mask=torch.tensor(mask))
    np.testing.assert_allclose(mx.numpy(), expected["max"], rtol=1e-5, atol=1e-6)
    assert not layers.GlobalMaxPooling1D().supports_masking and layers.GlobalAveragePooling1D().supports_masking


def _tf_same_average_pool_2d(x, pool, strides):
    """TensorFlow's "same" average pooling (padding excluded from the mean), by loops."""
    batch, height, width, channels = x.shape
    out_h, out_w = -(-height // strides[0]), -(-width // strides[1])
    pad_h = max((out_h - 1) * strides[0] + pool[0] - height, 0) // 2
    pad_w = max((out_w - 1) * strides[1] + pool[1] - width, 0) // 2
    out = np.zeros((batch, out_h, out_w, channels), dtype=np.float64)
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * strides[0] - pad_h, j * strides[1] - pad_w
            window = x[:, max(top, 0) : top + pool[0], max(left, 0) : left + pool[1], :]
            out[:, i, j, :] = window.mean(axis=(1, 2))
    return out


@pytest.mark.parametrize(
    "pool, strides, shape",
    [((3, 3), (2, 2), (2, 6, 5, 2)), ((2, 2), (2, 2), (1, 3, 5, 2)), ((2, 3), (1, 2), (1, 4, 4, 1))],
)
def test_average_pooling_asymmetric_same_padding_follows_tensorflow(pool, strides, shape):
    # Keras 3's torch backend pads these cases by replicating the edge (so edge values
    # count twice); TensorFlow and JAX average over the real positions only, as we do.
    x = np.random.default_rng(1).standard_normal(shape).astype("float32")
    ours = layers.AveragePooling2D(pool, strides, padding="same")(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, _tf_same_average_pool_2d(x, pool, strides), rtol=1e-5, atol=1e-6)
    ours_1d = layers.AveragePooling1D(pool[1], strides[1], padding="same")(torch.tensor(x[:, 0])).numpy()
    np.testing.assert_allclose(
        ours_1d, _tf_same_average_pool_2d(x[:, :1], (1, pool[1]), (1, strides[1]))[:, 0], rtol=1e-5, atol=1e-6
    )


def test_adaptive_pooling_validates_output_size():
    with pytest.raises(TypeError, match="output_size"):
        layers.AdaptiveAveragePooling2D((2, 2, 2))
    with pytest.raises(ValueError, match="positive"):
        layers.AdaptiveMaxPooling1D(0)
    assert layers.AdaptiveMaxPooling3D(2).output_size == (2, 2, 2)
