"""The Masking layer against Keras 3: outputs and the mask it sets (eager and symbolic)."""

import numpy as np
import torch

import keraslite
from keraslite import layers
from keraslite.testing.layer_test import run_layer_test


def test_masking_parity_and_mask(keras_oracle):
    x = np.random.default_rng(0).standard_normal((3, 5, 4)).astype("float32")
    x[0, 1] = 0.0
    x[2, 3:] = 0.0
    x[1, 2, 0] = 0.0  # one zero feature does not mask the step
    run_layer_test(
        layers.Masking,
        {},
        input_shape=(3, 5, 4),
        input_data=x,
        expected_output_shape=(3, 5, 4),
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        compare_config_keys=True,
    )
    x2 = x.copy()
    x2[1, 0] = -1.0
    expected = keras_oracle.run(
        "layer = keras.layers.Masking(mask_value=-1.0)\n"
        "result['mask'] = layer.compute_mask(inputs['x'], None).numpy()\nresult['y'] = layer(inputs['x']).numpy()",
        x=x2,
    )
    layer = layers.Masking(mask_value=-1.0)
    np.testing.assert_array_equal(layer.compute_mask(torch.tensor(x2)).numpy(), expected["mask"])
    out = layer(torch.tensor(x2))
    np.testing.assert_allclose(out.numpy(), expected["y"])
    np.testing.assert_array_equal(out._keras_mask.numpy(), expected["mask"])
    symbolic = layers.Masking()(keraslite.Input((5, 4)))
    assert symbolic._keras_mask is not None and tuple(symbolic._keras_mask.shape) == (None, 5)
