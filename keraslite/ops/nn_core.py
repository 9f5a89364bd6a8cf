"""Neural-network `keras.ops`: activations, one_hot, crossentropies, moments, normalization."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from keraslite.backend import dtypes, state
from keraslite.ops.dispatch import axis_arg, default_float, keras_op, to_tensor


def _activation(name, function, doc):
    def op(x):
        return function(default_float(to_tensor(x)))

    op.__name__ = op.__qualname__ = name
    op.__module__ = __name__
    op.__doc__ = doc + "\n\nArgs:\n    x: input tensor.\n"
    return keras_op(op)


relu = _activation("relu", torch.relu, "max(x, 0), elementwise.")
relu6 = _activation("relu6", lambda x: torch.clamp(x, 0.0, 6.0), "min(max(x, 0), 6), elementwise.")
sigmoid = _activation("sigmoid", torch.sigmoid, "1 / (1 + exp(-x)), elementwise.")
softplus = _activation("softplus", F.softplus, "log(1 + exp(x)), elementwise.")
softsign = _activation("softsign", F.softsign, "x / (1 + |x|), elementwise.")
silu = _activation("silu", F.silu, "x * sigmoid(x), elementwise.")
swish = _activation("swish", F.silu, "x * sigmoid(x), elementwise (alias of silu).")
log_sigmoid = _activation("log_sigmoid", F.logsigmoid, "log(sigmoid(x)), elementwise.")
selu = _activation("selu", F.selu, "Scaled exponential linear unit, elementwise.")
hard_sigmoid = _activation(
    "hard_sigmoid", lambda x: torch.clamp(x / 6.0 + 0.5, 0.0, 1.0), "relu6(x + 3) / 6, elementwise."
)
hard_silu = _activation(
    "hard_silu", lambda x: x * torch.clamp(x / 6.0 + 0.5, 0.0, 1.0), "x * hard_sigmoid(x), elementwise."
)
hard_swish = hard_silu
tanh_shrink = _activation("tanh_shrink", F.tanhshrink, "x - tanh(x), elementwise.")
sparse_plus = _activation(
    "sparse_plus",
    lambda x: torch.where(x <= -1, torch.zeros_like(x), torch.where(x >= 1, x, (x + 1) ** 2 / 4)),
    "SparsePlus activation.",
)


@keras_op
def squareplus(x, b=4):
    """(x + sqrt(x^2 + b)) / 2, a smooth ReLU; `b` sets the curvature near 0."""
    x = default_float(to_tensor(x))
    return (x + torch.sqrt(x * x + b)) / 2


@keras_op
def gelu(x, approximate=True):
    """Gaussian error linear unit (the tanh approximation by default, as Keras)."""
    return F.gelu(default_float(to_tensor(x)), approximate="tanh" if approximate else "none")


@keras_op
def elu(x, alpha=1.0):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return F.elu(default_float(to_tensor(x)), alpha=alpha)


@keras_op
def celu(x, alpha=1.0):
    """Continuously differentiable exponential linear unit."""
    return F.celu(default_float(to_tensor(x)), alpha=alpha)


@keras_op
def leaky_relu(x, negative_slope=0.2):
    """x if x > 0 else negative_slope * x."""
    return F.leaky_relu(default_float(to_tensor(x)), negative_slope)


@keras_op
def glu(x, axis=-1):
    """Gated linear unit: a * sigmoid(b) for the two halves of `x` along `axis`."""
    return F.glu(to_tensor(x), dim=axis)


@keras_op
def hard_tanh(x):
    """tanh approximated by clipping to [-1, 1]."""
    return F.hardtanh(to_tensor(x))


@keras_op
def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0."""
    return F.hardshrink(to_tensor(x), threshold)


@keras_op
def soft_shrink(x, threshold=0.5):
    """x shrunk toward 0 by `threshold` (0 inside [-threshold, threshold])."""
    return F.softshrink(to_tensor(x), threshold)


@keras_op
def threshold(x, threshold, default_value):
    """x where x > threshold, else `default_value`."""
    x = to_tensor(x)
    return torch.where(x > threshold, x, torch.as_tensor(default_value, dtype=x.dtype, device=x.device))


@keras_op
def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis` (several axes allowed)."""
    x = default_float(to_tensor(x))
    if isinstance(axis, (list, tuple)):
        return torch.exp(x - torch.logsumexp(x, dim=tuple(axis), keepdim=True))
    return torch.softmax(x, dim=axis)


@keras_op
def log_softmax(x, axis=-1):
    """log(softmax(x)) along `axis`, computed stably."""
    x = default_float(to_tensor(x))
    if isinstance(axis, (list, tuple)):
        return x - torch.logsumexp(x, dim=tuple(axis), keepdim=True)
    return torch.log_softmax(x, dim=axis)


@keras_op
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot vectors of `num_classes` for integer `x` (negative indices give zeros)."""
    x = to_tensor(x).long()
    valid = (x >= 0) & (x < num_classes)
    result = F.one_hot(torch.where(valid, x, torch.zeros_like(x)), num_classes) * valid.unsqueeze(-1)
    result = result.to(dtypes.to_torch_dtype(dtype or state.floatx()))
    if axis != -1:
        result = torch.movedim(result, -1, axis)
    return result


@keras_op
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """For each row of integer `inputs`, 1 at every class present."""
    num_classes = num_classes or kwargs.get("num_tokens")
    inputs = to_tensor(inputs).long()
    squeeze = inputs.ndim == 1
    if squeeze:
        inputs = inputs.unsqueeze(0)
    result = one_hot.eager_function(inputs, num_classes, dtype=dtype).amax(dim=-2)
    return result.squeeze(0) if squeeze else result


def _clip_probabilities(output):
    epsilon = state.epsilon()
    return torch.clamp(output, epsilon, 1.0 - epsilon)


@keras_op
def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary crossentropy between `target` and `output` (probabilities or logits)."""
    output = default_float(to_tensor(output))
    target = to_tensor(target).to(output.dtype)
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    output = _clip_probabilities(output)
    return -(target * torch.log(output) + (1.0 - target) * torch.log(1.0 - output))


@keras_op
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between one-hot (or soft) `target` and `output` along `axis`."""
    output = default_float(to_tensor(output))
    target = to_tensor(target).to(output.dtype)
    if from_logits:
        return -torch.sum(target * torch.log_softmax(output, dim=axis), dim=axis)
    output = output / torch.sum(output, dim=axis, keepdim=True)
    return -torch.sum(target * torch.log(_clip_probabilities(output)), dim=axis)


@keras_op
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Crossentropy between integer class `target` and `output` along `axis`."""
    output = default_float(to_tensor(output))
    target = to_tensor(target).long()
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = target.squeeze(-1)
    if from_logits:
        log_probabilities = torch.log_softmax(output, dim=axis)
    else:
        output = output / torch.sum(output, dim=axis, keepdim=True)
        log_probabilities = torch.log(_clip_probabilities(output))
    log_probabilities = torch.movedim(log_probabilities, axis, -1)
    return -torch.gather(log_probabilities, -1, target.unsqueeze(-1)).squeeze(-1)


@keras_op
def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) of `x` over `axes`."""
    x = default_float(to_tensor(x))
    dims = axis_arg(axes)
    dims = dims if isinstance(dims, tuple) else (dims,)
    variance, mean = torch.var_mean(x, dim=dims, keepdim=keepdims, correction=0)
    return mean, variance


@keras_op
def normalize(x, axis=-1, order=2, epsilon=None):
    """`x` divided by its `order`-norm along `axis`."""
    x = default_float(to_tensor(x))
    return F.normalize(x, p=order, dim=axis, eps=epsilon if epsilon is not None else state.epsilon())


@keras_op
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, the statistics broadcast on `axis`."""
    x = to_tensor(x)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]

    def expand(v):
        return None if v is None else to_tensor(v).reshape(shape)

    result = (x - expand(mean)) * torch.rsqrt(expand(variance) + epsilon)
    if scale is not None:
        result = result * expand(scale)
    if offset is not None:
        result = result + expand(offset)
    return result


@keras_op
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """(x - mean) / sqrt(var + epsilon) over `axis`, then `* gamma + beta`."""
    x = default_float(to_tensor(x))
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    variance, mean = torch.var_mean(x, dim=axes, keepdim=True, correction=0)
    result = (x - mean) * torch.rsqrt(variance + (state.epsilon() if epsilon is None else epsilon))
    if gamma is not None:
        result = result * to_tensor(gamma)
    if beta is not None:
        result = result + to_tensor(beta)
    return result


@keras_op
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / sqrt(mean(x^2) + epsilon) over `axis`, then `* scale`."""
    x = default_float(to_tensor(x))
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    result = x * torch.rsqrt(
        torch.mean(x * x, dim=axes, keepdim=True) + (state.epsilon() if epsilon is None else epsilon)
    )
    return result if scale is None else result * to_tensor(scale)


@keras_op
def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio between two images, in dB."""
    x1, x2 = default_float(to_tensor(x1)), default_float(to_tensor(x2))
    mse = torch.mean((x1 - x2) ** 2)
    return 20.0 * torch.log10(torch.as_tensor(float(max_val), dtype=x1.dtype, device=x1.device)) - 10.0 * torch.log10(
        mse
    )


@keras_op
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC loss per sample: `target` (batch, max_label) int labels, `output` logits
    (batch, time, classes), lengths per sample, `mask_index` the blank class."""
    output = default_float(to_tensor(output))
    log_probabilities = torch.log_softmax(output, dim=-1).transpose(0, 1)  # (time, batch, classes)
    return F.ctc_loss(
        log_probabilities,
        to_tensor(target).long(),
        to_tensor(output_length).long(),
        to_tensor(target_length).long(),
        blank=mask_index,
        reduction="none",
        zero_infinity=False,
    )


@keras_op
def sparse_sigmoid(x):
    """0 below -1, 1 above 1, (x + 1) / 2 between: a piecewise-linear sigmoid."""
    x = default_float(to_tensor(x))
    return torch.clamp((x + 1) * 0.5, 0.0, 1.0)


@keras_op
def sparsemax(x, axis=-1):
    """Euclidean projection of `x` onto the probability simplex along `axis`: like
    softmax, but most entries come out exactly 0."""
    x = default_float(to_tensor(x))
    ordered = torch.sort(x, dim=axis, descending=True).values
    cumulative = ordered.cumsum(dim=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    rank = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype, device=x.device).reshape(shape)
    in_support = ordered - (cumulative - 1) / rank > 0
    support_size = in_support.sum(dim=axis, keepdim=True)
    support_sum = cumulative.gather(axis, support_size - 1)
    threshold = (support_sum - 1) / support_size.to(x.dtype)
    return torch.clamp(x - threshold, min=0.0)


@keras_op
def polar(abs_, angle):
    """The complex number `abs_ * (cos(angle) + i sin(angle))`, elementwise."""
    magnitude = default_float(to_tensor(abs_))
    return torch.polar(magnitude, to_tensor(angle).to(magnitude.dtype))


def _log_add(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    high = max(a, b)
    return high + math.log1p(math.exp(-abs(a - b)))


def _prefix_beam_search(log_probs, length, blank, beam_width, top_paths):
    """CTC prefix beam search over one sequence of per-step log-probabilities (a nested
    list, time x classes): the `top_paths` most probable label sequences and their log
    probabilities (summed over the alignments that stay in the beam)."""
    # Each prefix keeps two scores: alignments ending in a blank, and ending in its last label.
    beams = {(): (0.0, -math.inf)}
    classes = range(len(log_probs[0])) if log_probs else range(0)
    for t in range(length):
        step = log_probs[t]
        extended: dict[tuple, list] = {}
        for prefix, (ends_blank, ends_label) in beams.items():
            total = _log_add(ends_blank, ends_label)
            for label in classes:
                p = step[label]
                if label == blank:
                    entry = extended.setdefault(prefix, [-math.inf, -math.inf])
                    entry[0] = _log_add(entry[0], total + p)
                    continue
                longer = prefix + (label,)
                entry = extended.setdefault(longer, [-math.inf, -math.inf])
                if prefix and prefix[-1] == label:
                    # A repeat needs a blank in between; without one it collapses into `prefix`.
                    entry[1] = _log_add(entry[1], ends_blank + p)
                    same = extended.setdefault(prefix, [-math.inf, -math.inf])
                    same[1] = _log_add(same[1], ends_label + p)
                else:
                    entry[1] = _log_add(entry[1], total + p)
        ranked = sorted(extended.items(), key=lambda item: _log_add(*item[1]), reverse=True)
        beams = {prefix: tuple(scores) for prefix, scores in ranked[:beam_width]}
    ranked = sorted(beams.items(), key=lambda item: _log_add(*item[1]), reverse=True)[:top_paths]
    return [(list(prefix), _log_add(*scores)) for prefix, scores in ranked]


@keras_op
def ctc_decode(
    inputs,
    sequence_lengths,
    strategy="greedy",
    beam_width=100,
    top_paths=1,
    merge_repeated=True,
    mask_index=0,
):
    """Decode CTC outputs `(batch, time, classes)` (probabilities or logits); the blank
    class is `mask_index` (None: the last class).

    "greedy" takes the best class per step, merges repeats (when `merge_repeated`) and
    drops blanks: `(decoded, scores)` with `decoded` `(1, batch, time)` int32, -1 after
    each sequence, and `scores` `(batch, 1)` the negative sum of the chosen values.
    "beam_search" runs a prefix beam search of `beam_width` on the log-softmax of the
    inputs: `decoded` `(top_paths, batch, time)`, `scores` `(batch, top_paths)` the log
    probabilities of the paths. Beam search runs in Python on the host (a sync).
    """
    if strategy not in ("greedy", "beam_search"):
        raise ValueError(f"Invalid strategy {strategy!r}. Supported values are 'greedy' and 'beam_search'.")
    inputs = default_float(to_tensor(inputs))
    lengths = to_tensor(sequence_lengths).to(device=inputs.device, dtype=torch.long)
    batch, steps, classes = inputs.shape
    blank = classes - 1 if mask_index is None else mask_index
    if strategy == "beam_search":
        log_probs = torch.log_softmax(inputs, dim=-1).detach().cpu().tolist()  # host sync
        decoded = torch.full((top_paths, batch, steps), -1, dtype=torch.int32)
        scores = torch.full((batch, top_paths), -math.inf, dtype=inputs.dtype)
        for b, length in enumerate(lengths.cpu().tolist()):
            for rank, (labels, score) in enumerate(
                _prefix_beam_search(log_probs[b], int(length), blank, beam_width, top_paths)
            ):
                decoded[rank, b, : len(labels)] = torch.tensor(labels, dtype=torch.int32)
                scores[b, rank] = score
        return decoded.to(inputs.device), scores.to(inputs.device)
    scores, labels = inputs.max(dim=-1)
    beyond = torch.arange(steps, device=inputs.device)[None, :] >= lengths[:, None]
    labels = labels.masked_fill(beyond, blank)
    scores = scores.masked_fill(beyond, 0.0)
    if merge_repeated:
        repeated = F.pad(labels[:, 1:] == labels[:, :-1], (1, 0))
        labels = labels.masked_fill(repeated, blank)
    dropped = labels == blank
    labels = labels.masked_fill(dropped, -1)
    # Kept labels first, in time order; the dropped ones (-1) after them.
    order = torch.arange(steps, device=inputs.device).expand(batch, steps).masked_fill(dropped, steps)
    labels = labels.gather(1, order.argsort(dim=-1, stable=True))
    return labels.to(torch.int32)[None], -scores.sum(dim=1, keepdim=True)
