"""`keras.ops.linalg` (also at the top of `keras.ops`: `norm`, `solve`, ...)."""

from __future__ import annotations

import torch

from keraslite.ops.dispatch import default_float, keras_op, to_tensor


@keras_op
def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002
    """Vector or matrix norm (NumPy's `ord` conventions)."""
    x = default_float(to_tensor(x))
    if axis is None and ord is None:
        return torch.linalg.vector_norm(x, keepdim=keepdims)
    if isinstance(axis, (list, tuple)) and len(axis) == 2 or (axis is None and x.ndim == 2 and ord is not None):
        return torch.linalg.matrix_norm(
            x, ord="fro" if ord is None else ord, dim=tuple(axis) if axis else (-2, -1), keepdim=keepdims
        )
    return torch.linalg.vector_norm(x, ord=2 if ord is None else ord, dim=axis, keepdim=keepdims)


@keras_op
def inv(x):
    """Matrix inverse."""
    return torch.linalg.inv(to_tensor(x))


@keras_op
def det(x):
    """Matrix determinant."""
    return torch.linalg.det(to_tensor(x))


@keras_op
def solve(a, b):
    """`x` with `a @ x = b`."""
    return torch.linalg.solve(to_tensor(a), to_tensor(b))


@keras_op
def cholesky(x, upper=False):
    """Cholesky factor (lower by default)."""
    return torch.linalg.cholesky(to_tensor(x), upper=upper)


@keras_op
def qr(x, mode="reduced"):
    """(q, r) factors."""
    return torch.linalg.qr(to_tensor(x), mode=mode)


@keras_op
def svd(x, full_matrices=True, compute_uv=True):
    """(u, s, vh), or the singular values when `compute_uv` is False."""
    x = to_tensor(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return torch.linalg.svd(x, full_matrices=full_matrices)


@keras_op
def eigh(x):
    """(eigenvalues, eigenvectors) of a symmetric matrix."""
    return torch.linalg.eigh(to_tensor(x))


@keras_op
def slogdet(x):
    """(sign, log|det|) of a matrix."""
    result = torch.linalg.slogdet(to_tensor(x))
    return result.sign, result.logabsdet


@keras_op
def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse; singular values below `rcond` times the largest are
    dropped (None: torch's default, machine epsilon times the larger dimension)."""
    return torch.linalg.pinv(to_tensor(x), rtol=rcond)


@keras_op
def matrix_rank(x, tol=None):
    """Numerical rank of a matrix (int32)."""
    return torch.linalg.matrix_rank(default_float(to_tensor(x)), atol=tol).to(torch.int32)


@keras_op
def solve_triangular(a, b, lower=False):
    """`x` with `a @ x = b` for a triangular `a`."""
    return torch.linalg.solve_triangular(to_tensor(a), to_tensor(b), upper=not lower)


@keras_op
def lstsq(a, b, rcond=None):
    """Least-squares solution of `a @ x = b`."""
    a, b = to_tensor(a), to_tensor(b)
    return torch.linalg.lstsq(a, b if b.ndim == a.ndim else b.unsqueeze(-1), rcond=rcond).solution.reshape(
        (a.shape[-1],) + tuple(b.shape[1:])
    )


@keras_op
def cholesky_inverse(x, upper=False):
    """Inverse of the matrix whose Cholesky factor is `x` (lower, or upper when `upper`)."""
    return torch.cholesky_inverse(default_float(to_tensor(x)), upper=upper)


@keras_op
def eig(x):
    """(eigenvalues, eigenvectors) of a general square matrix; complex in general."""
    return torch.linalg.eig(default_float(to_tensor(x)))


@keras_op
def lu_factor(x):
    """(lu, pivots): the packed LU factors of `x` and 0-based row pivots (as LAPACK's
    getrf, which torch numbers from 1)."""
    lu, pivots = torch.linalg.lu_factor(default_float(to_tensor(x)))
    return lu, pivots - 1


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode derivative: `(fun(*primals), J @ tangents)` (and `fun`'s auxiliary
    output when `has_aux`). `primals` and `tangents` are tuples of matching tensors."""
    primals = tuple(to_tensor(p) for p in primals)
    tangents = tuple(to_tensor(t) for t in tangents)
    return torch.func.jvp(fun, primals, tangents, has_aux=has_aux)
