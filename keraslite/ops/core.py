"""Core `keras.ops`: conversion, dtype, shape, control flow and slicing helpers."""

from __future__ import annotations

import builtins

import numpy as np
import torch

from keraslite.backend import dtypes, tree
from keraslite.backend.conversion import to_numpy
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.ops.dispatch import keras_op, to_tensor
from keraslite.ops.numpy_shape import take


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None) -> torch.Tensor:
    """`x` (array, list, number or tensor) as a torch tensor on the default device.

    Args:
        x: the value. Python floats become `floatx()`, Python ints `int32`.
        dtype: optional target dtype.
    """
    if isinstance(x, KerasTensor):
        return x if dtype is None else cast(x, dtype)
    if dtype in (None, "string") and _is_text(x):
        # torch has no string tensors: text stays a NumPy array of str (what a model's
        # string inputs and the text layers take).
        return np.asarray(x).astype(str)
    return to_tensor(x, dtype)


def _is_text(x) -> bool:
    if isinstance(x, (str, bytes)):
        return True
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "SU"
    if isinstance(x, (list, tuple)) and x:
        return _is_text(x[0])
    return False


def convert_to_numpy(x) -> np.ndarray:
    """A NumPy copy of a tensor (detached, on the host). This is a host sync."""
    if isinstance(x, torch.Tensor):
        return to_numpy(x)
    return np.asarray(x)


def is_tensor(x) -> bool:
    """Whether `x` is a tensor of this backend (a torch tensor)."""
    return isinstance(x, torch.Tensor)


def dtype(x) -> str:
    """The Keras dtype name of `x` (`"float32"`, ...)."""
    if isinstance(x, KerasTensor):
        return x._dtype
    return dtypes.standardize_dtype(x.dtype if hasattr(x, "dtype") else to_tensor(x).dtype)


@keras_op
def cast(x, dtype):
    """`x` converted to `dtype`."""
    return to_tensor(x).to(dtypes.to_torch_dtype(dtype))


def saturate_cast(x, dtype):
    """Cast, clipping values to the range of the target dtype first."""
    torch_dtype = dtypes.to_torch_dtype(dtype)
    info = torch.finfo(torch_dtype) if torch_dtype.is_floating_point else torch.iinfo(torch_dtype)
    return cast(_clip_for_cast(x, float(info.min), float(info.max)), dtype)


@keras_op
def _clip_for_cast(x, low, high):
    return torch.clamp(to_tensor(x), low, high)


def shape(x) -> tuple:
    """The shape of `x` as a tuple (None for unknown dims of a KerasTensor)."""
    if isinstance(x, KerasTensor):
        return tuple(x._shape)
    if isinstance(x, torch.Tensor):
        return tuple(x.shape)
    return tuple(np.shape(x))


@keras_op
def stop_gradient(variable):
    """`variable` with no gradient flowing back through it."""
    return to_tensor(variable).detach()


def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` else `false_fn()` (a Python branch: `pred` is read on the host)."""
    if isinstance(pred, torch.Tensor):
        pred = bool(pred)  # host sync: the branch is Python control flow
    return true_fn() if pred else false_fn()


def switch(index, branches, *operands):
    """`branches[index](*operands)`, the index clamped into range."""
    index = int(index)  # host sync when `index` is a tensor
    index = max(0, min(index, len(branches) - 1))
    return branches[index](*operands)


def fori_loop(lower, upper, body_fun, init_val):
    """`val = body_fun(i, val)` for `i` in `range(lower, upper)`."""
    value = init_val
    for i in range(int(lower), int(upper)):
        value = body_fun(i, value)
    return value


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat `loop_vars = body(*loop_vars)` while `cond(*loop_vars)`."""
    is_tuple = isinstance(loop_vars, (list, tuple))
    values = tuple(loop_vars) if is_tuple else (loop_vars,)
    count = 0
    while bool(cond(*values)):  # host sync per iteration, inherent to a data-dependent loop
        if maximum_iterations is not None and count >= maximum_iterations:
            break
        values = body(*values)
        values = tuple(values) if isinstance(values, (list, tuple)) else (values,)
        count += 1
    if is_tuple:
        return type(loop_vars)(values) if isinstance(loop_vars, tuple) else list(values)
    return values[0]


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """`carry, y = f(carry, x)` over the leading axis of `xs`; returns `(carry, stacked ys)`."""
    n = length if xs is None else len(xs)
    indices = range(n - 1, -1, -1) if reverse else range(n)
    carry, ys = init, []
    for i in indices:
        carry, y = f(carry, None if xs is None else xs[i])
        ys.append(y)
    if reverse:
        ys.reverse()
    return carry, (torch.stack([to_tensor(y) for y in ys]) if ys and ys[0] is not None else None)


def map(f, xs):  # noqa: A001  (the Keras name)
    """`f` applied to each slice of `xs` along axis 0, results stacked."""
    return torch.stack([to_tensor(f(x)) for x in xs])


def vectorized_map(function, elements):
    """`function` on each slice of `elements` along axis 0 (through `torch.vmap`)."""
    return torch.vmap(function)(elements)


@keras_op
def slice(inputs, start_indices, shape):  # noqa: A001
    """The block of `inputs` of size `shape` starting at `start_indices`."""
    inputs = to_tensor(inputs)
    index = tuple(builtins.slice(int(s), int(s) + int(n)) for s, n in zip(start_indices, shape))
    return inputs[index]


@keras_op
def slice_update(inputs, start_indices, updates):
    """`inputs` with the block at `start_indices` replaced by `updates` (a new tensor)."""
    inputs, updates = to_tensor(inputs), to_tensor(updates)
    index = tuple(builtins.slice(int(s), int(s) + n) for s, n in zip(start_indices, updates.shape))
    result = inputs.clone()
    result[index] = updates.to(inputs.dtype)
    return result


@keras_op
def scatter(indices, values, shape):
    """A zeros tensor of `shape` with `values` added at `indices` (`(n, rank)` int array)."""
    indices, values = to_tensor(indices).long(), to_tensor(values)
    result = torch.zeros(tuple(shape), dtype=values.dtype, device=values.device)
    result.index_put_(tuple(indices.t()), values, accumulate=True)
    return result


@keras_op
def scatter_update(inputs, indices, updates, reduction=None):
    """`inputs` with the entries at `indices` (rows of `k` coordinates into its first `k`
    axes) replaced by `updates`, or combined with them: `reduction` "add", "max", "min"
    or "mul" (repeated indices then combine too)."""
    inputs, indices, updates = to_tensor(inputs), to_tensor(indices).long(), to_tensor(updates)
    updates = updates.to(inputs.dtype)
    result = inputs.clone()
    if reduction is None:
        result[tuple(indices.t())] = updates
        return result
    if reduction == "add":
        return result.index_put_(tuple(indices.t()), updates, accumulate=True)
    reduce = {"max": "amax", "min": "amin", "mul": "prod"}.get(reduction)
    if reduce is None:
        raise ValueError(
            f"`scatter_update` takes reduction=None, 'add', 'max', 'min' or 'mul'. Received: reduction={reduction!r}"
        )
    # Rows of coordinates -> one flat index into the leading axes, then one index_reduce.
    depth = indices.shape[-1]
    leading = inputs.shape[:depth]
    strides = torch.ones(depth, dtype=torch.long, device=indices.device)
    for axis in range(depth - 2, -1, -1):
        strides[axis] = strides[axis + 1] * leading[axis + 1]
    flat_index = (indices * strides).sum(-1).to(inputs.device)
    flat = result.reshape((-1,) + tuple(inputs.shape[depth:]))
    updates = updates.reshape((flat_index.shape[0],) + tuple(inputs.shape[depth:]))
    index = flat_index.reshape((-1,) + (1,) * (updates.ndim - 1)).expand_as(updates)
    return flat.scatter_reduce(0, index, updates, reduce, include_self=True).reshape(inputs.shape)


def unstack(x, num=None, axis=0):
    """The slices of `x` along `axis`, as a list."""
    if isinstance(x, KerasTensor):
        count = x._shape[axis]
        if count is None:
            raise ValueError(f"Cannot unstack a dimension of unknown size. Received: x.shape={x._shape}, axis={axis}")
        return [take(x, i, axis=axis) for i in range(count)]
    return list(torch.unbind(to_tensor(x), dim=axis))


def custom_gradient(f):
    """Decorate `f(*args) -> (output, grad_fn)` so that backprop uses `grad_fn(upstream)`."""

    class _Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *args):
            with torch.enable_grad():
                output, grad_fn = f(*args)
            ctx.grad_fn = grad_fn
            return output.detach() if isinstance(output, torch.Tensor) else output

        @staticmethod
        def backward(ctx, *upstream):
            grads = ctx.grad_fn(*upstream)
            return tuple(grads) if isinstance(grads, (list, tuple)) else (grads,)

    def wrapped(*args):
        return _Function.apply(*args)

    return wrapped


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of `elems` (a tensor or a nested structure of tensors of the same
    length along `axis`) with an associative `f`: element `i` of the result is
    `f(...f(f(e0, e1), e2)..., ei)`. `f` takes and returns structures like `elems` whose
    leaves keep the scanned axis (length 1 here). `reverse=True` scans from the end.

    Runs one `f` call per step (`length - 1` calls): simple and exact for any
    associative `f`, at the cost of a Python loop over the scanned axis.
    """
    leaves = [to_tensor(leaf) for leaf in tree.flatten(elems)]
    if not leaves:
        raise ValueError("`associative_scan` needs at least one tensor in `elems`. Received: elems=" + repr(elems))
    lengths = {leaf.shape[axis] for leaf in leaves}
    if len(lengths) != 1:
        raise ValueError(
            "Every array in `elems` must have the same length along the scanned axis. Received lengths "
            f"{sorted(lengths)} along axis={axis}."
        )
    length = lengths.pop()
    if reverse:
        leaves = [leaf.flip(axis) for leaf in leaves]

    def step(index):
        return tree.pack_sequence_as(elems, [leaf.narrow(axis, index, 1) for leaf in leaves])

    carry = step(0) if length else None
    outputs = [tree.flatten(carry)] if length else []
    for index in range(1, length):
        # Reversed, this scans the flipped sequence forward (as Keras and JAX do).
        carry = f(carry, step(index))
        outputs.append([to_tensor(leaf) for leaf in tree.flatten(carry)])
    if not length:
        return elems
    stacked = [torch.cat(parts, dim=axis) for parts in zip(*outputs)]
    if reverse:
        stacked = [leaf.flip(axis) for leaf in stacked]
    return tree.pack_sequence_as(elems, stacked)
