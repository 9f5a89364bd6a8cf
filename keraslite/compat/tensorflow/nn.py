"""`tf.nn`: activations, crossentropies with logits, moments, dropout ..."""

from __future__ import annotations

import functools

import torch

from keraslite import ops
from keraslite import random as keras_random
from keraslite.compat.tensorflow import distribute
from keraslite.compat.tensorflow.array_ops import tf_api
from keraslite.compat.tensorflow.math_ops import l2_normalize, sigmoid, softplus, softsign, tanh, top_k  # noqa: F401
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.ops.dispatch import keras_op, to_tensor

__getattr__ = module_getattr("tf.nn")


@tf_api
def relu(features):
    return ops.relu(features)


@tf_api
def relu6(features):
    return ops.relu6(features)


@tf_api
def elu(features):
    return ops.elu(features)


@tf_api
def selu(features):
    return ops.selu(features)


@tf_api
def gelu(features, approximate=False):
    # TensorFlow's default is the exact gelu (Keras's is the tanh approximation).
    return ops.gelu(features, approximate=approximate)


@tf_api
def leaky_relu(features, alpha=0.2):
    return ops.leaky_relu(features, negative_slope=alpha)


@tf_api
def silu(features, beta=1.0):
    return ops.silu(features) if beta == 1.0 else ops.multiply(features, ops.sigmoid(ops.multiply(features, beta)))


swish = silu


@tf_api
def softmax(logits, axis=None):
    return ops.softmax(logits, axis=-1 if axis is None else axis)


@tf_api
def log_softmax(logits, axis=None):
    return ops.log_softmax(logits, axis=-1 if axis is None else axis)


@tf_api
def bias_add(value, bias, data_format=None):
    if data_format in ("NCHW", "NCW", "NCDHW"):
        return ops.add(value, ops.reshape(bias, (-1,) + (1,) * (len(ops.shape(value)) - 2)))
    return ops.add(value, bias)


@tf_api
def moments(x, axes, shift=None, keepdims=False):
    return ops.moments(x, axes, keepdims=keepdims)


@tf_api
def dropout(x, rate, noise_shape=None, seed=None):
    return keras_random.dropout(x, rate, noise_shape=noise_shape, seed=seed)


@tf_api
def sparse_softmax_cross_entropy_with_logits(labels, logits):
    return ops.sparse_categorical_crossentropy(labels, logits, from_logits=True)


@tf_api
def softmax_cross_entropy_with_logits(labels, logits, axis=-1):
    return ops.categorical_crossentropy(labels, logits, from_logits=True, axis=axis)


@tf_api
def sigmoid_cross_entropy_with_logits(labels=None, logits=None):
    return ops.binary_crossentropy(labels, logits, from_logits=True)


@tf_api
def embedding_lookup(params, ids, max_norm=None):
    return ops.take(params, ids, axis=0)


@tf_api
def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None):  # noqa: A002
    if isinstance(strides, (list, tuple)) and len(strides) == 4:
        strides = strides[1:3]
    return ops.conv(
        input,
        filters,
        strides=strides,
        padding=padding.lower(),
        data_format="channels_last" if data_format == "NHWC" else "channels_first",
        dilation_rate=dilations or 1,
    )


@tf_api
def max_pool2d(input, ksize, strides, padding, data_format="NHWC"):  # noqa: A002
    return ops.max_pool(
        input,
        _spatial(ksize),
        _spatial(strides),
        padding.lower(),
        "channels_last" if data_format == "NHWC" else "channels_first",
    )


@tf_api
def avg_pool2d(input, ksize, strides, padding, data_format="NHWC"):  # noqa: A002
    return ops.average_pool(
        input,
        _spatial(ksize),
        _spatial(strides),
        padding.lower(),
        "channels_last" if data_format == "NHWC" else "channels_first",
    )


def _spatial(value):
    if isinstance(value, (list, tuple)) and len(value) == 4:
        return tuple(value[1:3])
    return value


@tf_api
def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """The sum of the (weighted) per-example losses over the global batch size: this
    replica's batch times the replicas in sync when not given."""
    per_example_loss = to_tensor(per_example_loss)
    if sample_weight is not None:
        per_example_loss = per_example_loss * to_tensor(sample_weight, per_example_loss.dtype)
    if global_batch_size is None:
        global_batch_size = per_example_loss.shape[0] * distribute.get_strategy().num_replicas_in_sync
    return _sum_over(per_example_loss) / global_batch_size


@tf_api
def scale_regularization_loss(regularization_loss):
    """The regularization loss (a list is summed) over the number of replicas in sync, so
    that summing it across replicas counts it once."""
    if isinstance(regularization_loss, (list, tuple)):
        regularization_loss = functools.reduce(ops.add, regularization_loss) if regularization_loss else 0.0
    return ops.multiply(regularization_loss, 1.0 / distribute.get_strategy().num_replicas_in_sync)


@keras_op
def _sum_over(x):
    return torch.sum(x)
