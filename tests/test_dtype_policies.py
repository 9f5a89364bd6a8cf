"""keras.dtype_policies: the policy classes, get/serialize/deserialize, DTypePolicyMap."""

import pytest

import keraslite as keras
from keraslite import dtype_policies as D

POLICIES = [
    "D.DTypePolicy('mixed_float16')",
    "D.DTypePolicy('int32')",
    "D.FloatDTypePolicy('float32')",
    "D.QuantizedDTypePolicy('int8', 'float32')",
    "D.QuantizedFloat8DTypePolicy('float8', 'bfloat16', 16)",
    "D.Int4DTypePolicy('int4/128', 'float32')",
    "D.GPTQDTypePolicy('gptq/4/64', 'float32')",
    "D.AWQDTypePolicy('awq/4/128', 'mixed_bfloat16')",
    "D.get('int8_from_float32')",
    "D.get('int4/64_from_bfloat16')",
    "D.get('gptq/3/-1_from_float32')",
    "D.get(None)",
]
BAD = [
    "D.DTypePolicy('foo')",
    "D.DTypePolicy(3)",
    "D.QuantizedDTypePolicy('int8', 'float16')",
    "D.QuantizedDTypePolicy('int9', 'float32')",
    "D.Int4DTypePolicy('int4/0', 'float32')",
    "D.GPTQDTypePolicy('gptq/5/64', 'float32')",
    "D.AWQDTypePolicy('awq/4', 'float32')",
    "D.get('int8_float32')",
]


def _describe(policy):
    return [repr(policy), policy.name, policy.compute_dtype, policy.variable_dtype, policy.quantization_mode]


def test_policies_match_keras(keras_oracle):
    code = (
        "D = keras.dtype_policies\nresult['out'] = []\nresult['errors'] = []\n"
        f"for c in {POLICIES!r}:\n"
        "    p = eval(c)\n"
        "    result['out'].append([repr(p), p.name, p.compute_dtype, p.variable_dtype, p.quantization_mode,"
        " D.serialize(p), D.deserialize(D.serialize(p)) == p])\n"
        f"for c in {BAD!r}:\n"
        "    try:\n        eval(c)\n        result['errors'].append(None)\n"
        "    except Exception as e:\n        result['errors'].append(type(e).__name__)\n"
    )
    expected = keras_oracle.run(code)
    for case, want in zip(POLICIES, expected["out"]):
        policy = eval(case)
        assert _describe(policy) == want[:5], case
        assert D.serialize(policy) == want[5], case
        assert (D.deserialize(D.serialize(policy)) == policy) is want[6] is True
    for case, want in zip(BAD, expected["errors"]):
        with pytest.raises(Exception) as info:
            eval(case)
        assert type(info.value).__name__ == want, case


def test_dtype_policy_map_lookup_and_config(keras_oracle):
    expected = keras_oracle.run(
        "D = keras.dtype_policies\n"
        "m = D.DTypePolicyMap('bfloat16', {'enc/.*': D.DTypePolicy('float16'), 'dec': D.DTypePolicy('float32')})\n"
        "result['config'] = D.serialize(m)\nresult['name'] = m.name\n"
    )
    policy_map = D.DTypePolicyMap("bfloat16", {"enc/.*": D.DTypePolicy("float16"), "dec": D.DTypePolicy("float32")})
    assert D.serialize(policy_map) == expected["config"] and policy_map.name == expected["name"]
    assert policy_map["enc/dense"].name == "float16" and policy_map["dec"].name == "float32"
    assert policy_map["dec/attention"].name == "bfloat16" and policy_map.compute_dtype == "bfloat16"
    policy_map["enc/dense/.*"] = "float64"
    with pytest.raises(ValueError, match="matches multiple dtype policy"):
        policy_map["enc/dense/kernel"]
    with pytest.raises(ValueError, match="already exist"):
        policy_map["dec"] = "float16"
    restored = D.deserialize(D.serialize(policy_map))
    assert sorted(restored) == ["dec", "enc/.*", "enc/dense/.*"] and restored["dec"].name == "float32"


def test_top_level_names_and_quantized_layer_policies():
    assert keras.FloatDTypePolicy is D.FloatDTypePolicy and keras.DTypePolicy is D.DTypePolicy
    assert D.DTypePolicy().name == keras.mixed_precision.global_policy().name
    layer = keras.layers.Dense(2, dtype=D.get("int8_from_float32"))
    assert layer.quantization_mode == "int8" and layer.dtype == "float32"
    assert keras.layers.Dense(2, dtype="int4/64_from_float32").dtype_policy == D.get("int4/64_from_float32")


def test_default_policy_is_floatx_when_first_read(monkeypatch):
    from keraslite.backend import state
    from keraslite.mixed_precision import policy

    monkeypatch.setattr(policy, "_global_policy", None)
    monkeypatch.setattr(state, "_floatx", "float64")
    assert D.DTypePolicy().name == "float64" and keras.mixed_precision.global_policy().name == "float64"
    monkeypatch.setattr(state, "_floatx", "float32")
    assert D.DTypePolicy().name == "float64"  # fixed at first read, as Keras's global state is
    assert keras.mixed_precision.Policy("mixed_bfloat16").compute_dtype == "bfloat16"
