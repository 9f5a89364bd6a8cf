"""TensorFlow's math functions (`tf.reduce_sum`, `tf.square`, `tf.math.*`), on keraslite ops."""

from __future__ import annotations

import torch

from keraslite import ops
from keraslite.compat.tensorflow import dtypes
from keraslite.compat.tensorflow.array_ops import tf_api
from keraslite.compat.tensorflow.eager import wrap
from keraslite.ops.dispatch import keras_op, to_tensor


def _unary(op):
    @tf_api
    def function(x):
        return op(x)

    function.__name__ = function.__qualname__ = op.__name__
    function.__doc__ = f"TensorFlow's `{op.__name__}`: `keras.ops.{op.__name__}`."
    return function


def _binary(op, name=None):
    @tf_api
    def function(x, y):
        return op(x, y)

    function.__name__ = function.__qualname__ = name or op.__name__
    function.__doc__ = f"TensorFlow's `{function.__name__}`: `keras.ops.{op.__name__}`."
    return function


def _reduction(op, name):
    @tf_api
    def function(input_tensor, axis=None, keepdims=False):
        if isinstance(axis, torch.Tensor):
            axis = axis.tolist()
        return op(input_tensor, axis=axis, keepdims=keepdims)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"TensorFlow's `{name}`: `keras.ops.{op.__name__}`."
    return function


abs = _unary(ops.abs)  # noqa: A001
negative = _unary(ops.negative)
square = _unary(ops.square)
sqrt = _unary(ops.sqrt)
rsqrt = _unary(ops.rsqrt)
exp = _unary(ops.exp)
expm1 = _unary(ops.expm1)
log = _unary(ops.log)
log1p = _unary(ops.log1p)
sin = _unary(ops.sin)
cos = _unary(ops.cos)
tan = _unary(ops.tan)
asin = _unary(ops.arcsin)
acos = _unary(ops.arccos)
atan = _unary(ops.arctan)
sinh = _unary(ops.sinh)
cosh = _unary(ops.cosh)
tanh = _unary(ops.tanh)
sigmoid = _unary(ops.sigmoid)
floor = _unary(ops.floor)
ceil = _unary(ops.ceil)
round = _unary(ops.round)  # noqa: A001
sign = _unary(ops.sign)
reciprocal = _unary(ops.reciprocal)
erf = _unary(ops.erf)
softplus = _unary(ops.softplus)
softsign = _unary(ops.softsign)
log_sigmoid = _unary(ops.log_sigmoid)
is_nan = _unary(ops.isnan)
is_inf = _unary(ops.isinf)
is_finite = _unary(ops.isfinite)
logical_not = _unary(ops.logical_not)

add = _binary(ops.add)
subtract = _binary(ops.subtract)
multiply = _binary(ops.multiply)
divide = _binary(ops.divide)
truediv = _binary(ops.true_divide, "truediv")
floordiv = _binary(ops.floor_divide, "floordiv")
floormod = _binary(ops.mod, "floormod")
mod = _binary(ops.mod)
pow = _binary(ops.power, "pow")  # noqa: A001
maximum = _binary(ops.maximum)
minimum = _binary(ops.minimum)
equal = _binary(ops.equal)
not_equal = _binary(ops.not_equal)
greater = _binary(ops.greater)
greater_equal = _binary(ops.greater_equal)
less = _binary(ops.less)
less_equal = _binary(ops.less_equal)
logical_and = _binary(ops.logical_and)
logical_or = _binary(ops.logical_or)
logical_xor = _binary(ops.logical_xor)
divide_no_nan = _binary(ops.divide_no_nan)
atan2 = _binary(ops.arctan2, "atan2")

reduce_sum = _reduction(ops.sum, "reduce_sum")
reduce_mean = _reduction(ops.mean, "reduce_mean")
reduce_max = _reduction(ops.max, "reduce_max")
reduce_min = _reduction(ops.min, "reduce_min")
reduce_prod = _reduction(ops.prod, "reduce_prod")
reduce_std = _reduction(ops.std, "reduce_std")
reduce_variance = _reduction(ops.var, "reduce_variance")
reduce_logsumexp = _reduction(ops.logsumexp, "reduce_logsumexp")
reduce_all = _reduction(ops.all, "reduce_all")
reduce_any = _reduction(ops.any, "reduce_any")


@tf_api
def squared_difference(x, y):
    return ops.square(ops.subtract(x, y))


@tf_api
def add_n(inputs):
    result = inputs[0]
    for value in inputs[1:]:
        result = ops.add(result, value)
    return result


@tf_api
def argmax(input, axis=None, output_type=dtypes.int64):  # noqa: A002
    # TensorFlow's default axis is 0, and its default index type int64.
    return ops.cast(ops.argmax(input, axis=0 if axis is None else axis), output_type)


@tf_api
def argmin(input, axis=None, output_type=dtypes.int64):  # noqa: A002
    return ops.cast(ops.argmin(input, axis=0 if axis is None else axis), output_type)


@tf_api
def cumsum(x, axis=0, exclusive=False, reverse=False):
    if exclusive or reverse:
        return _cumsum_options(x, axis, exclusive, reverse)
    return ops.cumsum(x, axis=axis)


@keras_op
def _cumsum_options(x, axis, exclusive, reverse):
    x = to_tensor(x)
    if reverse:
        x = torch.flip(x, (axis,))
    result = torch.cumsum(x, dim=axis)
    if exclusive:
        result = result - x
    return torch.flip(result, (axis,)) if reverse else result


@tf_api
def count_nonzero(input, axis=None, keepdims=None, dtype=dtypes.int64):  # noqa: A002
    return ops.cast(ops.count_nonzero(input, axis=axis), dtype)


@tf_api
def top_k(input, k=1, sorted=True):  # noqa: A002
    return TopKV2(*ops.top_k(input, k, sorted=sorted))


class TopKV2(tuple):
    """(values, indices) with the field names TensorFlow gives them."""

    def __new__(cls, values, indices):
        return super().__new__(cls, (wrap(values), wrap(indices)))

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]


@tf_api
def in_top_k(targets, predictions, k):
    return ops.in_top_k(targets, predictions, k)


@tf_api
def l2_normalize(x, axis=None, epsilon=1e-12):
    return _l2_normalize(x, axis, epsilon)


@keras_op
def _l2_normalize(x, axis, epsilon):
    x = to_tensor(x)
    dims = tuple(range(x.ndim)) if axis is None else axis
    square_sum = torch.sum(x * x, dim=dims, keepdim=True)
    return x * torch.rsqrt(torch.clamp(square_sum, min=epsilon))


@tf_api
def norm(tensor, ord="euclidean", axis=None, keepdims=None):
    return ops.norm(tensor, ord=None if ord in ("euclidean", "fro") else ord, axis=axis, keepdims=bool(keepdims))


@tf_api
def segment_sum(data, segment_ids):
    return ops.segment_sum(data, segment_ids)


@tf_api
def unsorted_segment_sum(data, segment_ids, num_segments):
    return ops.segment_sum(data, segment_ids, num_segments=int(num_segments))


def _unsorted_segment(reduce: str):
    def segment(data, segment_ids, num_segments, name=None):
        data = to_tensor(data)
        ids = to_tensor(segment_ids).long().reshape(-1)
        count = int(num_segments)
        rows = data
        out_shape = (count,) + tuple(rows.shape[1:])
        index = ids.view(-1, *([1] * (rows.ndim - 1))).expand_as(rows)
        if reduce == "mean":
            total = torch.zeros(out_shape, dtype=rows.dtype).scatter_add_(0, index, rows)
            counts = torch.zeros(out_shape, dtype=rows.dtype).scatter_add_(0, index, torch.ones_like(rows))
            return wrap(total / counts.clamp_min(1))
        fill = {"amax": torch.finfo(rows.dtype).min, "amin": torch.finfo(rows.dtype).max, "prod": 1.0}[reduce]
        if not rows.is_floating_point():
            fill = {"amax": torch.iinfo(rows.dtype).min, "amin": torch.iinfo(rows.dtype).max, "prod": 1}[reduce]
        out = torch.full(out_shape, fill, dtype=rows.dtype)
        return wrap(out.scatter_reduce(0, index, rows, reduce=reduce, include_self=True))

    segment.__name__ = f"unsorted_segment_{ {'amax': 'max', 'amin': 'min'}.get(reduce, reduce) }"
    segment.__doc__ = "TensorFlow's `tf.math.%s`: rows of `data` reduced per segment id." % segment.__name__
    return segment


unsorted_segment_mean = _unsorted_segment("mean")
unsorted_segment_max = _unsorted_segment("amax")
unsorted_segment_min = _unsorted_segment("amin")
unsorted_segment_prod = _unsorted_segment("prod")


__all__ = sorted(
    name
    for name, value in list(globals().items())
    if callable(value)
    and not name.startswith("_")
    and name not in ("keras_op", "to_tensor", "tf_api")
    and getattr(value, "__module__", __name__) in (__name__, "keraslite.compat.tensorflow.array_ops")
)
