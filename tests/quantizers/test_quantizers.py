"""keras.quantizers: every function against real Keras 3.15 on random inputs (bit-exact,
fake quantization's gradient included), configs' serialization both ways, errors."""

import json

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import quantizers as Q

RNG = np.random.default_rng(7)
X = RNG.standard_normal((12, 10)).astype("float32")
INT4 = RNG.integers(-8, 8, (5, 7)).astype("int8")
MIN_VALS = RNG.uniform(-2, 0, 10).astype("float32")
MAX_VALS = RNG.uniform(0.1, 2, 10).astype("float32")
HISTORY = RNG.uniform(0, 3, 16).astype("float32")

ABS_MAX = [(0, False), (0, True), (-1, False), ((0, 1), False), (-1, True)]
GROUPED = [(4, False), (4, True), (5, False), (5, True), (64, False), (64, True)]
FAKE_QUANT = [(None, 8, False), (None, 4, True), (-1, 8, False), (-1, 3, True)]

KERAS_FUNCTIONS = """
import torch
Q = keras.quantizers
x, q4 = inputs["x"], inputs["int4"]
for i, (axis, to_numpy) in enumerate(ABS_MAX):
    values, scale = Q.abs_max_quantize(x, axis=axis, to_numpy=to_numpy)
    result[f"abs_max_{i}"] = [np.asarray(values.cpu()), np.asarray(scale.cpu())]
for i, (block, to_numpy) in enumerate(GROUPED):
    out = Q.abs_max_quantize_grouped_with_zero_point(x, block_size=block, to_numpy=to_numpy)
    result[f"grouped_{i}"] = [np.asarray(t.cpu()) for t in out]
for axis in (0, 1, -1):
    packed, shape, length = Q.pack_int4(q4, axis=axis)
    result[f"pack_{axis}"] = [np.asarray(packed.cpu()), np.asarray(shape), np.asarray(length)]
    result[f"unpack_{axis}"] = np.asarray(Q.unpack_int4(packed, length, axis=axis).cpu())
for i, (axis, bits, narrow) in enumerate(FAKE_QUANT):
    lo = torch.tensor(inputs["min"] if axis is not None else -1.25, requires_grad=True)
    hi = torch.tensor(inputs["max"] if axis is not None else 1.5, requires_grad=True)
    xt = torch.tensor(x * 2, requires_grad=True)
    y = Q.fake_quant_with_min_max_vars(xt, lo, hi, num_bits=bits, narrow_range=narrow, axis=axis)
    grads = torch.autograd.grad((y * torch.arange(10.0)).sum(), [xt, lo, hi])
    result[f"fake_quant_{i}"] = [y.detach().numpy()] + [g.numpy() for g in grads]
history = torch.tensor(inputs["history"])
result["amax_history"] = Q.compute_float8_amax_history(torch.tensor(x), history).numpy()
result["scales"] = np.array([
    float(Q.compute_float8_scale(torch.tensor(a), torch.tensor(0.7), torch.tensor(448.0), margin=m))
    for a in (2.0, 0.0, float("inf"), 1e-3) for m in (0, 2)
])
for name in ("float8_e4m3fn", "float8_e5m2"):
    result[f"qdq_{name}"] = Q.quantize_and_dequantize(torch.tensor(x * 300), torch.tensor(0.3), name, "float32").numpy()
"""


@pytest.fixture(scope="module")
def keras_functions(keras_oracle):
    code = f"ABS_MAX = {ABS_MAX!r}\nGROUPED = {GROUPED!r}\nFAKE_QUANT = {FAKE_QUANT!r}\n" + KERAS_FUNCTIONS
    return keras_oracle.run(code, x=X, int4=INT4, min=MIN_VALS, max=MAX_VALS, history=HISTORY)


def _numpy(values):
    return [np.asarray(v.detach().cpu() if isinstance(v, torch.Tensor) else v) for v in values]


def _assert_equal_list(got, expected):
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)
        assert np.asarray(a).dtype == np.asarray(b).dtype


@pytest.mark.parametrize("index", range(len(ABS_MAX)))
def test_abs_max_quantize_matches_keras(keras_functions, index):
    axis, to_numpy = ABS_MAX[index]
    _assert_equal_list(_numpy(Q.abs_max_quantize(X, axis=axis, to_numpy=to_numpy)), keras_functions[f"abs_max_{index}"])


@pytest.mark.parametrize("index", range(len(GROUPED)))
def test_grouped_quantize_matches_keras(keras_functions, index):
    block, to_numpy = GROUPED[index]
    got = Q.abs_max_quantize_grouped_with_zero_point(torch.tensor(X), block_size=block, to_numpy=to_numpy)
    _assert_equal_list(_numpy(got), keras_functions[f"grouped_{index}"])


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_int4_packing_matches_keras(keras_functions, axis):
    packed, shape, length = Q.pack_int4(torch.tensor(INT4), axis=axis)
    expected = keras_functions[f"pack_{axis}"]
    np.testing.assert_array_equal(packed.numpy(), expected[0])
    assert shape == tuple(expected[1]) and length == int(expected[2])
    unpacked = Q.unpack_int4(packed, length, axis=axis)
    np.testing.assert_array_equal(unpacked.numpy(), keras_functions[f"unpack_{axis}"])
    np.testing.assert_array_equal(unpacked.numpy(), INT4)


@pytest.mark.parametrize("index", range(len(FAKE_QUANT)))
def test_fake_quant_and_its_gradient_match_keras(keras_functions, index):
    axis, bits, narrow = FAKE_QUANT[index]
    lo = torch.tensor(MIN_VALS if axis is not None else -1.25, requires_grad=True)
    hi = torch.tensor(MAX_VALS if axis is not None else 1.5, requires_grad=True)
    x = torch.tensor(X * 2, requires_grad=True)
    y = Q.fake_quant_with_min_max_vars(x, lo, hi, num_bits=bits, narrow_range=narrow, axis=axis)
    grads = torch.autograd.grad((y * torch.arange(10.0)).sum(), [x, lo, hi])
    _assert_equal_list(_numpy([y, *grads]), keras_functions[f"fake_quant_{index}"])


def test_fake_quant_records_a_node_on_keras_tensors():
    inputs = keras.Input((10,))
    model = keras.Model(inputs, Q.fake_quant_with_min_max_vars(inputs, -1.0, 1.0, num_bits=4))
    expected = Q.fake_quant_with_min_max_vars(torch.tensor(X), -1.0, 1.0, num_bits=4)
    np.testing.assert_array_equal(model(X).detach().numpy(), expected.numpy())


def test_float8_functions_match_keras(keras_functions):
    history = Q.compute_float8_amax_history(torch.tensor(X), torch.tensor(HISTORY))
    np.testing.assert_array_equal(history.numpy(), keras_functions["amax_history"])
    scales = [
        float(Q.compute_float8_scale(torch.tensor(a), torch.tensor(0.7), torch.tensor(448.0), margin=m))
        for a in (2.0, 0.0, float("inf"), 1e-3)
        for m in (0, 2)
    ]
    np.testing.assert_array_equal(np.array(scales), keras_functions["scales"])
    for name in ("float8_e4m3fn", "float8_e5m2"):
        got = Q.quantize_and_dequantize(torch.tensor(X * 300), torch.tensor(0.3), name, "float32")
        np.testing.assert_array_equal(got.numpy(), keras_functions[f"qdq_{name}"])


CONFIGS = [
    "Q.Int8QuantizationConfig()",
    "Q.Int8QuantizationConfig(weight_quantizer=Q.AbsMaxQuantizer(axis=0), activation_quantizer=None)",
    "Q.Int4QuantizationConfig()",
    "Q.Int4QuantizationConfig(block_size=-1, weight_quantizer=Q.AbsMaxQuantizer(value_range=(-8, 7)))",
    "Q.Float8QuantizationConfig()",
    "Q.AbsMaxQuantizer(axis=(0, 1), value_range=(-100, 100), epsilon=1e-5)",
    "Q.GPTQConfig(None, None, weight_bits=3, group_size=-1, symmetric=True)",
    "Q.AWQConfig([1, 2], None, group_size=64, num_grid_points=5)",
]


def test_configs_serialize_as_keras_and_load_keras_configs(keras_oracle):
    code = (
        "import json\nQ = keras.quantizers\n"
        f"result['configs'] = json.dumps([Q.serialize(eval(c)) for c in {CONFIGS!r}])"
    )
    expected = json.loads(keras_oracle.run(code)["configs"])
    for source, keras_config in zip(CONFIGS, expected):
        config = Q.serialize(eval(source))
        assert json.loads(json.dumps(config)) == keras_config, source
        restored = Q.deserialize(keras_config)
        assert json.loads(json.dumps(Q.serialize(restored))) == keras_config, source


def test_get_resolves_names_and_configs():
    assert isinstance(Q.get("abs_max_quantizer"), Q.AbsMaxQuantizer)
    assert Q.get(None) is None
    quantizer = Q.AbsMaxQuantizer(axis=0)
    assert Q.get(quantizer) is quantizer
    assert Q.get(Q.serialize(quantizer)).axis == (0,)
    with pytest.raises(ValueError, match="Could not interpret quantizer identifier"):
        Q.get("nothing_of_the_kind")
    assert keras.Quantizer is Q.Quantizer


@pytest.mark.parametrize(
    "source, message",
    [
        ("Q.Int4QuantizationConfig(block_size=0)", "block_size must be None, -1, or a positive integer"),
        ("Q.Int4QuantizationConfig(weight_quantizer=Q.AbsMaxQuantizer(value_range=(-8, 7)))", "sub-channel"),
        ("Q.Int8QuantizationConfig(weight_quantizer=Q.AbsMaxQuantizer(output_dtype='int16'))", "output_dtype='int8'"),
        ("Q.AbsMaxQuantizer(value_range=(-200, 127))", r"within the interval \[-128, 127\]"),
        ("Q.GPTQConfig(None, None, weight_bits=5)", "Unsupported weight_bits 5"),
        ("Q.AWQConfig(None, None, weight_bits=8)", "AWQ only supports 4-bit"),
        ("Q.pack_int4(torch.zeros(3, dtype=torch.int32))", "Expected int8 tensor for packing"),
    ],
)
def test_bad_arguments_raise_keras_errors(source, message):
    with pytest.raises((ValueError, TypeError), match=message):
        eval(source)
