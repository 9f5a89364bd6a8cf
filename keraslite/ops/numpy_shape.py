"""Shape, indexing and linear-algebra-like `keras.ops` (NumPy names)."""

from __future__ import annotations

import builtins
import operator

import numpy as np
import torch

from keraslite.backend import dtypes
from keraslite.graph import symbolic_ops
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.ops.dispatch import keras_op, to_tensor


def _shape_tuple(shape):
    if isinstance(shape, (int, torch.SymInt)):
        return (shape,)
    # Symbolic sizes (under torch.export) stay symbolic, as in `numpy_create._shape`.
    return tuple(-1 if d is None else d if isinstance(d, torch.SymInt) else int(d) for d in shape)


@keras_op
def array(x, dtype=None):
    """`x` as a tensor."""
    return to_tensor(x, dtype)


@keras_op
def reshape(x, newshape):
    """`x` with shape `newshape` (one dim may be -1)."""
    return torch.reshape(to_tensor(x), _shape_tuple(newshape))


@keras_op
def transpose(x, axes=None):
    """`x` with its axes permuted (reversed by default)."""
    x = to_tensor(x)
    if axes is None:
        axes = tuple(range(x.ndim - 1, -1, -1))
    return x.permute(tuple(axes))


@keras_op
def expand_dims(x, axis):
    """`x` with a new axis of size 1 at `axis` (or at each of several axes)."""
    x = to_tensor(x)
    if isinstance(axis, (list, tuple)):
        out_ndim = x.ndim + len(axis)
        for a in sorted(a % out_ndim for a in axis):
            x = x.unsqueeze(a)
        return x
    return x.unsqueeze(axis)


@keras_op
def squeeze(x, axis=None):
    """`x` without its size-1 axes (or only those in `axis`)."""
    x = to_tensor(x)
    if axis is None:
        return x.squeeze()
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(
                f"Cannot squeeze axis {a}: its size is {x.shape[a]}, not 1. Received: x.shape={tuple(x.shape)}, "
                f"axis={axis}"
            )
    return x.squeeze(tuple(axes))


@keras_op
def concatenate(xs, axis=0):
    """The tensors of `xs` joined along `axis`."""
    tensors = [to_tensor(x) for x in xs]
    return torch.cat(_common_dtype(tensors), dim=axis)


@keras_op
def stack(x, axis=0):
    """The tensors of `x` stacked along a new `axis`."""
    tensors = [to_tensor(t) for t in x]
    return torch.stack(_common_dtype(tensors), dim=axis)


def _common_dtype(tensors):
    first = tensors[0].dtype
    if builtins.all(t.dtype == first for t in tensors):
        return tensors
    common = tensors[0].dtype
    for t in tensors[1:]:
        common = torch.promote_types(common, t.dtype)
    return [t.to(common) for t in tensors]


@keras_op
def hstack(xs):
    """Tensors joined along axis 1 (axis 0 for 1-D)."""
    tensors = [to_tensor(x) for x in xs]
    return torch.hstack(_common_dtype(tensors))


@keras_op
def vstack(xs):
    """Tensors joined along axis 0 (1-D ones as rows)."""
    return torch.vstack(_common_dtype([to_tensor(x) for x in xs]))


@keras_op
def dstack(xs):
    """Tensors joined along axis 2."""
    return torch.dstack(_common_dtype([to_tensor(x) for x in xs]))


@keras_op
def append(x1, x2, axis=None):
    """`x2` appended to `x1` along `axis` (flattened if None)."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    if axis is None:
        return torch.cat(_common_dtype([x1.reshape(-1), x2.reshape(-1)]))
    return torch.cat(_common_dtype([x1, x2]), dim=axis)


def split(x, indices_or_sections, axis=0):
    """`x` split along `axis` into equal sections or at the given indices (a list)."""
    if isinstance(x, KerasTensor):
        return list(symbolic_ops.apply_function(_split, x, indices_or_sections, axis=axis))
    return _split(x, indices_or_sections, axis=axis)


def _split(x, indices_or_sections, axis=0):
    x = to_tensor(x)
    if isinstance(indices_or_sections, int):
        if x.shape[axis] % indices_or_sections:
            raise ValueError(
                f"split: axis {axis} of size {x.shape[axis]} does not divide into "
                f"{indices_or_sections} equal sections. Received: indices_or_sections={indices_or_sections}"
            )
        return list(torch.tensor_split(x, indices_or_sections, dim=axis))
    return list(torch.tensor_split(x, [int(i) for i in indices_or_sections], dim=axis))


def array_split(x, indices_or_sections, axis=0):
    """`x` split into `indices_or_sections` parts of nearly equal size along `axis`."""
    return list(torch.tensor_split(to_tensor(x), indices_or_sections, dim=axis))


@keras_op
def tile(x, repeats):
    """`x` repeated `repeats` times along each axis."""
    x = to_tensor(x)
    repeats = (repeats,) if isinstance(repeats, int) else tuple(int(r) for r in repeats)
    return x.tile(repeats)


@keras_op
def repeat(x, repeats, axis=None):
    """Each element of `x` repeated `repeats` times (along `axis`, flattened if None)."""
    x = to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if not isinstance(repeats, int):
        repeats = to_tensor(repeats).long()
    return torch.repeat_interleave(x, repeats, dim=axis)


@keras_op
def take(x, indices, axis=None):
    """Elements of `x` at `indices` along `axis` (of the flattened `x` if None)."""
    x = to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if isinstance(indices, int):
        return x.select(axis, indices)
    indices = to_tensor(indices).long()
    axis = axis % x.ndim
    # Negative indices count from the end, as in NumPy.
    indices = torch.where(indices < 0, indices + x.shape[axis], indices)
    flat = torch.index_select(x, axis, indices.reshape(-1))
    return flat.reshape(x.shape[:axis] + indices.shape + x.shape[axis + 1 :])


@keras_op
def take_along_axis(x, indices, axis=None):
    """Values of `x` at `indices` matched along `axis`."""
    x, indices = to_tensor(x), to_tensor(indices).long()
    if axis is None:
        return torch.take_along_dim(x.reshape(-1), indices.reshape(-1))
    return torch.take_along_dim(x, indices, dim=axis)


@keras_op
def flip(x, axis=None):
    """`x` reversed along `axis` (all axes by default)."""
    x = to_tensor(x)
    dims = tuple(range(x.ndim)) if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
    return torch.flip(x, dims)


@keras_op
def fliplr(x):
    """`x` reversed along axis 1."""
    return torch.flip(to_tensor(x), (1,))


@keras_op
def flipud(x):
    """`x` reversed along axis 0."""
    return torch.flip(to_tensor(x), (0,))


@keras_op
def rot90(array, k=1, axes=(0, 1)):
    """`array` rotated by 90 degrees `k` times in the plane of `axes`."""
    return torch.rot90(to_tensor(array), k, tuple(axes))


@keras_op
def roll(x, shift, axis=None):
    """`x` with elements shifted along `axis` (flattened if None)."""
    x = to_tensor(x)
    if axis is None:
        return torch.roll(x.reshape(-1), shift).reshape(x.shape)
    return torch.roll(x, shift, dims=axis)


@keras_op
def pad(x, pad_width, mode="constant", constant_values=None):
    """`x` padded by `pad_width` (`[(before, after), ...]` per axis, NumPy style)."""
    x = to_tensor(x)
    if isinstance(pad_width, int):
        pad_width = [(pad_width, pad_width)] * x.ndim
    pad_width = [(p, p) if isinstance(p, int) else tuple(p) for p in pad_width]
    if len(pad_width) == 1 and x.ndim > 1:
        pad_width = pad_width * x.ndim
    flat = []
    for before, after in reversed(pad_width):
        flat.extend([int(before), int(after)])
    if mode == "constant":
        return torch.nn.functional.pad(x, flat, value=0 if constant_values is None else constant_values)
    if mode in ("reflect", "symmetric", "edge", "wrap"):
        torch_mode = {"reflect": "reflect", "symmetric": "reflect", "edge": "replicate", "wrap": "circular"}[mode]
        if mode == "symmetric":
            raise NotImplementedError("pad: mode='symmetric' is not supported yet; use mode='reflect'.")
        # torch pads the trailing dims of a batched tensor: add a batch dim for its rules.
        return torch.nn.functional.pad(x.unsqueeze(0), flat, mode=torch_mode).squeeze(0)
    raise ValueError(f"pad: unknown mode. Expected one of constant, reflect, edge, wrap. Received: mode={mode!r}")


@keras_op
def broadcast_to(x, shape):
    """`x` broadcast to `shape`."""
    return torch.broadcast_to(to_tensor(x), _shape_tuple(shape))


@keras_op
def moveaxis(x, source, destination):
    """`x` with axes moved from `source` to `destination`."""
    return torch.movedim(to_tensor(x), source, destination)


@keras_op
def swapaxes(x, axis1, axis2):
    """`x` with two axes swapped."""
    return torch.swapaxes(to_tensor(x), axis1, axis2)


@keras_op
def ravel(x):
    """`x` flattened to 1-D."""
    return to_tensor(x).reshape(-1)


@keras_op
def tril(x, k=0):
    """Lower triangle of `x` (zeros above the `k`-th diagonal)."""
    return torch.tril(to_tensor(x), k)


@keras_op
def triu(x, k=0):
    """Upper triangle of `x`."""
    return torch.triu(to_tensor(x), k)


@keras_op
def diag(x, k=0):
    """The diagonal of a 2-D `x`, or a 2-D tensor with 1-D `x` on its diagonal."""
    return torch.diag(to_tensor(x), k)


@keras_op
def diagonal(x, offset=0, axis1=0, axis2=1):
    """A diagonal of `x` (over `axis1`, `axis2`), as a new last axis."""
    return torch.diagonal(to_tensor(x), offset=offset, dim1=axis1, dim2=axis2)


@keras_op
def diff(a, n=1, axis=-1):
    """The `n`-th discrete difference along `axis`."""
    return torch.diff(to_tensor(a), n=n, dim=axis)


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D tensors."""
    return list(torch.meshgrid(*[to_tensor(v) for v in x], indexing=indexing))


def nonzero(x):
    """Indices of the non-zero elements, one int32 tensor per axis (a host sync)."""
    return tuple(i.to(torch.int32) for i in torch.nonzero(to_tensor(x), as_tuple=True))


def size(x) -> int:
    """Number of elements of `x`."""
    if isinstance(x, KerasTensor):
        if None in x._shape:
            return None
        return int(np.prod(x._shape))
    return int(to_tensor(x).numel())


def ndim(x) -> int:
    """Number of axes of `x`."""
    if isinstance(x, KerasTensor):
        return len(x._shape)
    return to_tensor(x).ndim


@keras_op
def get_item(x, key):
    """`x[key]`."""
    return operator.getitem(to_tensor(x), key)


@keras_op
def select(condlist, choicelist, default=0):
    """Elements of `choicelist[i]` where `condlist[i]` holds first."""
    result = None
    for condition, choice in zip(reversed(condlist), reversed(choicelist)):
        choice = to_tensor(choice)
        if result is None:
            result = torch.full_like(choice, default)
        result = torch.where(to_tensor(condition).bool(), choice, result)
    return result


@keras_op
def searchsorted(sorted_sequence, values, side="left"):
    """Indices at which `values` would be inserted to keep `sorted_sequence` sorted; int32."""
    return torch.searchsorted(to_tensor(sorted_sequence), to_tensor(values), side=side).to(torch.int32)


@keras_op
def digitize(x, bins):
    """Index of the bin each value falls in (NumPy `digitize`, right=False)."""
    return torch.bucketize(to_tensor(x), to_tensor(bins), right=True).to(torch.int32)


@keras_op
def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each element of `x1` is in `x2`."""
    return torch.isin(to_tensor(x1), to_tensor(x2), invert=invert)


def unique(
    x,
    sorted=True,  # noqa: A002
    return_index=False,
    return_inverse=False,
    return_counts=False,
    axis=None,
    size=None,
    fill_value=None,
):
    """Unique elements of `x` (sorted), flattened unless `axis` is given; optionally the
    index of each one's first occurrence, the inverse indices and the counts, in that
    order. `size` truncates or pads (with `fill_value`, default 0) the results to a fixed
    length. A host sync: the output size depends on the data."""
    x = to_tensor(x)
    values, inverse, counts = torch.unique(x, sorted=True, return_inverse=True, return_counts=True, dim=axis)
    dim = 0 if axis is None else axis % x.ndim
    first_index = None
    if return_index:
        flat_inverse = inverse.reshape(-1)
        positions = torch.arange(flat_inverse.shape[0], dtype=flat_inverse.dtype, device=flat_inverse.device)
        first_index = torch.full_like(positions, flat_inverse.shape[0])[: values.shape[dim]]
        first_index = first_index.scatter_reduce(0, flat_inverse, positions, reduce="amin", include_self=True)
    if size is not None:
        count = values.shape[dim]
        if count >= size:
            values = values.narrow(dim, 0, size)
            counts = counts[:size]
            first_index = None if first_index is None else first_index[:size]
        else:
            pad = [0, 0] * (values.ndim - dim - 1) + [0, size - count]
            values = torch.nn.functional.pad(values, pad, value=0 if fill_value is None else fill_value)
            counts = torch.nn.functional.pad(counts, [0, size - count], value=0)
            if first_index is not None:
                first_index = torch.nn.functional.pad(first_index, [0, size - count], value=0)
    results = [values]
    if return_index:
        results.append(first_index)
    if return_inverse:
        results.append(inverse)
    if return_counts:
        results.append(counts)
    return results[0] if len(results) == 1 else tuple(results)


@keras_op
def bincount(x, weights=None, minlength=0, sparse=False):
    """Count (or summed weight) of each non-negative integer value of `x`."""
    x = to_tensor(x).long()
    return torch.bincount(x, weights=None if weights is None else to_tensor(weights), minlength=minlength)


# Splits along fixed axes, diagonal construction, index unravelling.
def hsplit(x, indices_or_sections):
    """Split along axis 1 (axis 0 for 1-D)."""
    return split(x, indices_or_sections, axis=1 if len(tuple(x.shape)) > 1 else 0)


def vsplit(x, indices_or_sections):
    """Split along axis 0."""
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    """Split along axis 2."""
    return split(x, indices_or_sections, axis=2)


@keras_op
def diagflat(x, k=0):
    """A 2-D tensor with the flattened `x` on its `k`-th diagonal."""
    return torch.diagflat(to_tensor(x), offset=k)


@keras_op
def unravel_index(indices, shape):
    """Flat indices as a tuple of coordinate tensors for `shape`."""
    indices = to_tensor(indices)
    return tuple(torch.unravel_index(indices, tuple(shape)))


@keras_op
def view(x, dtype=None):
    """The same memory read as another dtype (NumPy's `ndarray.view`): a narrower
    dtype lengthens the last axis, a wider one shortens it."""
    x = to_tensor(x)
    if dtype is None:
        return x
    return x.view(dtypes.to_torch_dtype(dtypes.standardize_dtype(dtype)))
