"""`tf.keras.layers.experimental`: tf.keras 2's SyncBatchNormalization and re-exported layers."""

import numpy as np

import keraslite as keras
from keraslite.compat import layers_experimental
from keraslite.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object

# tf_keras 2.21: `tf.keras.layers.experimental.SyncBatchNormalization(name="s").get_config()` keys.
TF2_CONFIG_KEYS = [
    "name", "trainable", "dtype", "axis", "momentum", "epsilon", "center", "scale", "beta_initializer",
    "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer",
    "gamma_regularizer", "beta_constraint", "gamma_constraint",
]  # fmt: skip


def test_sync_batch_normalization_is_synchronized_batch_normalization():
    layer = layers_experimental.SyncBatchNormalization(momentum=0.9, name="s")
    assert isinstance(layer, keras.layers.BatchNormalization) and layer.synchronized
    assert sorted(layer.get_config()) == sorted(TF2_CONFIG_KEYS)
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    plain = keras.layers.BatchNormalization(momentum=0.9)
    # One process: the statistics are the batch's, as BatchNormalization's.
    outputs = [keras.ops.convert_to_numpy(bn(x, training=True)) for bn in (layer, plain)]
    np.testing.assert_allclose(outputs[0], outputs[1], atol=1e-6)
    np.testing.assert_allclose(layer.moving_mean.numpy(), plain.moving_mean.numpy(), atol=1e-7)


def test_tf2_config_without_module_loads_by_class_name():
    config = serialize_keras_object(layers_experimental.SyncBatchNormalization(epsilon=0.01, name="s"))
    config.pop("module")
    restored = deserialize_keras_object(config)
    assert type(restored).__name__ == "SyncBatchNormalization" and restored.epsilon == 0.01 and restored.synchronized


def test_einsum_dense_and_preprocessing_are_the_layers():
    assert layers_experimental.EinsumDense is keras.layers.EinsumDense
    assert layers_experimental.preprocessing.Rescaling is keras.layers.Rescaling
