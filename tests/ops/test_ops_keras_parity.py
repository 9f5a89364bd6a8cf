"""keras.ops against real Keras 3 (the oracle): the ops added for Keras 3.15 coverage and
the Keras signatures (parameter names, order, new options) of existing ones.

All Keras results come from one oracle request (a module fixture); each case then
compares keraslite's result with it.
"""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import ops

rng = np.random.default_rng(7)
Q = rng.standard_normal((4, 4)).astype("float32")
INPUTS = {
    "a": rng.standard_normal((5, 3)).astype("float32"),
    "m": rng.standard_normal((4, 4)).astype("float32"),
    "spd": (Q @ Q.T + 4 * np.eye(4)).astype("float32"),
    "s1": rng.standard_normal(7).astype("float32"),
    "s2": rng.standard_normal(3).astype("float32"),
    "img": rng.standard_normal((2, 3, 5, 6)).astype("float32"),
    "sig": rng.standard_normal((2, 40)).astype("float32"),
    "probs": rng.random((2, 6, 4)).astype("float32"),
    "lengths": np.array([6, 4], dtype="int32"),
    "logits": (rng.standard_normal((2, 6, 4)) * 3).astype("float32"),
    "long_logits": rng.standard_normal((3, 12, 5)).astype("float32"),
    "ints": np.array([3, 1, 3, 2, 1, 5, 2], dtype="int32"),
    "q": rng.standard_normal((2, 5, 4, 8)).astype("float32"),
    "k": rng.standard_normal((2, 6, 2, 8)).astype("float32"),
    "v": rng.standard_normal((2, 6, 2, 8)).astype("float32"),
    "mask": rng.random((2, 4, 5, 6)) > 0.3,
    "big": (rng.standard_normal((2, 8, 6, 3)) * 4).astype("float32"),
    "cplx": rng.standard_normal((3, 4, 2)).astype("float32"),
    "sm": rng.standard_normal((3, 6)).astype("float32"),
}
I = {k: v for k, v in INPUTS.items()}  # noqa: E741  (the same name as in the Keras code)


def _lu(x):
    return ops.lu_factor(x)


def _scan_pairs(a, b):
    return (a[0] + b[0], a[1] * b[1])


# (id, Keras expression over `ops` and `I`, keraslite call)
CASES = [
    (
        "associative_scan",
        "ops.associative_scan(lambda a, b: a + b, I['a'])",
        lambda: ops.associative_scan(lambda a, b: a + b, I["a"]),
    ),
    (
        "associative_scan_reverse_axis1",
        "ops.associative_scan(lambda a, b: a * b, I['a'], reverse=True, axis=1)",
        lambda: ops.associative_scan(lambda a, b: a * b, I["a"], reverse=True, axis=1),
    ),
    (
        "associative_scan_tuple",
        "ops.associative_scan(lambda a, b: (a[0] + b[0], a[1] * b[1]), (I['s1'], I['s1']))",
        lambda: ops.associative_scan(_scan_pairs, (I["s1"], I["s1"])),
    ),
    (
        "cholesky_inverse",
        "ops.cholesky_inverse(ops.cholesky(I['spd']))",
        lambda: ops.cholesky_inverse(ops.cholesky(I["spd"])),
    ),
    (
        "cholesky_inverse_upper",
        "ops.cholesky_inverse(ops.cholesky(I['spd'], upper=True), upper=True)",
        lambda: ops.cholesky_inverse(ops.cholesky(I["spd"], upper=True), upper=True),
    ),
    ("correlate_valid", "ops.correlate(I['s1'], I['s2'])", lambda: ops.correlate(I["s1"], I["s2"])),
    (
        "correlate_same",
        "ops.correlate(I['s1'], I['s2'], mode='same')",
        lambda: ops.correlate(I["s1"], I["s2"], mode="same"),
    ),
    (
        "correlate_full",
        "ops.correlate(I['s1'], I['s2'], mode='full')",
        lambda: ops.correlate(I["s1"], I["s2"], mode="full"),
    ),
    ("ctc_decode_greedy", "ops.ctc_decode(I['probs'], I['lengths'])", lambda: ops.ctc_decode(I["probs"], I["lengths"])),
    (
        "ctc_decode_no_merge",
        "ops.ctc_decode(I['probs'], I['lengths'], merge_repeated=False, mask_index=3)",
        lambda: ops.ctc_decode(I["probs"], I["lengths"], merge_repeated=False, mask_index=3),
    ),
    (
        "ctc_decode_beam",
        "ops.ctc_decode(I['logits'], I['lengths'], strategy='beam_search', beam_width=8, top_paths=3)",
        lambda: ops.ctc_decode(I["logits"], I["lengths"], strategy="beam_search", beam_width=8, top_paths=3),
    ),
    (
        "ctc_decode_narrow_beam",
        "ops.ctc_decode(I['long_logits'], [12, 9, 12], strategy='beam_search', beam_width=2, top_paths=2)",
        lambda: ops.ctc_decode(I["long_logits"], [12, 9, 12], strategy="beam_search", beam_width=2, top_paths=2),
    ),
    (
        "ctc_decode_beam_last_blank",
        "ops.ctc_decode(I['probs'], I['lengths'], strategy='beam_search', beam_width=4, mask_index=None)",
        lambda: ops.ctc_decode(I["probs"], I["lengths"], strategy="beam_search", beam_width=4, mask_index=None),
    ),
    (
        "unfold",
        "ops.unfold(I['img'], 2, stride=(1, 2), padding=1)",
        lambda: ops.unfold(I["img"], 2, stride=(1, 2), padding=1),
    ),
    ("fold", "ops.fold(ops.unfold(I['img'], 3), (5, 6), 3)", lambda: ops.fold(ops.unfold(I["img"], 3), (5, 6), 3)),
    ("histogram", "ops.histogram(I['s1'], bins=4)", lambda: ops.histogram(I["s1"], bins=4)),
    (
        "histogram_range",
        "ops.histogram(I['s1'], bins=5, range=(-1.0, 1.0))",
        lambda: ops.histogram(I["s1"], bins=5, range=(-1.0, 1.0)),
    ),
    ("stft", "ops.stft(I['sig'], 8, 4, 8)", lambda: ops.stft(I["sig"], 8, 4, 8)),
    (
        "stft_hamming_padded_uncentered",
        "ops.stft(I['sig'], 6, 3, 8, window='hamming', center=False)",
        lambda: ops.stft(I["sig"], 6, 3, 8, window="hamming", center=False),
    ),
    (
        "istft_roundtrip",
        "ops.istft(ops.stft(I['sig'], 8, 4, 8), 8, 4, 8, length=40)",
        lambda: ops.istft(ops.stft(I["sig"], 8, 4, 8), 8, 4, 8, length=40),
    ),
    (
        "istft_custom_path",
        "ops.istft(ops.stft(I['sig'], 6, 2, 8), 6, 2, 8)",
        lambda: ops.istft(ops.stft(I["sig"], 6, 2, 8), 6, 2, 8),
    ),
    (
        "istft_no_window",
        "ops.istft(ops.stft(I['sig'], 8, 4, 8, window=None, center=False), 8, 4, 8, window=None, center=False)",
        lambda: ops.istft(ops.stft(I["sig"], 8, 4, 8, window=None, center=False), 8, 4, 8, window=None, center=False),
    ),
    (
        "jvp",
        "ops.jvp(lambda x: ops.sin(x) * x, (I['s1'],), (I['s1'] * 0 + 1,))",
        lambda: ops.jvp(lambda x: ops.sin(x) * x, (I["s1"],), (I["s1"] * 0 + 1,)),
    ),
    ("lu_factor", "ops.lu_factor(I['m'])", lambda: _lu(I["m"])),
    ("polar", "ops.polar(ops.abs(I['s1']), I['s1'])", lambda: ops.polar(ops.abs(I["s1"]), I["s1"])),
    (
        "rearrange_merge",
        "ops.rearrange(I['img'], 'b c h w -> b (h w) c')",
        lambda: ops.rearrange(I["img"], "b c h w -> b (h w) c"),
    ),
    (
        "rearrange_split",
        "ops.rearrange(I['big'], 'b (h1 h) w c -> (b h1) w h c', h1=2)",
        lambda: ops.rearrange(I["big"], "b (h1 h) w c -> (b h1) w h c", h1=2),
    ),
    ("sparse_sigmoid", "ops.sparse_sigmoid(I['a'] * 2)", lambda: ops.sparse_sigmoid(I["a"] * 2)),
    ("view_int", "ops.view(I['a'], 'int32')", lambda: ops.view(I["a"], "int32")),
    ("view_narrow", "ops.view(I['a'], 'int16')", lambda: ops.view(I["a"], "int16")),
    ("view_as_complex", "ops.view_as_complex(I['cplx'])", lambda: ops.view_as_complex(I["cplx"])),
    (
        "view_as_real",
        "ops.view_as_real(ops.view_as_complex(I['cplx']))",
        lambda: ops.view_as_real(ops.view_as_complex(I["cplx"])),
    ),
    ("numpy_slogdet", "keras.ops.numpy.slogdet(I['m'])", lambda: ops.numpy.slogdet(I["m"])),
    (
        "vectorize_signature",
        "ops.vectorize(lambda x, y: ops.sum(x * y), signature='(n),(n)->()')(I['a'], I['a'][0])",
        lambda: ops.vectorize(lambda x, y: ops.sum(x * y), signature="(n),(n)->()")(I["a"], I["a"][0]),
    ),
    (
        "vectorize_scalar",
        "ops.vectorize(lambda x: ops.where(x > 0, x, x * 2))(I['a'])",
        lambda: ops.vectorize(lambda x: ops.where(x > 0, x, x * 2))(I["a"]),
    ),
    # signatures of existing ops
    (
        "bitwise_keywords",
        "ops.bitwise_xor(x=I['ints'], y=ops.bitwise_and(x=I['ints'], y=6))",
        lambda: ops.bitwise_xor(x=I["ints"], y=ops.bitwise_and(x=I["ints"], y=6)),
    ),
    ("bitwise_or_keywords", "ops.bitwise_or(x=I['ints'], y=8)", lambda: ops.bitwise_or(x=I["ints"], y=8)),
    ("cdist_keywords", "ops.cdist(x=I['a'], y=I['a'][:2])", lambda: ops.cdist(x=I["a"], y=I["a"][:2])),
    (
        "unique_all",
        "ops.unique(I['ints'], return_index=True, return_inverse=True, return_counts=True)",
        lambda: ops.unique(I["ints"], return_index=True, return_inverse=True, return_counts=True),
    ),
    (
        "unique_size",
        "ops.unique(I['ints'], return_counts=True, size=6, fill_value=-1)",
        lambda: ops.unique(I["ints"], return_counts=True, size=6, fill_value=-1),
    ),
    (
        "scatter_update_add",
        "ops.scatter_update(I['m'], [[0, 1], [2, 2], [0, 1]], [1.0, 2.0, 3.0], reduction='add')",
        lambda: ops.scatter_update(I["m"], [[0, 1], [2, 2], [0, 1]], [1.0, 2.0, 3.0], reduction="add"),
    ),
    (
        "scatter_update_max_rows",
        "ops.scatter_update(I['m'], [[0], [3], [0]], I['m'][:3] * 2, 'max')",
        lambda: ops.scatter_update(I["m"], [[0], [3], [0]], I["m"][:3] * 2, "max"),
    ),
    (
        "scatter_update_mul",
        "ops.scatter_update(I['m'], [[1, 1], [1, 1]], [2.0, 3.0], reduction='mul')",
        lambda: ops.scatter_update(I["m"], [[1, 1], [1, 1]], [2.0, 3.0], reduction="mul"),
    ),
    ("squareplus_b", "ops.squareplus(I['a'], b=1)", lambda: ops.squareplus(I["a"], b=1)),
    ("squareplus_positional", "ops.squareplus(I['a'], 2)", lambda: ops.squareplus(I["a"], 2)),
    ("pinv_default_rcond", "ops.pinv(I['m'])", lambda: ops.pinv(I["m"])),
    (
        "einsum_kwargs",
        "ops.einsum('ij,jk->ik', I['a'], I['m'][:3], optimize='greedy')",
        lambda: ops.einsum("ij,jk->ik", I["a"], I["m"][:3], optimize="greedy"),
    ),
    (
        "attention_gqa_mask_causal",
        "ops.dot_product_attention(I['q'], I['k'], I['v'], mask=I['mask'], is_causal=True)",
        lambda: ops.dot_product_attention(I["q"], I["k"], I["v"], mask=I["mask"], is_causal=True),
    ),
    (
        "attention_flash_positional",
        "ops.dot_product_attention(I['q'], I['k'], I['v'], None, None, 0.5, False, False)",
        lambda: ops.dot_product_attention(I["q"], I["k"], I["v"], None, None, 0.5, False, False),
    ),
]


def _flat(value):
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _flat(item)]
    if isinstance(value, torch.Tensor):
        return [value.detach().cpu().numpy()]
    return [np.asarray(value)]


@pytest.fixture(scope="module")
def keras_results(keras_oracle):
    expressions = {name: expr for name, expr, _ in CASES}
    code = f"""
from keras import ops
I = {{key: ops.convert_to_tensor(value) for key, value in inputs.items()}}
def flat(value):
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in flat(item)]
    return [np.asarray(value.detach().cpu().numpy() if hasattr(value, 'detach') else value)]
for name, expr in {expressions!r}.items():
    try:
        value = eval(expr)
    except Exception as error:
        result[name + '__error'] = repr(error)
        continue
    for index, leaf in enumerate(flat(value)):
        result[name + '__' + str(index)] = leaf
"""
    return keras_oracle.run(code, **INPUTS)


@pytest.mark.parametrize("name,call", [(c[0], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_op_matches_keras(keras_results, name, call):
    assert f"{name}__error" not in keras_results, keras_results.get(f"{name}__error")
    ours = _flat(call())
    theirs = [keras_results[f"{name}__{i}"] for i in range(sum(k.startswith(name + "__") for k in keras_results))]
    assert len(ours) == len(theirs), f"{name}: {len(ours)} outputs, Keras {len(theirs)}"
    for mine, expected in zip(ours, theirs):
        assert mine.shape == expected.shape, f"{name}: shape {mine.shape} != Keras {expected.shape}"
        if expected.dtype.kind in "iub":
            np.testing.assert_array_equal(mine, expected, err_msg=name)
        else:
            np.testing.assert_allclose(mine, expected, rtol=1e-4, atol=1e-5, err_msg=name)


def test_eig_reconstructs_the_matrix():
    values, vectors = ops.eig(I["m"])
    np.testing.assert_allclose(
        np.sort_complex(values.numpy()), np.sort_complex(np.linalg.eigvals(I["m"])), rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(
        (torch.as_tensor(I["m"]).to(vectors.dtype) @ vectors).numpy(), (vectors * values).numpy(), atol=1e-4
    )


def test_nextafter_matches_numpy_in_float32():
    x1 = np.array([1.0, -2.0, 0.0], dtype="float32")
    x2 = np.array([2.0, -3.0, -1.0], dtype="float32")
    result = ops.nextafter(x1, x2)
    assert result.dtype == torch.float32
    np.testing.assert_array_equal(result.numpy(), np.nextafter(x1, x2))


def test_sparsemax_is_the_projection_onto_the_simplex():
    # Reference: the closed form of Martins & Astudillo (2016), written out in NumPy.
    # (Keras 3.15's own sparsemax sums the cumulative sums over the support, which is
    # not a probability when the support has more than one entry; we follow the paper.)
    x = I["sm"]
    ordered = -np.sort(-x, axis=-1)
    cumulative = ordered.cumsum(-1)
    rank = np.arange(1, x.shape[-1] + 1)
    support = (1 + rank * ordered > cumulative).sum(-1, keepdims=True)
    tau = (np.take_along_axis(cumulative, support - 1, -1) - 1) / support
    expected = np.maximum(x - tau, 0)
    result = ops.sparsemax(x).numpy()
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(result.sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(ops.sparsemax(x.T, axis=0).numpy(), expected.T, rtol=1e-5, atol=1e-6)


def test_attention_soft_cap_squashes_the_logits():
    q, k, v = I["q"][:, :, :2], I["k"], I["v"]
    out = ops.dot_product_attention(q, k, v, attn_logits_soft_cap=0.5).numpy()
    logits = np.einsum("bqhd,bkhd->bhqk", q, k) / np.sqrt(8)
    weights = np.exp(0.5 * np.tanh(logits / 0.5))
    weights /= weights.sum(-1, keepdims=True)
    np.testing.assert_allclose(out, np.einsum("bhqk,bkhd->bqhd", weights, v), rtol=1e-5, atol=1e-6)


def test_attention_rejects_both_bias_and_mask():
    with pytest.raises(ValueError, match="Only one of `bias` and `mask`"):
        ops.dot_product_attention(I["q"], I["k"], I["v"], bias=np.zeros((2, 4, 5, 6), "float32"), mask=I["mask"])


def test_new_ops_record_nodes_on_keras_tensors():
    x = keras.Input(shape=(6, 4))
    y = ops.rearrange(x, "b t c -> b c t")
    z = ops.sparsemax(y, axis=1)
    model = keras.Model(x, [z, ops.histogram(x, bins=3, range=(0, 1))[0]])
    assert tuple(y.shape) == (None, 4, 6)
    counts, edges = ops.histogram(x, bins=5)  # no host sync: works on symbolic inputs too
    assert tuple(counts.shape) == (5,) and tuple(edges.shape) == (6,)
    data = np.random.default_rng(0).random((2, 6, 4)).astype("float32")
    out, counts = model(data)
    np.testing.assert_allclose(out.numpy(), ops.sparsemax(data.transpose(0, 2, 1), axis=1).numpy(), rtol=1e-6)
    assert float(counts.sum()) == data.size


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="reduction='sum'"):
        ops.scatter_update(I["m"], [[0, 0]], [1.0], reduction="sum")
    with pytest.raises(ValueError, match="cannot infer"):
        ops.rearrange(I["big"], "b (h1 h) w c -> b h1 h w c")
    with pytest.raises(ValueError, match="mode='middle'"):
        ops.correlate(I["s1"], I["s2"], mode="middle")
    with pytest.raises(ValueError, match="strategy"):
        ops.ctc_decode(I["probs"], I["lengths"], strategy="best")
    with pytest.raises(ValueError, match="signature"):
        ops.vectorize(lambda x: x, signature="(n)")(I["a"])


def test_namespaces_carry_the_new_ops():
    for name in ("correlate", "histogram", "nextafter", "slogdet", "vectorize", "view"):
        assert callable(getattr(ops.numpy, name)), name
    for name in ("ctc_decode", "fold", "polar", "sparse_sigmoid", "sparsemax", "unfold"):
        assert getattr(ops.nn, name) is getattr(ops, name), name
    for name in ("cholesky_inverse", "eig", "jvp", "lu_factor"):
        assert getattr(ops.linalg, name) is getattr(ops, name), name


@pytest.mark.parametrize(
    "function",
    [
        lambda t: ops.sparsemax(t * 3),
        lambda t: ops.correlate(t[0], t[1, :2], mode="full"),
        lambda t: ops.rearrange(t, "a (b c) -> c a b", c=2),
        lambda t: ops.stft(t, 4, 2, 4)[0],
        lambda t: ops.view_as_real(ops.polar(t, t)),
        lambda t: ops.associative_scan(lambda a, b: a * b + b, t, axis=1),
        lambda t: ops.squareplus(t, b=2),
        lambda t: ops.dot_product_attention(
            t.reshape(1, 3, 2, 2), t.reshape(1, 3, 2, 2), t.reshape(1, 3, 2, 2), attn_logits_soft_cap=1.0
        ),
        lambda t: ops.istft(ops.stft(t, 3, 1, 4), 3, 1, 4),
    ],
)
def test_new_ops_have_exact_gradients(function):
    x = torch.tensor(rng.uniform(0.2, 1.0, (3, 4)), dtype=torch.float64, requires_grad=True)
    torch.autograd.gradcheck(function, (x,))
