from keraslite import layers
from keraslite.testing.layer_test import run_layer_test


def test_dense_through_harness(keras_oracle):
    run_layer_test(
        layers.Dense,
        {"units": 3, "activation": "relu"},
        input_shape=(2, 4),
        expected_output_shape=(2, 3),
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
    )
