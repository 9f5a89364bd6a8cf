"""`tf.linalg`: matrix functions, on keras.ops."""

from __future__ import annotations

import torch

from keraslite import ops
from keraslite.compat.tensorflow.array_ops import eye, matmul, tf_api  # noqa: F401  (tf.linalg names)
from keraslite.compat.tensorflow.math_ops import norm  # noqa: F401
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.ops.dispatch import keras_op, to_tensor

__getattr__ = module_getattr("tf.linalg")


@tf_api
def inv(input, adjoint=False):  # noqa: A002
    return ops.linalg.inv(input)


@tf_api
def det(input):  # noqa: A002
    return ops.linalg.det(input)


@tf_api
def solve(matrix, rhs, adjoint=False):
    return ops.linalg.solve(matrix, rhs)


@tf_api
def cholesky(input):  # noqa: A002
    return ops.linalg.cholesky(input)


@tf_api
def trace(x):
    return _trace(x)


@keras_op
def _trace(x):
    return torch.diagonal(to_tensor(x), dim1=-2, dim2=-1).sum(-1)


@tf_api
def diag(diagonal, k=0):
    return _diag_embed(diagonal, k)


@keras_op
def _diag_embed(diagonal, k):
    return torch.diag_embed(to_tensor(diagonal), offset=k)


@tf_api
def diag_part(input, k=0):  # noqa: A002
    return _diag_part(input, k)


@keras_op
def _diag_part(x, k):
    return torch.diagonal(to_tensor(x), offset=k, dim1=-2, dim2=-1)


@tf_api
def matrix_transpose(a, conjugate=False):
    return ops.swapaxes(a, -1, -2)


@tf_api
def band_part(input, num_lower, num_upper):  # noqa: A002
    return _band_part(input, int(num_lower), int(num_upper))


@keras_op
def _band_part(x, num_lower, num_upper):
    x = to_tensor(x)
    rows = torch.arange(x.shape[-2], device=x.device).unsqueeze(-1)
    cols = torch.arange(x.shape[-1], device=x.device)
    keep = torch.ones_like(rows - cols, dtype=torch.bool)
    if num_lower >= 0:
        keep &= (rows - cols) <= num_lower
    if num_upper >= 0:
        keep &= (cols - rows) <= num_upper
    return torch.where(keep, x, torch.zeros_like(x))


@tf_api
def qr(input, full_matrices=False):  # noqa: A002
    return ops.linalg.qr(input, mode="complete" if full_matrices else "reduced")


@tf_api
def svd(tensor, full_matrices=False, compute_uv=True):
    if not compute_uv:
        return ops.linalg.svd(tensor, compute_uv=False)
    u, s, vh = ops.linalg.svd(tensor, full_matrices=full_matrices)
    return s, u, ops.swapaxes(vh, -1, -2)  # TensorFlow's order and its v (not v^H)
