"""keras.ops against NumPy, from a table; symbolic use records call_function nodes."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import ops

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4)).astype("float32")
B = rng.standard_normal((3, 4)).astype("float32")
P = rng.uniform(0.1, 2.0, (3, 4)).astype("float32")  # positive
U = rng.uniform(-0.9, 0.9, (3, 4)).astype("float32")  # inside (-1, 1)
M = rng.standard_normal((4, 5)).astype("float32")
V = rng.standard_normal((5,)).astype("float32")
IDX = np.array([[1, 0, 3], [2, 2, 0]], dtype="int32")
Q = rng.standard_normal((4, 4)).astype("float32") + 4 * np.eye(4, dtype="float32")
SPD = (Q @ Q.T).astype("float32")


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# (id, keras.ops call, NumPy reference)
CASES = [
    # elementwise, unary
    ("abs", lambda: ops.abs(A), lambda: np.abs(A)),
    ("absolute", lambda: ops.absolute(A), lambda: np.absolute(A)),
    ("negative", lambda: ops.negative(A), lambda: -A),
    ("square", lambda: ops.square(A), lambda: np.square(A)),
    ("sqrt", lambda: ops.sqrt(P), lambda: np.sqrt(P)),
    ("rsqrt", lambda: ops.rsqrt(P), lambda: 1 / np.sqrt(P)),
    ("cbrt", lambda: ops.cbrt(A), lambda: np.cbrt(A)),
    ("exp", lambda: ops.exp(A), lambda: np.exp(A)),
    ("exp2", lambda: ops.exp2(A), lambda: np.exp2(A)),
    ("expm1", lambda: ops.expm1(A), lambda: np.expm1(A)),
    ("log", lambda: ops.log(P), lambda: np.log(P)),
    ("log2", lambda: ops.log2(P), lambda: np.log2(P)),
    ("log10", lambda: ops.log10(P), lambda: np.log10(P)),
    ("log1p", lambda: ops.log1p(P), lambda: np.log1p(P)),
    ("sin", lambda: ops.sin(A), lambda: np.sin(A)),
    ("cos", lambda: ops.cos(A), lambda: np.cos(A)),
    ("tan", lambda: ops.tan(U), lambda: np.tan(U)),
    ("arcsin", lambda: ops.arcsin(U), lambda: np.arcsin(U)),
    ("arccos", lambda: ops.arccos(U), lambda: np.arccos(U)),
    ("arctan", lambda: ops.arctan(A), lambda: np.arctan(A)),
    ("sinh", lambda: ops.sinh(A), lambda: np.sinh(A)),
    ("cosh", lambda: ops.cosh(A), lambda: np.cosh(A)),
    ("tanh", lambda: ops.tanh(A), lambda: np.tanh(A)),
    ("arcsinh", lambda: ops.arcsinh(A), lambda: np.arcsinh(A)),
    ("arccosh", lambda: ops.arccosh(P + 1), lambda: np.arccosh(P + 1)),
    ("arctanh", lambda: ops.arctanh(U), lambda: np.arctanh(U)),
    ("floor", lambda: ops.floor(A * 3), lambda: np.floor(A * 3)),
    ("ceil", lambda: ops.ceil(A * 3), lambda: np.ceil(A * 3)),
    ("trunc", lambda: ops.trunc(A * 3), lambda: np.trunc(A * 3)),
    ("round", lambda: ops.round(A * 3), lambda: np.round(A * 3)),
    ("round_decimals", lambda: ops.round(A, 2), lambda: np.round(A, 2)),
    ("sign", lambda: ops.sign(A), lambda: np.sign(A)),
    ("reciprocal", lambda: ops.reciprocal(P), lambda: 1 / P),
    ("isnan", lambda: ops.isnan(np.array([1.0, np.nan])), lambda: np.isnan(np.array([1.0, np.nan]))),
    ("isinf", lambda: ops.isinf(np.array([1.0, np.inf])), lambda: np.isinf(np.array([1.0, np.inf]))),
    ("isfinite", lambda: ops.isfinite(np.array([1.0, np.inf])), lambda: np.isfinite(np.array([1.0, np.inf]))),
    ("logical_not", lambda: ops.logical_not(A > 0), lambda: ~(A > 0)),
    ("nan_to_num", lambda: ops.nan_to_num(np.array([np.nan, 1.0])), lambda: np.nan_to_num(np.array([np.nan, 1.0]))),
    # elementwise, binary
    ("add", lambda: ops.add(A, B), lambda: A + B),
    ("add_scalar", lambda: ops.add(A, 2.0), lambda: A + 2.0),
    ("subtract", lambda: ops.subtract(A, B), lambda: A - B),
    ("multiply", lambda: ops.multiply(A, B), lambda: A * B),
    ("divide", lambda: ops.divide(A, P), lambda: A / P),
    ("true_divide", lambda: ops.true_divide(A, P), lambda: A / P),
    ("floor_divide", lambda: ops.floor_divide(A * 5, P), lambda: np.floor_divide(A * 5, P)),
    ("mod", lambda: ops.mod(A * 5, P), lambda: np.mod(A * 5, P)),
    ("power", lambda: ops.power(P, B), lambda: np.power(P, B)),
    ("maximum", lambda: ops.maximum(A, B), lambda: np.maximum(A, B)),
    ("maximum_scalar", lambda: ops.maximum(A, 0.0), lambda: np.maximum(A, 0.0)),
    ("minimum", lambda: ops.minimum(A, B), lambda: np.minimum(A, B)),
    ("arctan2", lambda: ops.arctan2(A, B), lambda: np.arctan2(A, B)),
    ("hypot", lambda: ops.hypot(A, B), lambda: np.hypot(A, B)),
    ("logaddexp", lambda: ops.logaddexp(A, B), lambda: np.logaddexp(A, B)),
    ("equal", lambda: ops.equal(IDX, 2), lambda: IDX == 2),
    ("not_equal", lambda: ops.not_equal(IDX, 2), lambda: IDX != 2),
    ("greater", lambda: ops.greater(A, B), lambda: A > B),
    ("greater_equal", lambda: ops.greater_equal(A, B), lambda: A >= B),
    ("less", lambda: ops.less(A, B), lambda: A < B),
    ("less_equal", lambda: ops.less_equal(A, B), lambda: A <= B),
    ("logical_and", lambda: ops.logical_and(A > 0, B > 0), lambda: (A > 0) & (B > 0)),
    ("logical_or", lambda: ops.logical_or(A > 0, B > 0), lambda: (A > 0) | (B > 0)),
    ("logical_xor", lambda: ops.logical_xor(A > 0, B > 0), lambda: (A > 0) ^ (B > 0)),
    (
        "divide_no_nan",
        lambda: ops.divide_no_nan(np.array([1.0, 2.0]), np.array([0.0, 4.0])),
        lambda: np.array([0.0, 0.5]),
    ),
    ("clip", lambda: ops.clip(A, -0.5, 0.5), lambda: np.clip(A, -0.5, 0.5)),
    ("where", lambda: ops.where(A > 0, A, B), lambda: np.where(A > 0, A, B)),
    ("where_scalar", lambda: ops.where(A > 0, A, 0.0), lambda: np.where(A > 0, A, 0.0)),
    ("isclose", lambda: ops.isclose(A, A + 1e-9), lambda: np.isclose(A, A + 1e-9)),
    # reductions
    ("sum", lambda: ops.sum(A), lambda: np.sum(A)),
    ("sum_axis", lambda: ops.sum(A, axis=1), lambda: np.sum(A, axis=1)),
    (
        "sum_axes_keepdims",
        lambda: ops.sum(A, axis=(0, 1), keepdims=True),
        lambda: np.sum(A, axis=(0, 1), keepdims=True),
    ),
    ("sum_int", lambda: ops.sum(IDX, axis=0), lambda: np.sum(IDX, axis=0)),
    ("mean", lambda: ops.mean(A, axis=0), lambda: np.mean(A, axis=0)),
    ("mean_int", lambda: ops.mean(IDX), lambda: np.mean(IDX)),
    ("prod", lambda: ops.prod(P, axis=1), lambda: np.prod(P, axis=1)),
    ("prod_all", lambda: ops.prod(P), lambda: np.prod(P)),
    ("max", lambda: ops.max(A, axis=-1), lambda: np.max(A, axis=-1)),
    ("max_keepdims", lambda: ops.max(A, axis=0, keepdims=True), lambda: np.max(A, axis=0, keepdims=True)),
    ("min", lambda: ops.min(A), lambda: np.min(A)),
    ("amax", lambda: ops.amax(A, axis=1), lambda: np.amax(A, axis=1)),
    ("var", lambda: ops.var(A, axis=1), lambda: np.var(A, axis=1)),
    ("std", lambda: ops.std(A), lambda: np.std(A)),
    ("all", lambda: ops.all(A > -5, axis=0), lambda: np.all(A > -5, axis=0)),
    ("any", lambda: ops.any(A > 1), lambda: np.any(A > 1)),
    ("count_nonzero", lambda: ops.count_nonzero(IDX), lambda: np.count_nonzero(IDX)),
    ("argmax", lambda: ops.argmax(A, axis=1), lambda: np.argmax(A, axis=1)),
    ("argmax_flat", lambda: ops.argmax(A), lambda: np.argmax(A)),
    ("argmin", lambda: ops.argmin(A, axis=0), lambda: np.argmin(A, axis=0)),
    ("cumsum", lambda: ops.cumsum(A, axis=1), lambda: np.cumsum(A, axis=1)),
    ("cumsum_flat", lambda: ops.cumsum(A), lambda: np.cumsum(A)),
    ("cumprod", lambda: ops.cumprod(P, axis=0), lambda: np.cumprod(P, axis=0)),
    ("sort", lambda: ops.sort(A), lambda: np.sort(A)),
    ("argsort", lambda: ops.argsort(A, axis=0), lambda: np.argsort(A, axis=0, kind="stable")),
    ("median", lambda: ops.median(A, axis=1), lambda: np.median(A, axis=1)),
    ("quantile", lambda: ops.quantile(A, 0.3, axis=0), lambda: np.quantile(A, 0.3, axis=0)),
    ("logsumexp", lambda: ops.logsumexp(A, axis=1), lambda: np.log(np.sum(np.exp(A), axis=1))),
    (
        "average",
        lambda: ops.average(A, axis=1, weights=np.arange(1, 5, dtype="float32")),
        lambda: np.average(A, axis=1, weights=np.arange(1, 5)),
    ),
    ("ptp", lambda: ops.ptp(A, axis=0), lambda: np.ptp(A, axis=0)),
    ("trace", lambda: ops.trace(Q), lambda: np.trace(Q)),
    # creation
    ("zeros", lambda: ops.zeros((2, 3)), lambda: np.zeros((2, 3), "float32")),
    ("ones", lambda: ops.ones(3), lambda: np.ones(3, "float32")),
    ("full", lambda: ops.full((2, 2), 7.0), lambda: np.full((2, 2), 7.0)),
    ("zeros_like", lambda: ops.zeros_like(A), lambda: np.zeros_like(A)),
    ("ones_like", lambda: ops.ones_like(IDX), lambda: np.ones_like(IDX)),
    ("full_like", lambda: ops.full_like(A, 3.0), lambda: np.full_like(A, 3.0)),
    ("arange", lambda: ops.arange(5), lambda: np.arange(5)),
    ("arange_float", lambda: ops.arange(0.0, 1.0, 0.25), lambda: np.arange(0.0, 1.0, 0.25)),
    ("linspace", lambda: ops.linspace(0, 1, 5), lambda: np.linspace(0, 1, 5)),
    ("linspace_open", lambda: ops.linspace(0, 1, 4, endpoint=False), lambda: np.linspace(0, 1, 4, endpoint=False)),
    ("eye", lambda: ops.eye(3, 4, k=1), lambda: np.eye(3, 4, k=1)),
    ("identity", lambda: ops.identity(3), lambda: np.identity(3)),
    ("tri", lambda: ops.tri(3, 4, k=0), lambda: np.tri(3, 4, k=0)),
    # shape and indexing
    ("reshape", lambda: ops.reshape(A, (4, -1)), lambda: A.reshape(4, -1)),
    ("transpose", lambda: ops.transpose(A), lambda: A.T),
    (
        "transpose_axes",
        lambda: ops.transpose(np.zeros((2, 3, 4)), (1, 2, 0)),
        lambda: np.zeros((2, 3, 4)).transpose(1, 2, 0),
    ),
    ("expand_dims", lambda: ops.expand_dims(A, 1), lambda: np.expand_dims(A, 1)),
    ("expand_dims_multi", lambda: ops.expand_dims(A, (0, -1)), lambda: np.expand_dims(A, (0, -1))),
    ("squeeze", lambda: ops.squeeze(A[None, :, None]), lambda: np.squeeze(A[None, :, None])),
    ("squeeze_axis", lambda: ops.squeeze(A[None], axis=0), lambda: np.squeeze(A[None], axis=0)),
    ("concatenate", lambda: ops.concatenate([A, B], axis=1), lambda: np.concatenate([A, B], axis=1)),
    ("stack", lambda: ops.stack([A, B], axis=1), lambda: np.stack([A, B], axis=1)),
    ("hstack", lambda: ops.hstack([A, B]), lambda: np.hstack([A, B])),
    ("vstack", lambda: ops.vstack([A, B]), lambda: np.vstack([A, B])),
    ("append", lambda: ops.append(A, B, axis=0), lambda: np.append(A, B, axis=0)),
    ("split", lambda: ops.split(A, 2, axis=1), lambda: np.split(A, 2, axis=1)),
    ("split_indices", lambda: ops.split(A, [1, 3], axis=1), lambda: np.split(A, [1, 3], axis=1)),
    ("tile", lambda: ops.tile(A, (2, 1)), lambda: np.tile(A, (2, 1))),
    ("repeat", lambda: ops.repeat(A, 2, axis=0), lambda: np.repeat(A, 2, axis=0)),
    ("repeat_flat", lambda: ops.repeat(IDX, 2), lambda: np.repeat(IDX, 2)),
    ("take", lambda: ops.take(A, np.array([2, 0]), axis=1), lambda: np.take(A, [2, 0], axis=1)),
    ("take_negative", lambda: ops.take(A, np.array([-1]), axis=0), lambda: np.take(A, [-1], axis=0)),
    ("take_2d_indices", lambda: ops.take(M, IDX, axis=0), lambda: np.take(M, IDX, axis=0)),
    ("take_flat", lambda: ops.take(A, np.array([5, 1])), lambda: np.take(A, [5, 1])),
    (
        "take_along_axis",
        lambda: ops.take_along_axis(A, np.argsort(A, axis=1), axis=1),
        lambda: np.take_along_axis(A, np.argsort(A, axis=1), axis=1),
    ),
    ("flip", lambda: ops.flip(A, axis=1), lambda: np.flip(A, axis=1)),
    ("roll", lambda: ops.roll(A, 1, axis=1), lambda: np.roll(A, 1, axis=1)),
    ("roll_flat", lambda: ops.roll(A, 2), lambda: np.roll(A, 2)),
    ("pad", lambda: ops.pad(A, ((1, 0), (0, 2))), lambda: np.pad(A, ((1, 0), (0, 2)))),
    (
        "pad_value",
        lambda: ops.pad(A, ((1, 1), (1, 1)), constant_values=5.0),
        lambda: np.pad(A, ((1, 1), (1, 1)), constant_values=5.0),
    ),
    (
        "pad_reflect",
        lambda: ops.pad(A, ((1, 1), (2, 1)), mode="reflect"),
        lambda: np.pad(A, ((1, 1), (2, 1)), mode="reflect"),
    ),
    ("broadcast_to", lambda: ops.broadcast_to(V, (2, 5)), lambda: np.broadcast_to(V, (2, 5))),
    ("moveaxis", lambda: ops.moveaxis(np.zeros((2, 3, 4)), 0, -1), lambda: np.moveaxis(np.zeros((2, 3, 4)), 0, -1)),
    ("swapaxes", lambda: ops.swapaxes(A, 0, 1), lambda: np.swapaxes(A, 0, 1)),
    ("ravel", lambda: ops.ravel(A), lambda: np.ravel(A)),
    ("tril", lambda: ops.tril(Q, -1), lambda: np.tril(Q, -1)),
    ("triu", lambda: ops.triu(Q), lambda: np.triu(Q)),
    ("diag", lambda: ops.diag(V), lambda: np.diag(V)),
    ("diagonal", lambda: ops.diagonal(Q, 1), lambda: np.diagonal(Q, 1)),
    ("diff", lambda: ops.diff(A, axis=1), lambda: np.diff(A, axis=1)),
    ("get_item", lambda: ops.get_item(A, (slice(None), 1)), lambda: A[:, 1]),
    (
        "select",
        lambda: ops.select([A > 0.5, A < -0.5], [A, -A], 0.0),
        lambda: np.select([A > 0.5, A < -0.5], [A, -A], 0.0),
    ),
    (
        "searchsorted",
        lambda: ops.searchsorted(np.sort(V), np.array([0.0, 1.0], "float32")),
        lambda: np.searchsorted(np.sort(V), [0.0, 1.0]),
    ),
    (
        "digitize",
        lambda: ops.digitize(A, np.array([-1.0, 0.0, 1.0], "float32")),
        lambda: np.digitize(A, [-1.0, 0.0, 1.0]),
    ),
    ("isin", lambda: ops.isin(IDX, np.array([0, 3])), lambda: np.isin(IDX, [0, 3])),
    ("bincount", lambda: ops.bincount(np.array([0, 1, 1, 3])), lambda: np.bincount([0, 1, 1, 3])),
    ("nonzero", lambda: ops.nonzero(IDX), lambda: np.nonzero(IDX)),
    ("meshgrid", lambda: ops.meshgrid(np.arange(3), np.arange(2)), lambda: np.meshgrid(np.arange(3), np.arange(2))),
    ("unique", lambda: ops.unique(np.array([3, 1, 1, 2])), lambda: np.unique([3, 1, 1, 2])),
    # products
    ("matmul", lambda: ops.matmul(A, M), lambda: A @ M),
    ("matmul_batched", lambda: ops.matmul(np.stack([A, B]), M), lambda: np.stack([A, B]) @ M),
    ("dot", lambda: ops.dot(A, M), lambda: np.dot(A, M)),
    ("dot_vector", lambda: ops.dot(M, V), lambda: np.dot(M, V)),
    ("dot_3d", lambda: ops.dot(np.stack([A, B]), M), lambda: np.dot(np.stack([A, B]), M)),
    ("tensordot", lambda: ops.tensordot(A, M, axes=1), lambda: np.tensordot(A, M, axes=1)),
    (
        "tensordot_pairs",
        lambda: ops.tensordot(A, B, axes=([0, 1], [0, 1])),
        lambda: np.tensordot(A, B, axes=([0, 1], [0, 1])),
    ),
    ("einsum", lambda: ops.einsum("ij,jk->ik", A, M), lambda: np.einsum("ij,jk->ik", A, M)),
    ("outer", lambda: ops.outer(V, V), lambda: np.outer(V, V)),
    ("inner", lambda: ops.inner(A, B), lambda: np.inner(A, B)),
    ("vdot", lambda: ops.vdot(A, B), lambda: np.vdot(A, B)),
    ("cross", lambda: ops.cross(A[:, :3], B[:, :3]), lambda: np.cross(A[:, :3], B[:, :3])),
    ("kron", lambda: ops.kron(A[:2, :2], B[:2, :2]), lambda: np.kron(A[:2, :2], B[:2, :2])),
    # linalg
    ("norm", lambda: ops.norm(A), lambda: np.linalg.norm(A)),
    ("norm_axis", lambda: ops.norm(A, axis=1), lambda: np.linalg.norm(A, axis=1)),
    ("norm_ord1", lambda: ops.norm(A, ord=1, axis=0), lambda: np.linalg.norm(A, ord=1, axis=0)),
    ("inv", lambda: ops.linalg.inv(Q), lambda: np.linalg.inv(Q)),
    ("det", lambda: ops.linalg.det(Q), lambda: np.linalg.det(Q)),
    ("solve", lambda: ops.linalg.solve(Q, M), lambda: np.linalg.solve(Q, M)),
    ("cholesky", lambda: ops.linalg.cholesky(SPD), lambda: np.linalg.cholesky(SPD)),
    # nn
    ("relu", lambda: ops.relu(A), lambda: np.maximum(A, 0)),
    ("relu6", lambda: ops.relu6(A * 10), lambda: np.clip(A * 10, 0, 6)),
    ("sigmoid", lambda: ops.sigmoid(A), lambda: _sigmoid(A)),
    ("softplus", lambda: ops.softplus(A), lambda: np.log1p(np.exp(A))),
    ("softsign", lambda: ops.softsign(A), lambda: A / (1 + np.abs(A))),
    ("silu", lambda: ops.silu(A), lambda: A * _sigmoid(A)),
    ("swish", lambda: ops.swish(A), lambda: A * _sigmoid(A)),
    ("log_sigmoid", lambda: ops.log_sigmoid(A), lambda: np.log(_sigmoid(A))),
    ("gelu_tanh", lambda: ops.gelu(A), lambda: 0.5 * A * (1 + np.tanh(np.sqrt(2 / np.pi) * (A + 0.044715 * A**3)))),
    ("elu", lambda: ops.elu(A), lambda: np.where(A > 0, A, np.exp(A) - 1)),
    (
        "selu",
        lambda: ops.selu(A),
        lambda: 1.0507009873554805 * np.where(A > 0, A, 1.6732632423543772 * (np.exp(A) - 1)),
    ),
    ("leaky_relu", lambda: ops.leaky_relu(A), lambda: np.where(A > 0, A, 0.2 * A)),
    ("hard_sigmoid", lambda: ops.hard_sigmoid(A * 4), lambda: np.clip(A * 4 / 6 + 0.5, 0, 1)),
    ("hard_silu", lambda: ops.hard_silu(A * 4), lambda: A * 4 * np.clip(A * 4 / 6 + 0.5, 0, 1)),
    ("softmax", lambda: ops.softmax(A), lambda: _softmax(A)),
    ("softmax_axis0", lambda: ops.softmax(A, axis=0), lambda: _softmax(A, axis=0)),
    ("log_softmax", lambda: ops.log_softmax(A), lambda: np.log(_softmax(A))),
    (
        "one_hot",
        lambda: ops.one_hot(np.array([0, 2, -1]), 3),
        lambda: np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0]], "float32"),
    ),
    (
        "multi_hot",
        lambda: ops.multi_hot(np.array([[0, 2], [1, 1]]), 3),
        lambda: np.array([[1, 0, 1], [0, 1, 0]], "float32"),
    ),
    (
        "binary_crossentropy",
        lambda: ops.binary_crossentropy(A > 0, _sigmoid(B)),
        lambda: -((A > 0) * np.log(_sigmoid(B)) + (A <= 0) * np.log(1 - _sigmoid(B))),
    ),
    (
        "binary_crossentropy_logits",
        lambda: ops.binary_crossentropy((A > 0).astype("float32"), B, from_logits=True),
        lambda: -((A > 0) * np.log(_sigmoid(B)) + (A <= 0) * np.log(1 - _sigmoid(B))),
    ),
    (
        "categorical_crossentropy",
        lambda: ops.categorical_crossentropy(_softmax(A), _softmax(B)),
        lambda: -np.sum(_softmax(A) * np.log(_softmax(B)), axis=-1),
    ),
    (
        "categorical_crossentropy_logits",
        lambda: ops.categorical_crossentropy(_softmax(A), B, from_logits=True),
        lambda: -np.sum(_softmax(A) * np.log(_softmax(B)), axis=-1),
    ),
    (
        "sparse_categorical_crossentropy",
        lambda: ops.sparse_categorical_crossentropy(np.array([0, 3, 1]), B, from_logits=True),
        lambda: -np.log(_softmax(B))[np.arange(3), [0, 3, 1]],
    ),
    ("moments", lambda: ops.moments(A, axes=[0]), lambda: (np.mean(A, axis=0), np.var(A, axis=0))),
    ("normalize", lambda: ops.normalize(A), lambda: A / np.linalg.norm(A, axis=-1, keepdims=True)),
    (
        "batch_normalization",
        lambda: ops.batch_normalization(A, A.mean(0), A.var(0), axis=1, offset=V[:4], scale=P[0], epsilon=1e-3),
        lambda: (A - A.mean(0)) / np.sqrt(A.var(0) + 1e-3) * P[0] + V[:4],
    ),
    ("erf", lambda: ops.erf(A), lambda: np.vectorize(__import__("math").erf)(A)),
    ("top_k", lambda: ops.top_k(A, 2), lambda: (-np.sort(-A, axis=-1)[:, :2], np.argsort(-A, axis=-1)[:, :2])),
    (
        "in_top_k",
        lambda: ops.in_top_k(np.array([0, 1, 2]), A, 2),
        lambda: np.array([r in np.argsort(-A[i])[:2] for i, r in enumerate([0, 1, 2])]),
    ),
    (
        "segment_sum",
        lambda: ops.segment_sum(A, np.array([0, 0, 1]), num_segments=2),
        lambda: np.stack([A[0] + A[1], A[2]]),
    ),
    (
        "segment_max",
        lambda: ops.segment_max(A, np.array([0, 1, 1]), num_segments=2),
        lambda: np.stack([A[0], np.maximum(A[1], A[2])]),
    ),
    # core
    ("cast", lambda: ops.cast(A, "int32"), lambda: A.astype("int32")),
    ("stop_gradient", lambda: ops.stop_gradient(A), lambda: A),
    ("slice", lambda: ops.slice(A, (1, 1), (2, 2)), lambda: A[1:3, 1:3]),
    (
        "slice_update",
        lambda: ops.slice_update(A, (0, 1), np.ones((2, 2), "float32")),
        lambda: np.concatenate([A[:, :1], np.concatenate([np.ones((2, 2)), A[2:, 1:3]]), A[:, 3:]], axis=1),
    ),
    (
        "scatter",
        lambda: ops.scatter(np.array([[0, 1], [2, 3]]), np.array([5.0, 6.0], "float32"), (3, 4)),
        lambda: np.array([[0, 5, 0, 0], [0, 0, 0, 0], [0, 0, 0, 6]], "float32"),
    ),
    (
        "scatter_update",
        lambda: ops.scatter_update(A, np.array([[0, 0]]), np.array([9.0], "float32")),
        lambda: np.where(np.arange(12).reshape(3, 4) == 0, 9.0, A),
    ),
    ("unstack", lambda: ops.unstack(A, axis=1), lambda: [A[:, i] for i in range(4)]),
    ("convert_to_tensor", lambda: ops.convert_to_tensor([[1.0, 2.0]]), lambda: np.array([[1.0, 2.0]], "float32")),
    ("cond", lambda: ops.cond(True, lambda: ops.ones(2), lambda: ops.zeros(2)), lambda: np.ones(2)),
    ("fori_loop", lambda: ops.fori_loop(0, 4, lambda i, v: v + i, ops.zeros(())), lambda: np.array(6.0)),
    (
        "while_loop",
        lambda: (
            ops.while_loop(lambda v: v < 5, lambda v: (v + 2,), 0)[0]
            if isinstance(ops.while_loop(lambda v: v < 5, lambda v: (v + 2,), 0), (list, tuple))
            else ops.while_loop(lambda v: v < 5, lambda v: v + 2, 0)
        ),
        lambda: np.array(6),
    ),
    (
        "conv2d",
        lambda: ops.conv(np.ones((1, 4, 4, 2), "float32"), np.ones((3, 3, 2, 1), "float32")),
        lambda: np.full((1, 2, 2, 1), 18.0),
    ),
    (
        "conv2d_same_stride2",
        lambda: ops.conv(np.ones((1, 4, 4, 1), "float32"), np.ones((3, 3, 1, 1), "float32"), strides=2, padding="same"),
        lambda: np.array([[9.0, 6.0], [6.0, 4.0]]).reshape(1, 2, 2, 1),
    ),  # TF pads the end
    (
        "conv1d",
        lambda: ops.conv(np.arange(5, dtype="float32").reshape(1, 5, 1), np.ones((2, 1, 1), "float32")),
        lambda: np.array([1, 3, 5, 7], "float32").reshape(1, 4, 1),
    ),
    (
        "depthwise_conv",
        lambda: ops.depthwise_conv(np.ones((1, 3, 3, 2), "float32"), np.ones((2, 2, 2, 1), "float32")),
        lambda: np.full((1, 2, 2, 2), 4.0),
    ),
    (
        "max_pool",
        lambda: ops.max_pool(np.arange(16, dtype="float32").reshape(1, 4, 4, 1), 2),
        lambda: np.array([[5, 7], [13, 15]], "float32").reshape(1, 2, 2, 1),
    ),
    (
        "average_pool",
        lambda: ops.average_pool(np.arange(16, dtype="float32").reshape(1, 4, 4, 1), 2),
        lambda: np.array([[2.5, 4.5], [10.5, 12.5]], "float32").reshape(1, 2, 2, 1),
    ),
    (
        "average_pool_same",
        lambda: ops.average_pool(np.arange(9, dtype="float32").reshape(1, 3, 3, 1), 2, strides=2, padding="same"),
        lambda: np.array([[2, 3.5], [6.5, 8]], "float32").reshape(1, 2, 2, 1),
    ),
]


def _numpy(value):
    if isinstance(value, (list, tuple)):
        return [_numpy(v) for v in value]
    return ops.convert_to_numpy(value)


@pytest.mark.parametrize("name,call,reference", CASES, ids=[c[0] for c in CASES])
def test_op_matches_numpy(name, call, reference):
    result, expected = _numpy(call()), reference()
    if isinstance(expected, (list, tuple)):
        assert len(result) == len(expected)
        for r, e in zip(result, expected):
            np.testing.assert_allclose(
                np.asarray(r, dtype="float64"), np.asarray(e, dtype="float64"), rtol=1e-5, atol=1e-5
            )
        return
    result = np.asarray(result)
    assert result.shape == np.shape(expected), f"{name}: shape {result.shape} != {np.shape(expected)}"
    np.testing.assert_allclose(result.astype("float64"), np.asarray(expected, dtype="float64"), rtol=1e-5, atol=1e-5)


def test_ops_cover_the_guides_list():
    guides_ops = [
        "matmul",
        "sum",
        "mean",
        "square",
        "sqrt",
        "exp",
        "log",
        "abs",
        "maximum",
        "minimum",
        "relu",
        "softmax",
        "sigmoid",
        "tanh",
        "gelu",
        "reshape",
        "transpose",
        "expand_dims",
        "squeeze",
        "concatenate",
        "stack",
        "cast",
        "shape",
        "zeros",
        "ones",
        "zeros_like",
        "ones_like",
        "arange",
        "one_hot",
        "argmax",
        "where",
        "clip",
        "tile",
        "take",
        "split",
        "convert_to_tensor",
        "convert_to_numpy",
        "cond",
        "stop_gradient",
        "sparse_categorical_crossentropy",
        "conv",
        "max_pool",
        "logsumexp",
        "einsum",
        "top_k",
        "norm",
        "pad",
    ]
    assert [name for name in guides_ops if not hasattr(ops, name)] == []


def test_dtypes_follow_keras():
    assert ops.convert_to_tensor(1).dtype == torch.int32
    assert ops.convert_to_tensor(1.5).dtype == torch.float32
    assert ops.convert_to_tensor(np.ones(2)).dtype == torch.float64  # NumPy keeps its dtype
    assert ops.arange(3).dtype == torch.int32
    assert ops.argmax(A, axis=0).dtype == torch.int32
    assert ops.mean(IDX).dtype == torch.float32
    assert ops.sqrt(IDX).dtype == torch.float32
    assert ops.sum(IDX).dtype == torch.int32
    assert ops.add(torch.ones(2, dtype=torch.float16), 1.0).dtype == torch.float16  # Python numbers are weak
    assert ops.dtype(ops.ones(2)) == "float32"
    assert ops.shape(A) == (3, 4) and ops.ndim(A) == 2 and ops.size(A) == 12
    assert ops.is_tensor(ops.ones(1)) and not ops.is_tensor(A)


def test_gradients_flow_through_ops():
    x = torch.tensor(A, dtype=torch.float64, requires_grad=True)
    torch.autograd.gradcheck(lambda t: ops.sum(ops.square(ops.tanh(t)) * ops.softmax(t), axis=1), (x,))
    torch.autograd.gradcheck(lambda t: ops.logsumexp(ops.matmul(t, ops.transpose(t)), axis=0), (x,))
    y = torch.tensor(A, requires_grad=True)
    ops.sum(ops.stop_gradient(y) * y).backward()
    np.testing.assert_allclose(y.grad.numpy(), A, rtol=1e-6)


def test_symbolic_ops_record_call_function_nodes():
    keras.backend.clear_session()
    a = keras.Input((4,), name="a")
    b = keras.Input((4,), name="b")
    joined = ops.concatenate([a, b], axis=-1)
    assert tuple(joined.shape) == (None, 8)
    total = ops.sum(ops.square(joined), axis=-1, keepdims=True)
    top_values, top_indices = ops.top_k(joined, 3)
    assert tuple(top_values.shape) == (None, 3) and top_indices.dtype == "int32"
    parts = ops.split(joined, 2, axis=1)
    assert [tuple(p.shape) for p in parts] == [(None, 4), (None, 4)]
    scaled = ops.relu(keras.layers.Dense(3)(joined)) * 2.0 + ops.mean(a, axis=-1, keepdims=True)
    model = keras.Model([a, b], [total, top_values, parts[1], scaled])
    ops_in_graph = [
        n.target.__name__
        for n in model.graph_module.graph.nodes
        if n.op == "call_function" and hasattr(n.target, "__name__")
    ]
    for name in ("concatenate", "sum", "square", "top_k", "relu", "mean"):
        assert name in ops_in_graph
    xa, xb = A[:2], B[:2]
    out = model([xa, xb])
    joined_np = np.concatenate([xa, xb], axis=-1)
    np.testing.assert_allclose(out[0].detach().numpy(), np.sum(joined_np**2, axis=-1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(out[1].detach().numpy(), -np.sort(-joined_np, axis=-1)[:, :3], rtol=1e-6)
    np.testing.assert_allclose(out[2].detach().numpy(), xb, rtol=1e-6)
    assert tuple(out[3].shape) == (2, 3)


def test_two_uses_of_one_op_get_unique_names():
    keras.backend.clear_session()
    x = keras.Input((3,))
    y = ops.add(ops.add(x, 1.0), 2.0)
    model = keras.Model(x, y)
    names = [layer.name for layer in model.layers]
    assert len(names) == len(set(names))
    np.testing.assert_allclose(model(np.zeros((1, 3), "float32")).numpy(), np.full((1, 3), 3.0))


def test_errors_say_what_was_received():
    with pytest.raises(ValueError, match="Received"):
        ops.squeeze(A, axis=0)
    with pytest.raises(ValueError, match="Received"):
        ops.split(A, 3, axis=1)


EXTRA_CASES = [
    ("nansum", lambda: ops.nansum(np.array([1.0, np.nan, 2.0])), lambda: np.nansum([1.0, np.nan, 2.0])),
    (
        "nanmean",
        lambda: ops.nanmean(np.array([[1.0, np.nan], [3.0, 5.0]]), axis=0),
        lambda: np.nanmean([[1.0, np.nan], [3.0, 5.0]], axis=0),
    ),
    ("nanmax", lambda: ops.nanmax(np.array([1.0, np.nan, 2.0])), lambda: np.nanmax([1.0, np.nan, 2.0])),
    ("nanmin", lambda: ops.nanmin(np.array([1.0, np.nan, 2.0])), lambda: np.nanmin([1.0, np.nan, 2.0])),
    ("nanvar", lambda: ops.nanvar(np.array([1.0, np.nan, 2.0, 4.0])), lambda: np.nanvar([1.0, np.nan, 2.0, 4.0])),
    ("nanstd", lambda: ops.nanstd(np.array([1.0, np.nan, 2.0, 4.0])), lambda: np.nanstd([1.0, np.nan, 2.0, 4.0])),
    ("nanprod", lambda: ops.nanprod(np.array([2.0, np.nan, 3.0])), lambda: np.nanprod([2.0, np.nan, 3.0])),
    ("logaddexp2", lambda: ops.logaddexp2(A, B), lambda: np.logaddexp2(A, B)),
    ("isneginf", lambda: ops.isneginf(np.array([-np.inf, 1.0])), lambda: np.isneginf([-np.inf, 1.0])),
    ("isposinf", lambda: ops.isposinf(np.array([np.inf, 1.0])), lambda: np.isposinf([np.inf, 1.0])),
    ("left_shift", lambda: ops.left_shift(IDX, 2), lambda: np.left_shift(IDX, 2)),
    ("right_shift", lambda: ops.right_shift(IDX * 8, 1), lambda: np.right_shift(IDX * 8, 1)),
    ("hsplit", lambda: ops.hsplit(A, 2), lambda: np.hsplit(A, 2)),
    ("vsplit", lambda: ops.vsplit(np.zeros((4, 2)), 2), lambda: np.vsplit(np.zeros((4, 2)), 2)),
    ("diagflat", lambda: ops.diagflat(IDX), lambda: np.diagflat(IDX)),
    ("unravel_index", lambda: ops.unravel_index(np.array([5, 7]), (3, 4)), lambda: np.unravel_index([5, 7], (3, 4))),
    ("geomspace", lambda: ops.geomspace(1, 1000, 4), lambda: np.geomspace(1, 1000, 4)),
    ("logspace", lambda: ops.logspace(0, 2, 3), lambda: np.logspace(0, 2, 3)),
    ("vander", lambda: ops.vander(V[:3]), lambda: np.vander(V[:3])),
    ("corrcoef", lambda: ops.corrcoef(A), lambda: np.corrcoef(A)),
    (
        "trapezoid",
        lambda: ops.trapezoid(A, axis=1),
        lambda: np.trapezoid(A, axis=1) if hasattr(np, "trapezoid") else np.trapz(A, axis=1),
    ),
    (
        "layer_normalization",
        lambda: ops.layer_normalization(A, epsilon=1e-3),
        lambda: (A - A.mean(-1, keepdims=True)) / np.sqrt(A.var(-1, keepdims=True) + 1e-3),
    ),
    (
        "rms_normalization",
        lambda: ops.rms_normalization(A, scale=2.0, epsilon=1e-6),
        lambda: 2.0 * A / np.sqrt((A**2).mean(-1, keepdims=True) + 1e-6),
    ),
    ("psnr", lambda: ops.psnr(P, P + 0.1, 2.0), lambda: 20 * np.log10(2.0) - 10 * np.log10(0.01)),
    (
        "adaptive_average_pool",
        lambda: ops.adaptive_average_pool(np.arange(16, dtype="float32").reshape(1, 4, 4, 1), 2),
        lambda: np.array([[2.5, 4.5], [10.5, 12.5]], "float32").reshape(1, 2, 2, 1),
    ),
    (
        "adaptive_max_pool",
        lambda: ops.adaptive_max_pool(np.arange(16, dtype="float32").reshape(1, 4, 4, 1), 2),
        lambda: np.array([[5, 7], [13, 15]], "float32").reshape(1, 2, 2, 1),
    ),
    (
        "separable_conv",
        lambda: ops.separable_conv(
            np.ones((1, 3, 3, 2), "float32"), np.ones((2, 2, 2, 1), "float32"), np.ones((1, 1, 2, 3), "float32")
        ),
        lambda: np.full((1, 2, 2, 3), 8.0),
    ),
    (
        "conv_transpose_valid",
        lambda: ops.conv_transpose(np.ones((1, 2, 2, 1), "float32"), np.ones((3, 3, 1, 1), "float32"), strides=2),
        lambda: np.array(
            [[1, 1, 2, 1, 1], [1, 1, 2, 1, 1], [2, 2, 4, 2, 2], [1, 1, 2, 1, 1], [1, 1, 2, 1, 1]], "float32"
        ).reshape(1, 5, 5, 1),
    ),
    (
        "image_resize_down",
        lambda: ops.image.resize(np.arange(16, dtype="float32").reshape(1, 4, 4, 1), (2, 2)),
        lambda: np.array([[2.5, 4.5], [10.5, 12.5]], "float32").reshape(1, 2, 2, 1),
    ),
    (
        "image_resize_constant",
        lambda: ops.image.resize(np.full((5, 5, 3), 7.0, "float32"), (9, 3)),
        lambda: np.full((9, 3, 3), 7.0),
    ),
    (
        "rgb_to_grayscale",
        lambda: ops.image.rgb_to_grayscale(np.ones((2, 2, 3), "float32")),
        lambda: np.full((2, 2, 1), 0.2989 + 0.5870 + 0.1140),
    ),
    ("percentile", lambda: ops.percentile(A, 30, axis=1), lambda: np.percentile(A, 30, axis=1)),
    (
        "nanquantile",
        lambda: ops.nanquantile(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]]), 0.5, axis=1),
        lambda: np.nanquantile(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]]), 0.5, axis=1),
    ),
    (
        "nanpercentile",
        lambda: ops.nanpercentile(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]]), 25),
        lambda: np.nanpercentile(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]]), 25),
    ),
    (
        "nanmedian",
        lambda: ops.nanmedian(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]]), axis=0),
        lambda: np.nanmedian(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]]), axis=0),
    ),
    (
        "nancumsum",
        lambda: ops.nancumsum(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]]), axis=1),
        lambda: np.nancumsum(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]]), axis=1),
    ),
    (
        "nancumprod",
        lambda: ops.nancumprod(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]])),
        lambda: np.nancumprod(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]])),
    ),
    (
        "nanargmax",
        lambda: ops.nanargmax(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]]), axis=1),
        lambda: np.nanargmax(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]]), axis=1),
    ),
    (
        "nanargmin",
        lambda: ops.nanargmin(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]])),
        lambda: np.nanargmin(np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]])),
    ),
    ("angle", lambda: ops.angle(A), lambda: np.angle(A)),
    ("isreal", lambda: ops.isreal(A), lambda: np.isreal(A)),
    ("i0", lambda: ops.i0(A), lambda: np.i0(A)),
    ("ldexp", lambda: ops.ldexp(A, np.array([1, 2, 3, 0])), lambda: np.ldexp(A, [1, 2, 3, 0])),
    ("hamming", lambda: ops.hamming(6), lambda: np.hamming(6)),
    ("hanning", lambda: ops.hanning(6), lambda: np.hanning(6)),
    ("bartlett", lambda: ops.bartlett(6), lambda: np.bartlett(6)),
    ("blackman", lambda: ops.blackman(6), lambda: np.blackman(6)),
    ("kaiser", lambda: ops.kaiser(6, 5.0), lambda: np.kaiser(6, 5.0)),
    ("slogdet", lambda: ops.slogdet(Q), lambda: tuple(np.linalg.slogdet(Q))),
    ("pinv", lambda: ops.pinv(A), lambda: np.linalg.pinv(A)),
    ("matrix_rank", lambda: ops.matrix_rank(A), lambda: np.linalg.matrix_rank(A)),
    (
        "solve_triangular",
        lambda: ops.solve_triangular(np.tril(Q), M, lower=True),
        lambda: np.linalg.solve(np.tril(Q), M),
    ),
    ("lstsq", lambda: ops.lstsq(M.T, V), lambda: np.linalg.lstsq(M.T, V, rcond=None)[0]),
    (
        "segment_min",
        lambda: ops.segment_min(A, np.array([0, 1, 1]), num_segments=2),
        lambda: np.stack([A[0], np.minimum(A[1], A[2])]),
    ),
    (
        "segment_prod",
        lambda: ops.segment_prod(A, np.array([0, 0, 1]), num_segments=2),
        lambda: np.stack([A[0] * A[1], A[2]]),
    ),
    ("cdist", lambda: ops.cdist(A, B), lambda: np.sqrt(((A[:, None] - B[None]) ** 2).sum(-1))),
    (
        "space_to_depth",
        lambda: ops.space_to_depth(np.arange(16, dtype="float32").reshape(1, 4, 4, 1), 2),
        lambda: (
            np.arange(16, dtype="float32").reshape(1, 2, 2, 2, 2, 1).transpose(0, 1, 3, 2, 4, 5).reshape(1, 2, 2, 4)
        ),
    ),
    (
        "depth_to_space_roundtrip",
        lambda: ops.depth_to_space(ops.space_to_depth(np.arange(48, dtype="float32").reshape(1, 4, 4, 3), 2), 2),
        lambda: np.arange(48, dtype="float32").reshape(1, 4, 4, 3),
    ),
]


@pytest.mark.parametrize("name,call,reference", EXTRA_CASES, ids=[c[0] for c in EXTRA_CASES])
def test_extra_op_matches_numpy(name, call, reference):
    test_op_matches_numpy(name, call, reference)


@pytest.mark.parametrize("strides,padding", [(1, "valid"), (2, "valid"), (2, "same"), (1, "same"), (3, "same")])
def test_conv_transpose_is_the_gradient_of_conv(strides, padding):
    """A transposed convolution is the input-gradient of the convolution with the same
    Keras kernel (TensorFlow's definition), for every padding and stride."""
    # Spatial sizes divisible by the strides: TF's "same" transpose gives size * strides.
    x = torch.randn(2, 6, 6, 3, dtype=torch.float64, requires_grad=True)
    kernel = torch.randn(3, 3, 3, 4, dtype=torch.float64)
    y = ops.conv(x, kernel, strides=strides, padding=padding)
    upstream = torch.randn_like(y)
    (grad_x,) = torch.autograd.grad((y * upstream).sum(), x)
    transposed = ops.conv_transpose(upstream, kernel, strides=strides, padding=padding)
    if padding == "valid":
        # TF's valid transpose covers the rows the forward conv reached; the rest are zero.
        assert tuple(transposed.shape[1:3]) == ((y.shape[1] - 1) * strides + 3, (y.shape[2] - 1) * strides + 3)
        grad_x = grad_x[:, : transposed.shape[1], : transposed.shape[2]]
    else:
        assert tuple(transposed.shape) == tuple(x.shape)
    np.testing.assert_allclose(transposed.detach().numpy(), grad_x.numpy(), rtol=1e-10, atol=1e-10)


def test_fft_family_matches_numpy():
    signal = A + 1j * B
    real, imag = ops.fft((A, B))
    np.testing.assert_allclose(real.numpy() + 1j * imag.numpy(), np.fft.fft(signal), rtol=1e-4, atol=1e-5)
    real, imag = ops.fft2((A, B))
    np.testing.assert_allclose(real.numpy() + 1j * imag.numpy(), np.fft.fft2(signal), rtol=1e-4, atol=1e-5)
    real, imag = ops.ifft2((A, B))
    np.testing.assert_allclose(real.numpy() + 1j * imag.numpy(), np.fft.ifft2(signal), rtol=1e-4, atol=1e-5)
    real, imag = ops.rfft(A)
    np.testing.assert_allclose(real.numpy() + 1j * imag.numpy(), np.fft.rfft(A), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ops.irfft((real, imag), 4).numpy(), A, rtol=1e-4, atol=1e-5)


def test_ctc_loss_single_step_is_the_negative_log_probability():
    logits = B[:2, None, :]  # (batch 2, time 1, classes 4)
    loss = ops.ctc_loss(np.array([[2], [3]]), logits, np.array([1, 1]), np.array([1, 1]), mask_index=0)
    probabilities = np.exp(B[:2]) / np.exp(B[:2]).sum(-1, keepdims=True)
    np.testing.assert_allclose(loss.numpy(), -np.log(probabilities[[0, 1], [2, 3]]), rtol=1e-5)


def test_namespaces_export_every_op():
    """keraslite.ops re-exports every public op of its implementation modules (and
    ops.numpy / ops.nn the NumPy-named / neural-network ones), as Keras's namespaces do."""
    import importlib
    import types

    for module_name in (
        "core",
        "numpy_create",
        "numpy_elementwise",
        "numpy_reduce",
        "numpy_shape",
        "numpy_products",
        "numpy_nan",
        "nn_core",
        "nn_conv",
        "math",
        "linalg",
        "einops",
    ):
        module = importlib.import_module(f"keraslite.ops.{module_name}")
        for name, value in vars(module).items():
            if name.startswith("_") or isinstance(value, (types.ModuleType, type)) or not callable(value):
                continue
            if getattr(value, "__module__", None) != module.__name__:
                continue
            assert getattr(ops, name) is value, name
            if module_name.startswith("numpy"):
                assert getattr(ops.numpy, name) is value, name
            if module_name.startswith("nn"):
                assert getattr(ops.nn, name) is value, name
