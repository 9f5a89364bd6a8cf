"""The tf.keras 2 `keras.backend` neural-network functions: activations and the clipped
crossentropies (`K.relu`, `K.binary_crossentropy`, ...), CTC (`K.ctc_batch_cost`, greedy
`K.ctc_decode`), and convolutions, pooling, padding, resizing and batch normalization
(`K.conv2d`, `K.pool2d`, `K.spatial_2d_padding`, ...), with tf.keras 2's argument names and
defaults, written with `keras.ops`. The rest of the backend functions are in `backend.py`;
the public face `keraslite/backend_api.py` re-exports both as `keras.backend`.
"""

from __future__ import annotations

import numpy as np
import torch

from keraslite import ops
from keraslite import random as keras_random
from keraslite.backend import state
from keraslite.backend.dtypes import standardize_dtype

# --- values and variables ----------------------------------------------------------------
from keraslite.legacy.backend import _numpy, _tensor, int_shape

# --- activations and losses ---------------------------------------------------------------


def sigmoid(x):
    return ops.sigmoid(x)


def hard_sigmoid(x):
    """`clip(0.2 * x + 0.5, 0, 1)`, tf.keras 2's slope."""
    return ops.clip(0.2 * x + 0.5, 0.0, 1.0)


def tanh(x):
    return ops.tanh(x)


def softmax(x, axis=-1):
    return ops.softmax(x, axis=axis)


def softplus(x):
    return ops.softplus(x)


def softsign(x):
    return ops.softsign(x)


def elu(x, alpha=1.0):
    return ops.elu(x, alpha=alpha)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit with tf.keras 2's options: values at or below `threshold` become
    `alpha * (x - threshold)`, and `max_value` caps the result."""
    x = _tensor(x)
    negative_part = ops.relu(threshold - x) if alpha != 0 else None
    if threshold != 0:
        x = x * ops.cast(ops.greater(x, threshold), standardize_dtype(x.dtype))
    else:
        x = ops.relu(x)
    if max_value is not None:
        x = ops.clip(x, 0.0, max_value)
    if negative_part is not None:
        x = x - alpha * negative_part
    return x


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary crossentropy, tf.keras 2's formula on probabilities (clipped to
    `[eps, 1 - eps]`, then `log(p + eps)`)."""
    if from_logits:
        return ops.binary_crossentropy(target, output, from_logits=True)
    eps = state.epsilon()
    output = ops.clip(output, eps, 1.0 - eps)
    target = ops.cast(target, standardize_dtype(output.dtype))
    return -(target * ops.log(output + eps) + (1.0 - target) * ops.log(1.0 - output + eps))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy of one-hot `target` and `output` (rescaled to sum to 1, clipped to `[eps, 1 - eps]`)."""
    if from_logits:
        return ops.categorical_crossentropy(target, output, from_logits=True, axis=axis)
    eps = state.epsilon()
    output = _tensor(output)
    output = output / ops.sum(output, axis=axis, keepdims=True)
    output = ops.clip(output, eps, 1.0 - eps)
    target = ops.cast(target, standardize_dtype(output.dtype))
    return -ops.sum(target * ops.log(output), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1, ignore_class=None):
    """Crossentropy of integer `target` and `output` (clipped, not rescaled, as tf.keras 2)."""
    if from_logits:
        log_probabilities = ops.log_softmax(output, axis=axis)
    else:
        eps = state.epsilon()
        log_probabilities = ops.log(ops.clip(output, eps, 1.0 - eps))
    log_probabilities = ops.moveaxis(log_probabilities, axis, -1)
    target = ops.cast(target, "int32")
    if len(int_shape(target)) == len(int_shape(log_probabilities)):
        target = ops.squeeze(target, axis=-1)
    valid = None
    if ignore_class is not None:
        valid = ops.not_equal(target, ignore_class)
        target = ops.where(valid, target, 0)
    picked = ops.take_along_axis(log_probabilities, ops.expand_dims(target, -1), axis=-1)
    loss = -ops.squeeze(picked, axis=-1)
    if valid is not None:
        loss = ops.where(valid, loss, 0.0)
    return loss


def dropout(x, level, noise_shape=None, seed=None):
    return keras_random.dropout(x, level, noise_shape=noise_shape, seed=seed)


# --- CTC -----------------------------------------------------------------------------------


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """tf.keras 2's CTC loss per sample, `(samples, 1)`: `y_pred` softmax outputs `(samples,
    time, classes)` whose last class is the blank, `y_true` padded labels, lengths `(samples, 1)`."""
    y_pred = _tensor(y_pred)
    blank = int_shape(y_pred)[-1] - 1
    input_length = ops.reshape(ops.cast(_tensor(input_length), "int32"), (-1,))
    label_length = ops.reshape(ops.cast(_tensor(label_length), "int32"), (-1,))
    logits = ops.log(y_pred + state.epsilon())
    loss = ops.ctc_loss(ops.cast(_tensor(y_true), "int32"), logits, label_length, input_length, mask_index=blank)
    return ops.expand_dims(loss, 1)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Greedy CTC decoding of softmax outputs `(samples, time, classes)` (the last class is the
    blank): `([decoded], log_probabilities)`, `decoded` `(samples, time)` padded with -1 and
    `log_probabilities` `(samples, 1)`, the negated sum of each step's largest log-probability."""
    if not greedy:
        raise NotImplementedError(
            "`K.ctc_decode(greedy=False)` (beam search) is not supported by keraslite; use greedy=True."
        )
    probabilities = _numpy(y_pred)
    lengths = np.asarray(_numpy(input_length)).reshape(-1).astype(int)
    blank = probabilities.shape[-1] - 1
    log_probabilities = np.log(probabilities + state.epsilon())
    decoded, scores = [], []
    for sample, length in zip(log_probabilities, lengths):
        best = sample[:length].argmax(axis=-1)
        scores.append(-sample[:length].max(axis=-1).sum())
        collapsed = [int(c) for i, c in enumerate(best) if (i == 0 or c != best[i - 1]) and c != blank]
        decoded.append(collapsed)
    dense = np.full((len(decoded), probabilities.shape[1]), -1, dtype=np.int64)  # (samples, time), as tf.keras 2
    for row, labels in enumerate(decoded):
        dense[row, : len(labels)] = labels
    return [torch.as_tensor(dense)], torch.as_tensor(np.array(scores, dtype=np.float32).reshape(-1, 1))


# --- convolutions, pooling, padding, normalization ------------------------------------------


def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1D convolution; `kernel` `(width, in, out)`; `padding` `valid`, `same` or `causal`."""
    if padding == "causal":
        left = dilation_rate * (int_shape(kernel)[0] - 1)
        x = (
            temporal_padding(x, (left, 0))
            if (data_format or "channels_last") == "channels_last"
            else ops.pad(x, ((0, 0), (0, 0), (left, 0)))
        )
        padding = "valid"
    return ops.conv(x, kernel, strides=strides, padding=padding, data_format=data_format, dilation_rate=dilation_rate)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    """2D convolution; `kernel` `(height, width, in, out)`, as a Conv2D layer's."""
    return ops.conv(x, kernel, strides=strides, padding=padding, data_format=data_format, dilation_rate=dilation_rate)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    return ops.depthwise_conv(
        x, depthwise_kernel, strides=strides, padding=padding, data_format=data_format, dilation_rate=dilation_rate
    )


def separable_conv2d(
    x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)
):
    return ops.separable_conv(
        x,
        depthwise_kernel,
        pointwise_kernel,
        strides=strides,
        padding=padding,
        data_format=data_format,
        dilation_rate=dilation_rate,
    )


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    """2D max (`pool_mode="max"`) or average (`"avg"`) pooling; tf.keras 2's default stride is 1."""
    if pool_mode == "max":
        return ops.max_pool(x, pool_size, strides=strides, padding=padding, data_format=data_format)
    if pool_mode == "avg":
        return ops.average_pool(x, pool_size, strides=strides, padding=padding, data_format=data_format)
    raise ValueError(f"Invalid pooling mode: {pool_mode} (expected 'max' or 'avg').")


def temporal_padding(x, padding=(1, 1)):
    """Zeros added before and after the middle axis of a 3D tensor."""
    return ops.pad(_tensor(x), ((0, 0), tuple(padding), (0, 0)))


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Zeros added around the rows and columns of a 4D image batch."""
    rows, cols = tuple(padding[0]), tuple(padding[1])
    if (data_format or state.image_data_format()) == "channels_first":
        return ops.pad(_tensor(x), ((0, 0), (0, 0), rows, cols))
    return ops.pad(_tensor(x), ((0, 0), rows, cols, (0, 0)))


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """An image batch enlarged by integer factors (`nearest`: each pixel repeated)."""
    if interpolation != "nearest":
        raise NotImplementedError(f"`K.resize_images(interpolation={interpolation!r})`: only 'nearest' is supported.")
    rows, cols = (2, 3) if data_format == "channels_first" else (1, 2)
    return ops.repeat(ops.repeat(_tensor(x), height_factor, axis=rows), width_factor, axis=cols)


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """`(x - mean) / sqrt(var + epsilon) * gamma + beta`."""
    return ops.batch_normalization(_tensor(x), mean, var, axis=axis, offset=beta, scale=gamma, epsilon=epsilon)


def in_top_k(predictions, targets, k):
    """Whether each target class is among the `k` largest predictions of its row."""
    return ops.in_top_k(targets, predictions, k)


def map_fn(fn, elems, name=None, dtype=None):
    """`fn` applied to each slice of `elems` along the first axis, stacked."""
    return ops.stack([fn(element) for element in _tensor(elems)])


def foldl(fn, elems, initializer=None, name=None):
    """`fn(accumulator, element)` from the first element to the last."""
    elems = list(_tensor(elems))
    accumulator = elems.pop(0) if initializer is None else initializer
    for element in elems:
        accumulator = fn(accumulator, element)
    return accumulator


def foldr(fn, elems, initializer=None, name=None):
    """`fn(accumulator, element)` from the last element to the first."""
    elems = list(_tensor(elems))[::-1]
    accumulator = elems.pop(0) if initializer is None else initializer
    for element in elems:
        accumulator = fn(accumulator, element)
    return accumulator
