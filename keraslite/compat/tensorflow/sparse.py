"""`tf.sparse` and `tf.SparseTensor`: the basics, on torch's sparse COO tensors.

A `SparseTensor` holds TensorFlow's three parts as eager tensors — `indices` (int64,
[N, rank]), `values` ([N]) and `dense_shape` (int64, [rank]) — and becomes a torch sparse
COO tensor for the arithmetic. Covered: `to_dense`, `from_dense`, `add`, `reorder`,
`sparse_dense_matmul`, `reduce_sum`. Layers take dense tensors (`tf.sparse.to_dense`).
"""

from __future__ import annotations

import torch

from keraslite.backend import dtypes as keras_dtypes
from keraslite.compat.tensorflow import dtypes
from keraslite.compat.tensorflow.array_ops import constant
from keraslite.compat.tensorflow.eager import wrap
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.compat.tensorflow.tensor_shape import TensorShape
from keraslite.ops.dispatch import to_tensor

__getattr__ = module_getattr("tf.sparse")


class SparseTensor:
    """`tf.SparseTensor(indices, values, dense_shape)`: `values[i]` sits at `indices[i]` of
    a tensor of `dense_shape`; every other element is zero."""

    def __init__(self, indices, values, dense_shape):
        self.indices = wrap(to_tensor(indices).to(torch.int64).reshape(-1, len(_ints(dense_shape))))
        self.values = values if isinstance(values, torch.Tensor) else constant(values)
        self.values = wrap(self.values.reshape(-1).as_subclass(torch.Tensor))
        self.dense_shape = wrap(torch.tensor(_ints(dense_shape), dtype=torch.int64))
        if self.indices.shape[0] != self.values.shape[0]:
            raise ValueError(
                f"SparseTensor: `indices` has {self.indices.shape[0]} rows but `values` has "
                f"{self.values.shape[0]} elements; they must match."
            )

    @classmethod
    def from_value(cls, value):
        return value if isinstance(value, SparseTensor) else from_dense(value)

    @property
    def shape(self) -> TensorShape:
        return TensorShape(_ints(self.dense_shape))

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def dtype(self):
        return dtypes.as_dtype(keras_dtypes.standardize_dtype(self.values.dtype))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def with_values(self, new_values):
        return SparseTensor(self.indices, new_values, self.dense_shape)

    def to_torch(self) -> torch.Tensor:
        """The torch sparse COO tensor of the same elements."""
        values = self.values.as_subclass(torch.Tensor)
        indices = self.indices.as_subclass(torch.Tensor).T
        return torch.sparse_coo_tensor(indices, values, tuple(self.shape), check_invariants=True)

    def __repr__(self) -> str:
        return f"SparseTensor(indices={self.indices!r}, values={self.values!r}, dense_shape={self.dense_shape!r})"


def _ints(shape) -> list:
    if isinstance(shape, torch.Tensor):
        return [int(d) for d in shape.tolist()]
    return [int(d) for d in shape]


def _from_torch(coo: torch.Tensor) -> SparseTensor:
    coo = coo.coalesce()
    return SparseTensor(coo.indices().T, coo.values(), list(coo.shape))


def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """The dense tensor (`default_value`, else zero, where no value is given)."""
    dense = sp_input.to_torch().to_dense()
    if default_value is not None:
        filled = torch.full(tuple(sp_input.shape), default_value, dtype=dense.dtype, device=dense.device)
        indices = tuple(sp_input.indices.as_subclass(torch.Tensor).unbind(-1))
        dense = filled.index_put(indices, sp_input.values.as_subclass(torch.Tensor))
    return wrap(dense)


def from_dense(tensor, name=None) -> SparseTensor:
    """The nonzero elements of `tensor`, in row-major order."""
    tensor = to_tensor(tensor)
    indices = torch.nonzero(tensor)
    return SparseTensor(indices, tensor[tuple(indices.unbind(-1))], list(tensor.shape))


def reorder(sp_input, name=None) -> SparseTensor:
    """The same elements with the indices in row-major order."""
    strides = torch.tensor(
        [int(torch.tensor(sp_input.shape[i + 1 :]).prod()) for i in range(sp_input.ndim)], dtype=torch.int64
    )
    indices = sp_input.indices.as_subclass(torch.Tensor)
    order = torch.argsort((indices * strides.to(indices.device)).sum(-1), stable=True)
    return SparseTensor(indices[order], sp_input.values.as_subclass(torch.Tensor)[order], sp_input.dense_shape)


def add(a, b, threshold=0, name=None):
    """Sparse + sparse: a sparse tensor (elements summed where both have one); sparse +
    dense: a dense tensor."""
    if isinstance(a, SparseTensor) and isinstance(b, SparseTensor):
        result = _from_torch(a.to_torch() + b.to_torch())
        if threshold:
            keep = result.values.as_subclass(torch.Tensor).abs() >= threshold
            result = SparseTensor(result.indices[keep], result.values[keep], result.dense_shape)
        return result
    sparse, dense = (a, b) if isinstance(a, SparseTensor) else (b, a)
    return wrap(to_dense(sparse).as_subclass(torch.Tensor) + to_tensor(dense))


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """A sparse matrix times a dense one: a dense matrix."""
    a = sp_a.to_torch()
    if adjoint_a:
        a = a.t().conj()
    dense = to_tensor(b).to(a.dtype)
    if adjoint_b:
        dense = dense.T.conj()
    return wrap(torch.sparse.mm(a, dense))


def reduce_sum(sp_input, axis=None, keepdims=False, output_is_sparse=False, name=None):
    total = to_dense(sp_input).as_subclass(torch.Tensor)
    total = (total.sum() if axis is None else total.sum(dim=axis, keepdim=bool(keepdims))).to(total.dtype)
    return from_dense(total) if output_is_sparse else wrap(total)
