"""TensorFlow's array functions, with TensorFlow's signatures, on keraslite ops.

Each accepts TensorFlow's arguments (and the `name=` every TF function takes), runs the
matching `keras.ops` (so it also works symbolically on KerasTensors) and hands the result
out as an `EagerTensor`.
"""

from __future__ import annotations

import builtins
import functools

import numpy as np
import torch

from keraslite import ops
from keraslite.backend import dtypes as keras_dtypes
from keraslite.backend import state
from keraslite.compat.tensorflow import dtypes
from keraslite.compat.tensorflow.eager import wrap
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.ops.dispatch import keras_op, to_tensor
from keraslite.utils.dataset import StringArray


def _holds_strings(value) -> bool:
    """Whether `value` is text: str/bytes, a NumPy str/bytes array, or a list of them."""
    if isinstance(value, (str, bytes)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "SU" or (value.dtype == object and value.size > 0 and _holds_strings(value.flat[0]))
    if isinstance(value, (list, tuple)) and value:
        return _holds_strings(value[0])
    return False


def _as_bytes_array(value) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind == "U" or array.dtype == object:
        flat = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in array.reshape(-1).tolist()]
        array = np.asarray(flat, dtype=bytes).reshape(array.shape) if flat else array.astype("S1")
    return array


def _as_string_array(value):
    """A result of a function on text: a bytes array that answers `.numpy()` (a tensor of
    numbers, e.g. `tf.shape` of text, is wrapped as usual)."""
    if isinstance(value, torch.Tensor):
        return wrap(value)
    if isinstance(value, list):
        return [_as_string_array(v) for v in value]
    return _as_bytes_array(value).view(StringArray)


def _string_constant(value, dtype=None, shape=None):
    array = _as_bytes_array(value)
    return np.broadcast_to(array, tuple(shape)).copy() if shape is not None else array


# TensorFlow functions that also take text: string tensors are NumPy bytes arrays here
# (torch tensors hold numbers), so on text these run in NumPy.
_STRING_VERSIONS = {
    "constant": _string_constant,
    "convert_to_tensor": lambda value, dtype=None, dtype_hint=None: _as_bytes_array(value),
    "identity": lambda input: _as_bytes_array(input),  # noqa: A006
    "expand_dims": lambda input, axis: np.expand_dims(_as_bytes_array(input), axis),  # noqa: A006
    "squeeze": lambda input, axis=None: np.squeeze(_as_bytes_array(input), axis=axis),  # noqa: A006
    "reshape": lambda tensor, shape: np.reshape(_as_bytes_array(tensor), tuple(int(d) for d in shape)),
    "transpose": lambda a, perm=None, conjugate=False: np.transpose(_as_bytes_array(a), perm),
    "stack": lambda values, axis=0: np.stack([_as_bytes_array(v) for v in values], axis=axis),
    "unstack": lambda value, num=None, axis=0: list(np.moveaxis(_as_bytes_array(value), axis, 0)),
    "concat": lambda values, axis: np.concatenate([_as_bytes_array(v) for v in values], axis=axis),
    "tile": lambda input, multiples: np.tile(_as_bytes_array(input), [int(m) for m in multiples]),  # noqa: A006
    "reverse": lambda tensor, axis: np.flip(_as_bytes_array(tensor), axis=tuple(axis)),
    "gather": lambda params, indices, validate_indices=None, axis=None, batch_dims=0: np.take(
        _as_bytes_array(params),
        np.asarray(indices.cpu() if isinstance(indices, torch.Tensor) else indices),
        axis=axis or 0,
    ),
    "boolean_mask": lambda tensor, mask, axis=None: _as_bytes_array(tensor)[
        np.asarray(mask.cpu() if isinstance(mask, torch.Tensor) else mask, dtype=bool)
    ],
}


def tf_api(function):
    """Drop TF's `name=` argument and wrap tensor results as `EagerTensor`s."""

    string_version = _STRING_VERSIONS.get(function.__name__)

    @functools.wraps(function)
    def api(*args, name=None, **kwargs):
        if string_version is not None and args and _holds_strings(args[0]):
            return _as_string_array(string_version(*args, **kwargs))
        return wrap(function(*args, **kwargs))

    if api.__doc__ is None:
        module = function.__module__.rpartition(".")[2]
        namespace = {"nn": "tf.nn", "random": "tf.random", "linalg": "tf.linalg", "image": "tf.image"}.get(module, "tf")
        api.__doc__ = (
            f"TensorFlow's `{namespace}.{function.__name__}` with its signature, computed by keras.ops "
            "on torch tensors (recorded as an op node on KerasTensors)."
        )
    return api


@tf_api
def constant(value, dtype=None, shape=None):
    tensor = to_tensor(value, dtype)
    if shape is not None:
        shape = tuple(shape)
        tensor = tensor.reshape(shape) if tensor.numel() != 1 else tensor.reshape(()).expand(shape).clone()
    return tensor


@tf_api
def convert_to_tensor(value, dtype=None, dtype_hint=None):
    if isinstance(value, KerasTensor):
        return value if dtype is None else ops.cast(value, dtype)
    if dtype is None and dtype_hint is not None and not isinstance(value, torch.Tensor):
        dtype = dtype_hint
    return to_tensor(value, dtype)


@tf_api
def zeros(shape, dtype=dtypes.float32):
    return ops.zeros(_static_shape(shape), dtype=dtype)


@tf_api
def ones(shape, dtype=dtypes.float32):
    return ops.ones(_static_shape(shape), dtype=dtype)


@tf_api
def fill(dims, value):
    return ops.full(_static_shape(dims), value, dtype=None if isinstance(value, float) else to_tensor(value).dtype)


@tf_api
def zeros_like(input, dtype=None):  # noqa: A002
    return ops.zeros_like(input, dtype=dtype)


@tf_api
def ones_like(input, dtype=None):  # noqa: A002
    return ops.ones_like(input, dtype=dtype)


def _static_shape(shape):
    if isinstance(shape, torch.Tensor):
        return tuple(int(d) for d in shape.tolist())  # host sync: TF accepts shapes as tensors
    return (shape,) if isinstance(shape, int) else tuple(int(d) for d in shape)


@tf_api
def eye(num_rows, num_columns=None, batch_shape=None, dtype=dtypes.float32):
    matrix = ops.eye(num_rows, num_columns, dtype=dtype)
    if batch_shape:
        matrix = matrix.expand(tuple(batch_shape) + tuple(matrix.shape)).clone()
    return matrix


@tf_api
def range(start, limit=None, delta=1, dtype=None):  # noqa: A001
    if limit is None:
        start, limit = 0, start
    return ops.arange(start, limit, delta, dtype=dtype)


@tf_api
def linspace(start, stop, num, axis=0):
    return ops.linspace(start, stop, int(num))


@tf_api
def stack(values, axis=0):
    return ops.stack(values, axis=axis)


@tf_api
def unstack(value, num=None, axis=0):
    return ops.unstack(value, num=num, axis=axis)


@tf_api
def concat(values, axis):
    return ops.concatenate(values, axis=axis)


@tf_api
def reshape(tensor, shape):
    return ops.reshape(tensor, shape)


@tf_api
def transpose(a, perm=None, conjugate=False):
    return ops.transpose(a, axes=perm)


@tf_api
def expand_dims(input, axis):  # noqa: A002
    return ops.expand_dims(input, axis)


@tf_api
def squeeze(input, axis=None):  # noqa: A002
    return ops.squeeze(input, axis=axis)


@tf_api
def cast(x, dtype):
    return ops.cast(x, dtype)


@tf_api
def identity(input):  # noqa: A002
    return input


@tf_api
def stop_gradient(input):  # noqa: A002
    return ops.stop_gradient(input)


class ShapeTuple(tuple):
    """What `tf.shape(x)` gives for a concrete tensor: the shape as a tuple of ints (so it
    indexes, slices and feeds `tf.reshape` / `tf.zeros`, also inside fake-tensor shape
    inference) that also answers `.numpy()`, `.dtype` and `repr` as TensorFlow's int32
    shape tensor does."""

    dtype = dtypes.int32

    def numpy(self) -> np.ndarray:
        return np.asarray(self, dtype=np.int32)

    def __array__(self, dtype=None, copy=None):
        return np.asarray(tuple(self), dtype=dtype or np.int32)

    def __repr__(self) -> str:
        return f"<tf.Tensor: shape=({len(self)},), dtype=int32, numpy={np.array2string(self.numpy(), separator=', ')}>"


def _count(value: int, out_type):
    """A count as TensorFlow gives it: a 0-d int tensor (int32 unless `out_type` says)."""
    dtype = keras_dtypes.standardize_dtype(out_type) if out_type is not None else "int32"
    return wrap(torch.tensor(value, dtype=getattr(torch, dtype)))


def shape(input, out_type=None):  # noqa: A002
    """The shape of `input`: a `ShapeTuple` for a concrete tensor, a tuple with None for
    unknown dims of a KerasTensor.

    TensorFlow returns an int32 tensor; a tuple indexes, slices and feeds `tf.reshape` /
    `tf.zeros` the same way, and works inside fake-tensor shape inference.
    """
    dims = ops.shape(input)
    return dims if isinstance(input, KerasTensor) else ShapeTuple(dims)


def rank(input):  # noqa: A002
    """The number of axes: a 0-d int32 tensor (an int for a KerasTensor)."""
    if isinstance(input, KerasTensor):
        return ops.ndim(input)
    return _count(np.ndim(input) if _holds_strings(input) else ops.ndim(input), None)


def size(input, out_type=None):  # noqa: A002
    """The number of elements: a 0-d int32 tensor (an int, or None, for a KerasTensor)."""
    if isinstance(input, KerasTensor):
        return ops.size(input)
    return _count(int(np.size(input)) if _holds_strings(input) else ops.size(input), out_type)


@tf_api
def slice(input_, begin, size):  # noqa: A001
    """`tf.slice`: `size[i]` elements from `begin[i]` along each axis (-1: to the end)."""
    begin = [int(b) for b in _static_shape(begin)]
    sizes = [int(n) for n in _static_shape(size)]
    dims = ops.shape(input_)
    sizes = [dims[i] - b if n == -1 else n for i, (b, n) in enumerate(zip(begin, sizes))]
    return ops.slice(input_, begin, sizes)


@tf_api
def tile(input, multiples):  # noqa: A002
    return ops.tile(input, multiples)


@tf_api
def broadcast_to(input, shape):  # noqa: A002
    return ops.broadcast_to(input, shape)


@tf_api
def gather(params, indices, validate_indices=None, axis=None, batch_dims=0):
    if batch_dims:
        return _gather_batched(params, indices, axis if axis is not None else batch_dims, batch_dims)
    return ops.take(params, indices, axis=0 if axis is None else axis)


@keras_op
def _gather_batched(params, indices, axis, batch_dims):
    params, indices = to_tensor(params), to_tensor(indices).long()
    if batch_dims != 1 or axis != 1 or indices.ndim != 2:
        raise NotImplementedError(
            "tf.gather with batch_dims supports batch_dims=1, axis=1 and 2-D indices only. "
            "Use keras.ops.take_along_axis instead."
        )
    index = indices.reshape(indices.shape + (1,) * (params.ndim - 2)).expand(indices.shape + params.shape[2:])
    return torch.gather(params, 1, index)


@tf_api
def split(value, num_or_size_splits, axis=0, num=None):
    if isinstance(num_or_size_splits, int):
        return ops.split(value, num_or_size_splits, axis=axis)
    sizes = [int(s) for s in num_or_size_splits]
    if -1 in sizes:
        total = ops.shape(value)[axis]
        sizes[sizes.index(-1)] = total - (sum(sizes) + 1)
    indices, running = [], 0
    for s in sizes[:-1]:
        running += s
        indices.append(running)
    return ops.split(value, indices, axis=axis)


@tf_api
def where(condition, x=None, y=None):
    if x is None and y is None:
        return _where_coordinates(condition)
    return ops.where(condition, x, y)


@keras_op
def _where_coordinates(condition):
    return torch.nonzero(to_tensor(condition))  # int64 coordinates, as TensorFlow


@tf_api
def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None):
    if dtype is None:
        dtype = to_tensor(on_value).dtype if on_value is not None else dtypes.float32
    encoded = ops.one_hot(indices, depth, axis=-1 if axis is None else axis, dtype=dtype)
    if on_value is not None or off_value is not None:
        on = 1 if on_value is None else on_value
        off = 0 if off_value is None else off_value
        encoded = encoded * (on - off) + off
    return encoded


@tf_api
def pad(tensor, paddings, mode="CONSTANT", constant_values=0):
    if isinstance(paddings, torch.Tensor):
        paddings = paddings.tolist()
    return ops.pad(tensor, paddings, mode=mode.lower(), constant_values=constant_values)


@tf_api
def reverse(tensor, axis):
    return ops.flip(tensor, axis=tuple(axis))


@tf_api
def roll(input, shift, axis):  # noqa: A002
    return ops.roll(input, shift, axis=axis)


@tf_api
def sort(values, axis=-1, direction="ASCENDING"):
    result = ops.sort(values, axis=axis)
    return ops.flip(result, axis=axis) if direction == "DESCENDING" else result


@tf_api
def argsort(values, axis=-1, direction="ASCENDING", stable=False):
    if direction == "DESCENDING":
        return ops.argsort(ops.negative(values), axis=axis)
    return ops.argsort(values, axis=axis)


@tf_api
def boolean_mask(tensor, mask, axis=None):
    tensor, mask = to_tensor(tensor), to_tensor(mask).bool()
    axis = axis or 0
    index = (builtins.slice(None),) * axis + (mask,)
    return tensor[index]


@tf_api
def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool):
    lengths = to_tensor(lengths)
    if maxlen is None:
        maxlen = int(lengths.max())  # host sync, as the output size depends on it
    positions = torch.arange(int(maxlen), device=lengths.device)
    return (positions < lengths.unsqueeze(-1)).to(keras_dtypes.to_torch_dtype(dtype))


@tf_api
def meshgrid(*args, indexing="xy"):
    return ops.meshgrid(*args, indexing=indexing)


@tf_api
def einsum(equation, *inputs):
    return ops.einsum(equation, *inputs)


@tf_api
def clip_by_value(t, clip_value_min, clip_value_max):
    return ops.clip(t, clip_value_min, clip_value_max)


@tf_api
def clip_by_norm(t, clip_norm, axes=None):
    t = to_tensor(t)
    norm = torch.linalg.vector_norm(t, dim=axes, keepdim=True) if axes is not None else torch.linalg.vector_norm(t)
    return t * clip_norm / torch.maximum(norm, torch.as_tensor(clip_norm, dtype=t.dtype, device=t.device))


@tf_api
def matmul(
    a,
    b,
    transpose_a=False,
    transpose_b=False,
    adjoint_a=False,
    adjoint_b=False,
    a_is_sparse=False,
    b_is_sparse=False,
    output_type=None,
):
    if transpose_a or adjoint_a or transpose_b or adjoint_b:
        return _matmul_transposed(a, b, transpose_a or adjoint_a, transpose_b or adjoint_b)
    return ops.matmul(a, b)


@keras_op
def _matmul_transposed(a, b, transpose_a, transpose_b):
    a, b = to_tensor(a), to_tensor(b)
    return torch.matmul(a.mT if transpose_a else a, b.mT if transpose_b else b)


def is_tensor(x) -> bool:
    return isinstance(x, (torch.Tensor, KerasTensor))


def executing_eagerly() -> bool:
    return True


def device_name_default() -> str:
    return str(state.get_device())


__all__ = sorted(
    name
    for name, value in list(globals().items())
    if callable(value)
    and not name.startswith("_")
    and getattr(value, "__module__", None) == __name__
    and name not in ("tf_api",)
)


@tf_api
def gather_nd(params, indices, batch_dims=0):
    if batch_dims:
        raise NotImplementedError("tf.gather_nd with batch_dims is not supported; use keras.ops.take_along_axis.")
    return _gather_nd(params, indices)


@keras_op
def _gather_nd(params, indices):
    params, indices = to_tensor(params), to_tensor(indices).long()
    return params[tuple(indices.unbind(-1))]


@tf_api
def scatter_nd(indices, updates, shape):
    return ops.scatter(indices, updates, _static_shape(shape))


@tf_api
def tensor_scatter_nd_update(tensor, indices, updates):
    return _tensor_scatter_nd(tensor, indices, updates, False)


@tf_api
def tensor_scatter_nd_add(tensor, indices, updates):
    return _tensor_scatter_nd(tensor, indices, updates, True)


@tf_api
def tensor_scatter_nd_sub(tensor, indices, updates):
    return _tensor_scatter_nd(tensor, indices, ops.negative(updates), True)


@tf_api
def tensor_scatter_nd_min(tensor, indices, updates):
    return _tensor_scatter_nd_reduce(tensor, indices, updates, "amin")


@tf_api
def tensor_scatter_nd_max(tensor, indices, updates):
    return _tensor_scatter_nd_reduce(tensor, indices, updates, "amax")


@keras_op
def _tensor_scatter_nd(tensor, indices, updates, accumulate):
    tensor, indices = to_tensor(tensor), to_tensor(indices).long()
    return tensor.index_put(tuple(indices.unbind(-1)), to_tensor(updates).to(tensor.dtype), accumulate=accumulate)


@keras_op
def _tensor_scatter_nd_reduce(tensor, indices, updates, reduce):
    """`tensor` with each indexed element (or slice) replaced by the min/max of itself
    and the updates aimed at it (duplicate indices combine)."""
    tensor, indices = to_tensor(tensor), to_tensor(indices).long()
    updates = to_tensor(updates).to(tensor.dtype)
    depth = indices.shape[-1]
    inner = tensor.shape[depth:]
    strides = torch.tensor([int(np.prod(tensor.shape[d + 1 : depth])) for d in range(depth)], device=indices.device)
    rows = (indices.reshape(-1, depth) * strides).sum(-1)
    flat = tensor.reshape(-1, *inner) if depth else tensor.reshape(1, *inner)
    updates = updates.reshape(-1, *inner)
    index = rows.reshape(-1, *([1] * len(inner))).expand_as(updates)
    return flat.scatter_reduce(0, index, updates, reduce, include_self=True).reshape(tensor.shape)


def custom_gradient(f=None):
    """`@tf.custom_gradient`: `f(*x)` returns `(y, grad_fn)`; backprop uses `grad_fn(dy)`."""
    if f is None:
        return custom_gradient
    return ops.custom_gradient(f)


__all__ = sorted(
    set(__all__)
    | {
        "gather_nd",
        "scatter_nd",
        "tensor_scatter_nd_update",
        "tensor_scatter_nd_add",
        "tensor_scatter_nd_sub",
        "tensor_scatter_nd_min",
        "tensor_scatter_nd_max",
        "custom_gradient",
        "slice",
        "ShapeTuple",
    }
)
