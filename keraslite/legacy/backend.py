"""The tf.keras 2 `keras.backend` functions (`K.mean`, `K.variable`, `K.batch_dot`, ...).

TF-2-era code writes custom losses, metrics and layers with `from tensorflow.keras import
backend as K`. Keras 3 dropped these functions; here they are written with `keras.ops` and
`keras.random`, so they take torch tensors, NumPy arrays and KerasTensors (recording op
nodes), and keep tf.keras 2's argument names, defaults and results: reductions take
`(x, axis=None, keepdims=False)`, `K.zeros`/`K.ones`/`K.eye`/`K.variable` return variables,
crossentropies are tf.keras 2's clipped formulas (the activations, losses, CTC and
convolution functions are in `backend_nn.py`). The public face `keraslite/backend_api.py`
re-exports them as `keras.backend`.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch

from keraslite import ops
from keraslite import random as keras_random
from keraslite.backend import state
from keraslite.backend.dtypes import standardize_dtype
from keraslite.backend.variable import Variable
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.input_layer import Input
from keraslite.models.functional import Functional

# --- values and variables ----------------------------------------------------------------


def _floatx_if_python(value, dtype):
    if dtype is not None:
        return dtype
    if isinstance(value, (float, int, list, tuple)) and not isinstance(value, bool):
        return state.floatx()
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return state.floatx()
    return None


def variable(value, dtype=None, name=None, constraint=None):
    """A variable holding `value` (tf.keras 2 made NumPy float64 and Python numbers floatx)."""
    if name is not None:
        name = name.replace("/", "_").replace(":", "_")
    v = Variable(value, dtype=_floatx_if_python(value, dtype), name=name)
    if constraint is not None:
        v.constraint = constraint
    return v


def constant(value, dtype=None, shape=None, name=None):
    """A constant tensor of `value` (floatx for Python numbers), broadcast to `shape` if given."""
    dtype = dtype or (state.floatx() if not isinstance(value, (torch.Tensor, np.ndarray)) else None)
    x = ops.convert_to_tensor(value, dtype=dtype)
    if shape is not None:
        x = ops.broadcast_to(x, tuple(shape)) if x.ndim == 0 else ops.reshape(x, tuple(shape))
    return x


def zeros(shape, dtype=None, name=None):
    """An all-zeros variable of `shape` (tf.keras 2 returned a variable)."""
    return variable(np.zeros(_int_shape_arg(shape)), dtype=dtype or state.floatx(), name=name)


def ones(shape, dtype=None, name=None):
    """An all-ones variable of `shape`."""
    return variable(np.ones(_int_shape_arg(shape)), dtype=dtype or state.floatx(), name=name)


def eye(size, dtype=None, name=None):
    """An identity-matrix variable (`size` an int or `(rows, columns)`)."""
    rows, columns = (size, size) if isinstance(size, int) else tuple(size)
    return variable(np.eye(rows, columns), dtype=dtype or state.floatx(), name=name)


def zeros_like(x, dtype=None, name=None):
    return ops.zeros_like(x, dtype=dtype)


def ones_like(x, dtype=None, name=None):
    return ops.ones_like(x, dtype=dtype)


def cast_to_floatx(x):
    """`x` as a NumPy array of floatx (tensors are cast as tensors)."""
    if isinstance(x, (torch.Tensor, KerasTensor)):
        return ops.cast(x, state.floatx())
    return np.asarray(x, dtype=state.floatx())


def _numpy(x):
    if isinstance(x, KerasTensor):
        raise ValueError(
            f"Cannot evaluate the symbolic tensor {x.name!r}: it has no value until a model built on it is called."
        )
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def eval(x):  # noqa: A001  (tf.keras 2's name)
    """The value of a tensor or variable as a NumPy array."""
    return _numpy(x)


def get_value(x):
    """The value of a variable (or tensor) as a NumPy array."""
    return _numpy(x)


def batch_get_value(tensors):
    """The values of several variables, as a list of NumPy arrays."""
    return [get_value(t) for t in tensors]


def set_value(x, value):
    """Assigns `value` (a NumPy array or number) to the variable `x`."""
    if not hasattr(x, "assign"):
        raise TypeError(f"`K.set_value` needs a variable (with `assign`); received {type(x).__name__}.")
    x.assign(np.asarray(value, dtype=standardize_dtype(x.dtype)))


def batch_set_value(tuples):
    """Assigns each `(variable, value)` pair."""
    for x, value in tuples:
        set_value(x, value)


def update(x, new_x):
    x.assign(new_x)
    return x


def update_add(x, increment):
    x.assign_add(increment)
    return x


def update_sub(x, decrement):
    x.assign_sub(decrement)
    return x


def moving_average_update(x, value, momentum):
    """`x = x * momentum + value * (1 - momentum)` on the variable `x`."""
    x.assign(x * momentum + ops.convert_to_tensor(value, dtype=x.dtype) * (1 - momentum))
    return x


def count_params(x):
    """The number of elements of `x`."""
    return int(np.prod(int_shape(x)))


def int_shape(x):
    """The shape of `x` as a tuple of ints (None for unknown dimensions)."""
    shape = getattr(x, "shape", None)
    if shape is None:
        shape = np.shape(x)
    return tuple(None if d is None else int(d) for d in shape)


def shape(x):
    """The shape of `x`: an int32 tensor for a tensor (as `tf.shape`), a tuple for a KerasTensor."""
    if isinstance(x, KerasTensor):
        return ops.shape(x)
    return torch.tensor(tuple(ops.shape(x)), dtype=torch.int32)


def ndim(x):
    return len(int_shape(x))


def dtype(x):
    """The dtype name of `x` (`"float32"`)."""
    return standardize_dtype(x.dtype)


def is_sparse(tensor):
    return bool(getattr(tensor, "is_sparse", False))


def to_dense(tensor):
    return tensor.to_dense() if is_sparse(tensor) else tensor


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None, ragged=False):
    """A symbolic input: `keras.Input` with `batch_shape=shape` (tf.keras 2's graph placeholder)."""
    if shape is None:
        if ndim is None:
            raise ValueError("`K.placeholder` needs `shape` or `ndim`.")
        shape = (None,) * ndim
    return Input(batch_shape=tuple(shape), dtype=dtype, sparse=sparse, name=name)


# --- learning phase ----------------------------------------------------------------------

_learning_phase = {"value": None}


def learning_phase():
    """The learning phase set by `set_learning_phase` (0, test, when none was set)."""
    value = _learning_phase["value"]
    return 0 if value is None else value


def set_learning_phase(value):
    """Sets the learning phase (0 test, 1 train); deprecated in tf.keras 2: pass `training=`."""
    if value not in (0, 1):
        raise ValueError(f"Expected learning phase to be 0 or 1. Received: {value}")
    _learning_phase["value"] = value


@contextlib.contextmanager
def learning_phase_scope(value):
    """A context in which `learning_phase()` is `value`."""
    if value not in (0, 1):
        raise ValueError(f"Expected learning phase to be 0 or 1. Received: {value}")
    previous = _learning_phase["value"]
    _learning_phase["value"] = value
    try:
        yield
    finally:
        _learning_phase["value"] = previous


def in_train_phase(x, alt, training=None):
    """`x` in training, else `alt` (either may be a callable)."""
    if training is None:
        training = learning_phase()
    chosen = x if training in (1, True) else alt
    return chosen() if callable(chosen) else chosen


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training=training)


def manual_variable_initialization(value):
    """Accepted for compatibility: variables are initialized when made."""


# --- graph-mode functions ----------------------------------------------------------------


def gradients(loss, variables):
    """Not available: symbolic gradients need TF 1's graph mode."""
    raise RuntimeError(
        "`K.gradients` builds symbolic gradients in TensorFlow's graph mode, which keraslite (eager, on "
        "PyTorch) does not have. Compute gradients with `tf.GradientTape` (`tape.gradient(loss, variables)`) "
        "or `torch.autograd.grad`."
    )


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """A callable from input values to output values (NumPy), as tf.keras 2's eager `K.function`.

    `inputs` and `outputs` are KerasTensors of a functional model (`model.input`,
    `model.layers[i].output`); calling the result with a list of arrays runs the part of the
    graph between them and returns a list of NumPy arrays (a single array when `outputs` was
    a single tensor).
    """
    if updates:
        raise ValueError("`K.function(updates=...)` is graph-mode only; keraslite runs eagerly.")
    input_list = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    output_list = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    for value in input_list + output_list:
        if not isinstance(value, KerasTensor):
            raise TypeError(
                f"`K.function` takes KerasTensors (such as `model.input`); received {type(value).__name__}."
            )
    model = Functional(input_list, output_list)

    def run(values):
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        if len(values) != len(input_list):
            raise ValueError(f"This function takes {len(input_list)} input(s); received {len(values)}.")
        with torch.no_grad():
            results = model(values if len(values) > 1 else values[0], training=learning_phase() == 1)
        results = list(results) if isinstance(results, (list, tuple)) else [results]
        arrays = [_numpy(r) for r in results]
        return arrays if isinstance(outputs, (list, tuple)) else arrays[0]

    return run


def print_tensor(x, message="", summarize=3):
    """Prints `message` and the value of `x`; returns `x`."""
    print(message, _numpy(x) if not isinstance(x, KerasTensor) else x)
    return x


# --- math ---------------------------------------------------------------------------------


def _tensor(x):
    return x if isinstance(x, (torch.Tensor, KerasTensor)) else ops.convert_to_tensor(x)


def _float_if_bool(x):
    x = _tensor(x)
    return ops.cast(x, state.floatx()) if standardize_dtype(x.dtype) == "bool" else x


def mean(x, axis=None, keepdims=False):
    return ops.mean(_float_if_bool(x), axis=axis, keepdims=keepdims)


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return ops.sum(x, axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    return ops.prod(x, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return ops.max(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return ops.min(x, axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    return ops.var(_float_if_bool(x), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return ops.std(_float_if_bool(x), axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001
    return ops.all(ops.cast(x, "bool"), axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    return ops.any(ops.cast(x, "bool"), axis=axis, keepdims=keepdims)


def cumsum(x, axis=0):
    return ops.cumsum(x, axis=axis)


def cumprod(x, axis=0):
    return ops.cumprod(x, axis=axis)


def argmax(x, axis=-1):
    return ops.argmax(x, axis=axis)


def argmin(x, axis=-1):
    return ops.argmin(x, axis=axis)


def square(x):
    return ops.square(x)


def sqrt(x):
    """Square root, with negative values clipped to 0 first (as tf.keras 2)."""
    return ops.sqrt(ops.maximum(x, 0.0))


def exp(x):
    return ops.exp(x)


def log(x):
    return ops.log(x)


def abs(x):  # noqa: A001
    return ops.abs(x)


def round(x):  # noqa: A001
    """Rounds half to even, as TensorFlow."""
    return ops.round(x)


def sign(x):
    return ops.sign(x)


def pow(x, a):  # noqa: A001
    return ops.power(x, a)


def sin(x):
    return ops.sin(x)


def cos(x):
    return ops.cos(x)


def clip(x, min_value, max_value):
    """`x` clipped to `[min_value, max_value]` (None: unbounded; a max below the min becomes the min)."""
    if isinstance(min_value, (int, float)) and isinstance(max_value, (int, float)) and max_value < min_value:
        max_value = min_value
    min_value = -np.inf if min_value is None else min_value
    max_value = np.inf if max_value is None else max_value
    return ops.clip(x, min_value, max_value)


def maximum(x, y):
    return ops.maximum(x, y)


def minimum(x, y):
    return ops.minimum(x, y)


def equal(x, y):
    return ops.equal(x, y)


def not_equal(x, y):
    return ops.not_equal(x, y)


def greater(x, y):
    return ops.greater(x, y)


def greater_equal(x, y):
    return ops.greater_equal(x, y)


def less(x, y):
    return ops.less(x, y)


def less_equal(x, y):
    return ops.less_equal(x, y)


def cast(x, dtype):
    return ops.cast(x, dtype)


def stop_gradient(variables):
    """`variables` (one tensor or a list) with gradients stopped."""
    if isinstance(variables, (list, tuple)):
        return [ops.stop_gradient(v) for v in variables]
    return ops.stop_gradient(variables)


def switch(condition, then_expression, else_expression):
    """`then_expression` where `condition`, else `else_expression` (callables are called)."""
    then_value = then_expression() if callable(then_expression) else then_expression
    else_value = else_expression() if callable(else_expression) else else_expression
    if isinstance(condition, (bool, int)):
        return then_value if condition else else_value
    condition = ops.cast(condition, "bool")
    cond_ndim, expr_ndim = len(ops.shape(condition)), len(ops.shape(then_value))
    for _ in range(expr_ndim - cond_ndim):
        condition = ops.expand_dims(condition, -1)
    return ops.where(condition, then_value, else_value)


def l2_normalize(x, axis=None):
    """`x / sqrt(max(sum(x ** 2), 1e-12))` along `axis` (all axes when None)."""
    x = _tensor(x)
    squares = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return x * ops.rsqrt(ops.maximum(squares, 1e-12))


# --- shapes and arrangement --------------------------------------------------------------


def concatenate(tensors, axis=-1):
    return ops.concatenate(list(tensors), axis=axis)


def stack(x, axis=0):
    return ops.stack(list(x), axis=axis)


def reshape(x, shape):
    """`x` reshaped; `shape` may hold tensors (`(K.shape(x)[0], -1)`), as tf.keras 2 allowed."""
    if isinstance(shape, torch.Tensor):
        shape = shape.tolist()
    return ops.reshape(x, tuple(int(d) if isinstance(d, torch.Tensor) else d for d in shape))


def expand_dims(x, axis=-1):
    return ops.expand_dims(x, axis)


def squeeze(x, axis):
    return ops.squeeze(x, axis=axis)


def permute_dimensions(x, pattern):
    return ops.transpose(x, axes=tuple(pattern))


def transpose(x):
    return ops.transpose(x)


def flatten(x):
    """`x` as one dimension."""
    return ops.reshape(x, (-1,))


def batch_flatten(x):
    """`x` as `(batch, everything else)`."""
    return ops.reshape(x, (-1, int(np.prod(int_shape(x)[1:]))))


def tile(x, n):
    return ops.tile(x, (n,) if isinstance(n, int) else tuple(n))


def repeat(x, n):
    """A 2D `(samples, dim)` tensor repeated to `(samples, n, dim)`."""
    if len(int_shape(x)) != 2:
        raise ValueError(f"`K.repeat` takes a 2D tensor; received shape {int_shape(x)}.")
    return ops.repeat(ops.expand_dims(x, 1), n, axis=1)


def repeat_elements(x, rep, axis):
    return ops.repeat(x, rep, axis=axis)


def reverse(x, axes):
    return ops.flip(x, axis=axes if isinstance(axes, int) else tuple(axes))


def gather(reference, indices):
    return ops.take(reference, indices, axis=0)


def arange(start, stop=None, step=1, dtype="int32"):
    return ops.arange(start, stop, step, dtype=dtype)


def one_hot(indices, num_classes):
    return ops.one_hot(indices, num_classes)


def dot(x, y):
    """Matrix product; for ranks above 2 the last axis of `x` meets the second-to-last of `y`
    (`(2, 3) . (4, 3, 5) -> (2, 4, 5)`), as tf.keras 2 (and Theano) did."""
    x_ndim, y_ndim = len(int_shape(x)), len(int_shape(y))
    if x_ndim <= 2 and y_ndim <= 2:
        return ops.matmul(x, y)
    return ops.tensordot(x, y, axes=([x_ndim - 1], [y_ndim - 2 if y_ndim > 1 else 0]))


def batch_dot(x, y, axes=None):
    """Per-sample dot product of two batches, contracting `axes` (tf.keras 2's rules: by
    default the last axis of `x` with the last of a 2D `y`, else its second-to-last; a 2D
    result gets a trailing axis of 1)."""
    x_shape, y_shape = int_shape(x), int_shape(y)
    x_ndim, y_ndim = len(x_shape), len(y_shape)
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError(f"`K.batch_dot` needs tensors of rank 2 or more; received shapes {x_shape} and {y_shape}.")
    if axes is None:
        axes = (x_ndim - 1, y_ndim - 1 if y_ndim == 2 else y_ndim - 2)
    elif isinstance(axes, int):
        axes = (axes, axes)
    x_axis, y_axis = (a % n if a < 0 else a for a, n in zip(axes, (x_ndim, y_ndim)))
    if x_axis == 0 or y_axis == 0:
        raise ValueError(f"`K.batch_dot` cannot contract the batch axis; received axes={axes}.")
    if x_shape[x_axis] is not None and y_shape[y_axis] is not None and x_shape[x_axis] != y_shape[y_axis]:
        raise ValueError(
            f"`K.batch_dot` contracts axis {x_axis} of shape {x_shape} with axis {y_axis} of shape {y_shape}; "
            "their sizes differ."
        )
    x_rest = [d for i, d in enumerate(x_shape) if i not in (0, x_axis)]
    y_rest = [d for i, d in enumerate(y_shape) if i not in (0, y_axis)]
    x_moved = ops.moveaxis(x, x_axis, -1)
    y_moved = ops.moveaxis(y, y_axis, 1)
    size = x_shape[x_axis] if x_shape[x_axis] is not None else y_shape[y_axis]
    x_flat = ops.reshape(x_moved, (-1, int(np.prod(x_rest)) if x_rest else 1, size))
    y_flat = ops.reshape(y_moved, (-1, size, int(np.prod(y_rest)) if y_rest else 1))
    result = ops.matmul(x_flat, y_flat)
    result = ops.reshape(result, (-1, *x_rest, *y_rest))
    if len(x_rest) + len(y_rest) == 0:
        result = ops.expand_dims(result, 1)
    return result


def bias_add(x, bias, data_format=None):
    """`x + bias` on the channels axis (last, or the second for `channels_first`)."""
    x, bias = _tensor(x), _tensor(bias)
    data_format = data_format or state.image_data_format()
    if data_format == "channels_first" and len(int_shape(x)) > 2:
        bias = ops.reshape(bias, (1, -1) + (1,) * (len(int_shape(x)) - 2))
    return x + bias


# --- random -------------------------------------------------------------------------------


def _int_shape_arg(shape):
    if isinstance(shape, torch.Tensor):
        return tuple(int(d) for d in shape.tolist())
    return tuple(int(d) for d in shape)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return keras_random.normal(_int_shape_arg(shape), mean=mean, stddev=stddev, dtype=dtype, seed=seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return keras_random.uniform(_int_shape_arg(shape), minval=minval, maxval=maxval, dtype=dtype, seed=seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return keras_random.truncated_normal(_int_shape_arg(shape), mean=mean, stddev=stddev, dtype=dtype, seed=seed)


def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    """0/1 samples, 1 with probability `p`."""
    sample = keras_random.uniform(_int_shape_arg(shape), dtype=dtype, seed=seed)
    return ops.cast(ops.less(sample, p), dtype or state.floatx())


random_binomial = random_bernoulli


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    return variable(random_normal(shape, mean, scale, dtype=dtype or state.floatx(), seed=seed), name=name)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    return variable(random_uniform(shape, low, high, dtype=dtype or state.floatx(), seed=seed), name=name)


# --- names and dtypes ---------------------------------------------------------------------


def reset_uids():
    """Restarts the `get_uid` counts (they are the layer auto-name counters, as in Keras)."""
    state.clear_session(free_memory=False)
