"""`tf.Variable.read_value`, and callables returning eager tensors as initializers."""

import numpy as np
import torch

import keraslite as keras
from keraslite.compat.tensorflow.eager import EagerTensor
from tests.compat.tf_fixture import tf  # noqa: F401  (fixture)


def test_read_value_is_a_snapshot_that_gradients_flow_through(tf):  # noqa: F811
    v = tf.Variable([1.0, 2.0])
    value = v.read_value()
    assert isinstance(value, EagerTensor) and not isinstance(value, torch.nn.Parameter)
    v.assign([5.0, 6.0])
    assert value.numpy().tolist() == [1.0, 2.0]
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v.read_value() * 2.0)
    assert tape.gradient(y, v).numpy().tolist() == [2.0, 2.0]
    assert tf.Variable(1).read_value().numpy() == 1


def test_tf_random_normal_serves_as_a_kernel_initializer(tf):  # noqa: F811
    layer = tf.keras.layers.Dense(1, kernel_initializer=tf.random.normal)
    out = layer(np.ones((2, 3), "float32"))
    assert out.shape == (2, 1)
    assert type(layer.kernel) is keras.Variable and type(layer.kernel.data) is torch.Tensor
    assert layer.kernel.requires_grad


def test_variable_from_an_eager_tensor_holds_a_plain_tensor(tf):  # noqa: F811
    variable = keras.Variable(tf.ones((2,)))
    assert type(variable.data) is torch.Tensor
    built = keras.Variable(lambda shape, dtype=None: tf.ones(shape), shape=(3,))
    assert type(built.data) is torch.Tensor and built.numpy().tolist() == [1.0, 1.0, 1.0]
