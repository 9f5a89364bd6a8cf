"""Quantized Dense, EinsumDense and Embedding against real Keras 3.15: after `quantize`,
the same variables (names, dtypes, shapes, values), the same outputs and input gradients,
the same configs; quantize's errors; unquantized layers keep their own `call`."""

import json

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite import quantizers as Q

RNG = np.random.default_rng(3)

# (layer, input shape without batch, mode, config or None). Evaluated in keraslite and in Keras.
CASES = [
    ("Dense(6, activation='relu')", (8,), "int8", None),
    ("Dense(6, use_bias=False)", (3, 8), "int8", None),
    ("Dense(6)", (8,), "int8", "Int8QuantizationConfig(activation_quantizer=None)"),
    ("Dense(6)", (8,), "int8", "Int8QuantizationConfig(activation_quantizer=AbsMaxQuantizer(value_range=(-100, 100)))"),
    ("Dense(6)", (8,), "int4", None),
    ("Dense(7)", (3, 8), "int4", "Int4QuantizationConfig(block_size=3)"),
    ("Dense(7)", (8,), "int4", "Int4QuantizationConfig(block_size=-1)"),
    ("Dense(7)", (8,), "int4", "Int4QuantizationConfig(block_size=-1, activation_quantizer=AbsMaxQuantizer())"),
    ("Dense(5, activation='tanh')", (8,), "float8", None),
    ("EinsumDense('ab,bc->ac', 4, bias_axes='c')", (8,), "int8", None),
    ("EinsumDense('abc,cde->abde', (5, 2, 4), bias_axes='de')", (5, 8), "int8", None),
    ("EinsumDense('abcd,cde->abe', (3, 5), bias_axes='e')", (3, 4, 6), "int8", None),
    ("EinsumDense('abc,cd->abd', (5, 4))", (5, 8), "int4", None),
    ("EinsumDense('abc,cde->abde', (5, 2, 4))", (5, 8), "int4", "Int4QuantizationConfig(block_size=3)"),
    ("EinsumDense('abc,cde->abde', (5, 2, 4))", (5, 8), "int4", "Int4QuantizationConfig(block_size=-1)"),
    ("EinsumDense('abc,cd->abd', (5, 4), bias_axes='d')", (5, 8), "float8", None),
    ("Embedding(10, 7)", (5,), "int8", None),
    ("Embedding(10, 7)", (5,), "int4", None),
    ("Embedding(10, 7)", (5,), "int4", "Int4QuantizationConfig(block_size=3)"),
    ("Embedding(10, 7)", (5,), "int4", "Int4QuantizationConfig(block_size=-1)"),
    ("ReversibleEmbedding(10, 7)", (5,), "int8", None),
    ("ReversibleEmbedding(10, 7, tie_weights=False, logit_soft_cap=4.0)", (5,), "int8", None),
    ("ReversibleEmbedding(10, 7)", (5,), "int4", "Int4QuantizationConfig(block_size=3)"),
    ("ReversibleEmbedding(10, 7, tie_weights=False)", (5,), "int4", "Int4QuantizationConfig(block_size=3)"),
    ("ReversibleEmbedding(10, 7, tie_weights=False)", (5,), "int4", "Int4QuantizationConfig(block_size=-1)"),
]

KERAS_LAYERS = """
import json, torch
out = []
for index, (source, shape, mode, config) in enumerate(CASES):
    layer = eval("keras.layers." + source)
    layer.build((None,) + tuple(shape))
    result[f"float_{index}"] = [np.asarray(w) for w in layer.get_weights()]
    layer.quantize(mode, config=eval(config, dict(vars(keras.quantizers))) if config else None)
    x = inputs[f"x_{index}"]
    result[f"weights_{index}"] = [np.asarray(w) for w in layer.get_weights()]
    if x.dtype.kind == "f":
        xt = torch.tensor(x, requires_grad=True)
        y = layer(xt)
        result[f"grad_{index}"] = torch.autograd.grad((y * y).sum(), xt)[0].numpy()
    else:
        y = layer(x)
    result[f"y_{index}"] = np.asarray(y.detach().cpu())
    if source.startswith("Reversible"):
        result[f"reverse_{index}"] = np.asarray(layer(inputs["vectors"], reverse=True).detach().cpu())
    out.append({"variables": [[v.name, str(v.dtype), list(v.shape)] for v in layer.weights],
                "policy": layer.dtype_policy.name, "config": layer.get_config()})
result["described"] = json.dumps(out)
"""


def _case_input(index):
    source, shape, _, _ = CASES[index]
    if "Embedding" in source:
        return RNG.integers(0, 10, (2,) + shape)
    return RNG.standard_normal((2,) + shape).astype("float32")


INPUTS = {f"x_{i}": _case_input(i) for i in range(len(CASES))}
INPUTS["vectors"] = RNG.standard_normal((3, 7)).astype("float32")


@pytest.fixture(scope="module")
def keras_layers(keras_oracle):
    result = keras_oracle.run(f"CASES = {CASES!r}\n" + KERAS_LAYERS, **INPUTS)
    result["described"] = json.loads(result["described"])
    return result


def _quantized(index, float_weights):
    source, shape, mode, config = CASES[index]
    layer = eval("layers." + source)
    layer.build((None,) + tuple(shape))
    layer.set_weights(float_weights)
    layer.quantize(mode, config=eval(config, dict(vars(Q))) if config else None)
    return layer


@pytest.mark.parametrize("index", range(len(CASES)))
def test_quantized_layer_matches_keras(keras_layers, index):
    layer = _quantized(index, keras_layers[f"float_{index}"])
    described = keras_layers["described"][index]
    variables = [[v.name, keras.backend.standardize_dtype(v.dtype), list(v.shape)] for v in layer.weights]
    assert variables == described["variables"]
    for got, expected in zip(layer.get_weights(), keras_layers[f"weights_{index}"]):
        np.testing.assert_array_equal(got, expected)
    assert layer.dtype_policy.name == described["policy"]
    config = json.loads(json.dumps(layer.get_config()))
    assert {**config, "name": None} == {**described["config"], "name": None}
    x = INPUTS[f"x_{index}"]
    if x.dtype.kind == "f":
        xt = torch.tensor(x, requires_grad=True)
        y = layer(xt)
        grad = torch.autograd.grad((y * y).sum(), xt)[0]
        np.testing.assert_allclose(grad.numpy(), keras_layers[f"grad_{index}"], rtol=1e-5, atol=1e-5)
    else:
        y = layer(x)
    np.testing.assert_allclose(y.detach().numpy(), keras_layers[f"y_{index}"], rtol=1e-5, atol=1e-6)
    if f"reverse_{index}" in keras_layers:
        logits = layer(INPUTS["vectors"], reverse=True).detach().numpy()
        np.testing.assert_allclose(logits, keras_layers[f"reverse_{index}"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("index", [0, 5, 8, 11, 13, 18, 23])
def test_quantized_layer_config_round_trip(keras_layers, index):
    layer = _quantized(index, keras_layers[f"float_{index}"])
    config = json.loads(json.dumps(layer.get_config()))
    restored = type(layer).from_config(config)
    restored.build((None,) + tuple(CASES[index][1]))
    assert restored.quantization_mode == layer.quantization_mode
    # As in Keras, a float8 layer built from its config creates the scales before the kernel.
    originals = {v.name: v for v in layer.weights}
    assert sorted((v.name, v.dtype, tuple(v.shape)) for v in restored.weights) == sorted(
        (v.name, v.dtype, tuple(v.shape)) for v in layer.weights
    )
    restored.set_weights([originals[v.name].detach().numpy() for v in restored.weights])
    x = INPUTS[f"x_{index}"]
    np.testing.assert_array_equal(restored(x).detach().numpy(), layer(x).detach().numpy())


def _built_dense():
    layer = layers.Dense(4)
    layer.build((None, 3))
    return layer


def test_quantize_errors_name_the_problem():
    with pytest.raises(ValueError, match="Cannot quantize a layer that isn't yet built"):
        layers.Dense(4).quantize("int8")
    layer = _built_dense()
    layer.quantize("int8")
    with pytest.raises(ValueError, match="already quantized with dtype_policy='int8_from_float32'"):
        layer.quantize("int4")
    with pytest.raises(ValueError, match="Invalid quantization mode"):
        _built_dense().quantize("int3")
    with pytest.raises(ValueError, match="Contradictory arguments: mode='int8' but config.mode='int4'"):
        _built_dense().quantize("int8", config=Q.Int4QuantizationConfig())
    with pytest.raises(NotImplementedError, match="'gptq'.*not supported by keraslite yet"):
        _built_dense().quantize("gptq", config=Q.GPTQConfig(None, None))
    with pytest.raises(NotImplementedError, match="quantization_mode=float8"):
        embedding = layers.Embedding(5, 3)
        embedding.build()
        embedding.quantize("float8")
    with pytest.raises(NotImplementedError, match="Layer Dropout does not have a `quantize` method"):
        dropout = layers.Dropout(0.5)
        dropout.quantize("int8")


def test_subclasses_need_type_check_false():
    class MyDense(layers.Dense):
        pass

    layer = MyDense(4)
    layer.build((None, 3))
    with pytest.raises(NotImplementedError, match="Layer MyDense does not have a `quantize` method"):
        layer.quantize("int8")
    layer.quantize("int8", type_check=False)
    assert layer.quantization_mode == "int8"


def test_setting_a_quantized_policy_quantizes():
    layer = _built_dense()
    layer.dtype_policy = "int8_from_float32"
    assert layer.quantization_mode == "int8" and layer.kernel.dtype == torch.int8
    with pytest.raises(ValueError, match="Implicitly enabling GPTQ quantization"):
        _built_dense().dtype_policy = "gptq/4/-1_from_float32"


def test_a_quantized_policy_builds_quantized_weights():
    layer = layers.Dense(4, dtype="int4/2_from_float32")
    layer.build((None, 3))
    assert [(v.name, v.dtype, tuple(v.shape)) for v in layer.weights] == [
        ("bias", torch.float32, (4,)),
        ("kernel", torch.int8, (3, 2)),
        ("kernel_scale", torch.float32, (2, 4)),
        ("kernel_zero", torch.int8, (2, 4)),
        ("g_idx", torch.float32, (3,)),
    ]
    np.testing.assert_array_equal(layer.g_idx.numpy(), [0, 0, 1])


def test_unquantized_layers_keep_their_call():
    layer = _built_dense()
    assert "call" not in layer.__dict__ and layer.quantization_mode is None
    layer.quantize("int8")
    assert "call" in layer.__dict__


def test_moving_a_quantized_layer_keeps_it_quantized():
    layer = _built_dense()
    layer.quantize("int8")
    x = RNG.standard_normal((2, 3)).astype("float32")
    expected = layer(x).detach().numpy()
    layer.to(torch.float64)
    assert layer.quantization_mode == "int8" and layer.kernel.dtype == torch.int8
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-6)
