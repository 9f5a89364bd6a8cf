"""Keras loss functions: `fn(y_true, y_pred)` -> per-sample loss values (last axis reduced).

The numbers follow Keras 3's torch backend exactly (the same clipping to `epsilon()`,
the same normalisation of probabilities before the log), so losses match Keras's.
"""

from __future__ import annotations

import math
import warnings

import torch
import torch.nn.functional as F

from keraslite.backend import state
from keraslite.losses.loss import INTEGER_LABEL_FUNCTIONS, squeeze_or_expand_to_same_rank, to_tensor, user_facing


def _pair(y_true, y_pred):
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(torch.get_default_dtype())
    y_true = to_tensor(y_true, y_pred.dtype)
    return y_true, y_pred


@user_facing
def mean_squared_error(y_true, y_pred):
    """Mean of squared errors over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    return torch.square(y_pred - y_true).mean(dim=-1)


@user_facing
def mean_absolute_error(y_true, y_pred):
    """Mean of absolute errors over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    return torch.abs(y_pred - y_true).mean(dim=-1)


@user_facing
def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(|(y_true - y_pred) / max(|y_true|, epsilon)|)` over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    diff = torch.abs((y_true - y_pred) / torch.clamp(torch.abs(y_true), min=state.epsilon()))
    return 100.0 * diff.mean(dim=-1)


@user_facing
def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean of `(log(y_pred + 1) - log(y_true + 1))**2` over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    eps = state.epsilon()
    first = torch.log(torch.clamp(y_pred, min=eps) + 1.0)
    second = torch.log(torch.clamp(y_true, min=eps) + 1.0)
    return torch.square(first - second).mean(dim=-1)


def _l2_normalize(x, axis):
    square_sum = torch.sum(torch.square(x), dim=axis, keepdim=True)
    return x * torch.rsqrt(torch.clamp(square_sum, min=1e-12))


@user_facing
def cosine_similarity(y_true, y_pred, axis=-1):
    """Negative cosine similarity along `axis` (-1 means identical directions)."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    return -torch.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), dim=axis)


@user_facing
def huber(y_true, y_pred, delta=1.0):
    """Quadratic for |error| <= delta, linear beyond; mean over the last axis."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    error = y_pred - y_true
    abs_error = torch.abs(error)
    values = torch.where(abs_error <= delta, 0.5 * torch.square(error), delta * abs_error - 0.5 * delta**2)
    return values.mean(dim=-1)


@user_facing
def log_cosh(y_true, y_pred):
    """Mean of `log(cosh(y_pred - y_true))` over the last axis (computed stably)."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    x = y_pred - y_true
    return (x + F.softplus(-2.0 * x) - math.log(2.0)).mean(dim=-1)


def _hinge_labels(y_true):
    # Labels given as 0/1 become -1/1, as Keras does.
    is_binary = torch.all((y_true == 0) | (y_true == 1))
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


@user_facing
def hinge(y_true, y_pred):
    """Mean of `max(1 - y_true * y_pred, 0)`; 0/1 labels are mapped to -1/1."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    return torch.clamp(1.0 - _hinge_labels(y_true) * y_pred, min=0.0).mean(dim=-1)


@user_facing
def squared_hinge(y_true, y_pred):
    """Mean of `max(1 - y_true * y_pred, 0)**2`; 0/1 labels are mapped to -1/1."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    return torch.square(torch.clamp(1.0 - _hinge_labels(y_true) * y_pred, min=0.0)).mean(dim=-1)


@user_facing
def categorical_hinge(y_true, y_pred):
    """`max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`."""
    y_true, y_pred = _pair(y_true, y_pred)
    positive = torch.sum(y_true * y_pred, dim=-1)
    negative = torch.amax((1.0 - y_true) * y_pred, dim=-1)
    return torch.clamp(negative - positive + 1.0, min=0.0)


@user_facing
def kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred))` with both clipped to [epsilon, 1]."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    eps = state.epsilon()
    y_true = torch.clamp(y_true, eps, 1.0)
    y_pred = torch.clamp(y_pred, eps, 1.0)
    return torch.sum(y_true * torch.log(y_true / y_pred), dim=-1)


@user_facing
def poisson(y_true, y_pred):
    """Mean of `y_pred - y_true * log(y_pred + epsilon)`."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_pair(y_true, y_pred))
    return (y_pred - y_true * torch.log(y_pred + state.epsilon())).mean(dim=-1)


def _log_probabilities(y_pred, from_logits, axis):
    if from_logits:
        return F.log_softmax(y_pred, dim=axis)
    # Keras renormalises probabilities and clips them away from 0 and 1 before the log.
    eps = state.epsilon()
    y_pred = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
    return torch.log(torch.clamp(y_pred, eps, 1.0 - eps))


@user_facing
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Crossentropy between one-hot (or soft) labels and predicted probabilities/logits."""
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_true, y_pred = _pair(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={tuple(y_true.shape)}, output.shape={tuple(y_pred.shape)}"
        )
    if label_smoothing:
        num_classes = y_true.shape[-1]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return -torch.sum(y_true * _log_probabilities(y_pred, from_logits, axis), dim=axis)


@user_facing
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Crossentropy between integer labels and predicted probabilities/logits."""
    y_pred = to_tensor(y_pred)
    y_true = to_tensor(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    labels = y_true.long() if y_true.dtype != torch.long else y_true
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = torch.where(valid, labels, torch.zeros_like(labels))
    if y_true.ndim != y_pred.ndim - 1:
        raise ValueError(
            "Argument `output` must have rank (ndim) `target.ndim - 1`. "
            f"Received: target.shape={tuple(y_true.shape)}, output.shape={tuple(y_pred.shape)}"
        )
    axis = axis % y_pred.ndim
    if from_logits and y_pred.ndim == 2 and axis == 1:
        result = F.cross_entropy(y_pred, labels, reduction="none")  # fused log_softmax + gather
    else:
        log_prob = _log_probabilities(y_pred, from_logits, axis)
        result = -torch.gather(log_prob, axis, labels.unsqueeze(axis)).squeeze(axis)
    if valid is not None:
        result = torch.where(valid, result, torch.zeros_like(result))
        result._keras_mask = valid
    return result


INTEGER_LABEL_FUNCTIONS.append(sparse_categorical_crossentropy)


@user_facing
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy, averaged over `axis`."""
    y_true, y_pred = _pair(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={tuple(y_true.shape)}, output.shape={tuple(y_pred.shape)}"
        )
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        values = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        values = _binary_crossentropy_of_probabilities(y_true, y_pred)
    return values.mean(dim=axis)


def _binary_crossentropy_of_probabilities(y_true, y_pred):
    """-(y log p + (1 - y) log(1 - p)), p clipped to [eps, 1 - eps]. Written out rather than
    `F.binary_cross_entropy`, which refuses targets outside [0, 1] (noisy labels such as
    `0.05 * uniform` added to 1, which TensorFlow and Keras accept)."""
    eps = state.epsilon()
    y_pred = torch.clamp(y_pred, eps, 1.0 - eps)
    return -(y_true * torch.log(y_pred) + (1.0 - y_true) * torch.log1p(-y_pred))


@user_facing
def binary_focal_crossentropy(
    y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1
):
    """Focal crossentropy for binary labels (down-weights easy examples)."""
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        bce = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
        y_pred = torch.sigmoid(y_pred)
    else:
        bce = _binary_crossentropy_of_probabilities(y_true, y_pred)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal
    return focal.mean(dim=axis)


# Keras's short aliases.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


@user_facing
def categorical_focal_crossentropy(
    y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1
):
    """Focal crossentropy for one-hot labels: `sum(alpha * (1 - p)**gamma * -y_true * log(p))`
    over `axis`, with `p` the (renormalised, clipped) predicted probabilities."""
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_true, y_pred = _pair(y_true, y_pred)
    if y_pred.shape[-1] == 1:
        warnings.warn(
            "In loss categorical_focal_crossentropy, expected y_pred.shape to be (batch_size, num_classes) "
            f"with num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. "
            "Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        y_pred = torch.softmax(y_pred, dim=axis)
    eps = state.epsilon()
    probabilities = torch.clamp(y_pred / torch.sum(y_pred, dim=axis, keepdim=True), eps, 1.0 - eps)
    alpha = alpha if isinstance(alpha, (int, float)) else to_tensor(alpha, y_pred.dtype)
    weighting = torch.pow(1.0 - probabilities, gamma) * alpha
    return torch.sum(weighting * (-y_true * torch.log(probabilities)), dim=axis)


@user_facing
def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Generalized crossentropy (Zhang & Sabuncu 2018): `(1 - p**q) / q`, `p` the predicted
    probability of the true class; `y_true` holds integer class ids."""
    y_pred = to_tensor(y_pred)
    labels = to_tensor(y_true).long()
    # Labels of shape (batch, 1) broadcast against the predictions, exactly as in Keras.
    one_hot = F.one_hot(labels, y_pred.shape[-1]).to(y_pred.dtype)
    p = torch.sum(y_pred * one_hot, dim=-1)
    return (1.0 - torch.pow(p, q)) / q


@user_facing
def ctc(y_true, y_pred):
    """CTC loss per sample: `y_true` (batch, max_length) integer labels with 0 the blank
    (and padding), `y_pred` (batch, max_length, num_classes) logits."""
    y_true, y_pred = to_tensor(y_true), to_tensor(y_pred)
    if y_true.ndim != 2:
        raise ValueError(
            "Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` in integer format. "
            f"Received: y_true.shape={tuple(y_true.shape)}"
        )
    if y_pred.ndim != 3:
        raise ValueError(
            "Logits `y_pred` are expected to be a tensor of shape `(batch_size, max_length, num_classes)`. "
            f"Received: y_pred.shape={tuple(y_pred.shape)}"
        )
    batch, time = y_pred.shape[0], y_pred.shape[1]
    input_length = torch.full((batch,), time, dtype=torch.long, device=y_pred.device)
    label_length = torch.sum(y_true != 0, dim=-1).long()
    if not y_pred.is_floating_point() or y_pred.dtype in (torch.float16, torch.bfloat16):
        y_pred = y_pred.float()
    log_probabilities = torch.log_softmax(y_pred, dim=-1).transpose(0, 1)
    return F.ctc_loss(log_probabilities, y_true.long(), input_length, label_length, blank=0, reduction="none")


@user_facing
def dice(y_true, y_pred, axis=None):
    """Dice loss `1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon)` over
    `axis` (all axes when `None`, which gives a scalar)."""
    y_true, y_pred = _pair(y_true, y_pred)
    dims = _axes(axis)
    intersection = _sum(y_true * y_pred, dims)
    return 1.0 - 2.0 * intersection / (_sum(y_true, dims) + _sum(y_pred, dims) + state.epsilon())


@user_facing
def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Tversky loss: `1 - tp / (tp + alpha * fp + beta * fn + epsilon)` over `axis`
    (`alpha = beta = 0.5` is the Dice loss)."""
    y_true, y_pred = _pair(y_true, y_pred)
    dims = _axes(axis)
    intersection = _sum(y_true * y_pred, dims)
    false_positives = _sum((1.0 - y_pred) * y_true, dims)
    false_negatives = _sum(y_pred * (1.0 - y_true), dims)
    denominator = intersection + false_positives * alpha + false_negatives * beta + state.epsilon()
    return 1.0 - intersection / denominator


def _axes(axis):
    if axis is None:
        return None
    return tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)


def _sum(x, dims):
    return torch.sum(x) if dims is None else torch.sum(x, dim=dims)


@user_facing
def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True, gamma=80, margin=0.4):
    """Circle loss (Sun et al. 2020) of L2-normalised embeddings `y_pred` with integer labels
    `y_true`, against reference embeddings/labels (default: the batch itself). Per sample;
    samples whose loss is 0 are masked out of the mean."""
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(torch.get_default_dtype())
    labels = to_tensor(y_true).to(torch.int32)
    references = y_pred if ref_embeddings is None else to_tensor(ref_embeddings, y_pred.dtype)
    ref_labels = labels if ref_labels is None else to_tensor(ref_labels).to(torch.int32)
    distances = torch.clamp(1.0 - y_pred @ references.T, min=0.0)
    positive = labels.reshape(-1, 1) == ref_labels.reshape(-1, 1).T
    negative = ~positive
    if remove_diagonal:
        eye = torch.eye(positive.shape[0], positive.shape[1], dtype=torch.bool, device=positive.device)
        positive = positive & ~eye
    positive_f, negative_f = positive.to(distances.dtype), negative.to(distances.dtype)
    positive_weights = torch.clamp((margin + distances) * positive_f, min=0.0)
    negative_weights = torch.clamp((1.0 + margin - distances) * negative_f, min=0.0)
    positive_terms = -gamma * positive_weights * (margin - distances)
    negative_terms = gamma * negative_weights * ((1.0 - margin) - distances)
    minus_inf = torch.full_like(distances, float("-inf"))
    positive_loss = torch.logsumexp(torch.where(positive, positive_terms, minus_inf), dim=1)
    negative_loss = torch.logsumexp(torch.where(negative, negative_terms, minus_inf), dim=1)
    result = F.softplus(positive_loss + negative_loss)
    result._keras_mask = result > 0
    return result
