"""`keras.backend` additions: result_type (against Keras's lattice), get_uid, dtype tests."""

import itertools

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import backend

DTYPES = ["bool", "uint8", "uint16", "int8", "int16", "int32", "int64", "bfloat16", "float16", "float32", "float64"]
SPELLINGS = ["int", "float", "bool"]  # Python types, written by name here and passed as the type


def _pairs():
    names = DTYPES + SPELLINGS
    return [list(pair) for pair in itertools.combinations_with_replacement(names, 2)]


def _as_arg(name):
    return {"int": int, "float": float, "bool": bool}.get(name, name)


def test_result_type_matches_keras(keras_oracle):
    pairs = _pairs() + [["int32", "float16", "int"], ["uint8", "int8", "float"], []]
    code = (
        "PY = {'int': int, 'float': float, 'bool': bool}\nout = []\n"
        "for pair in PAIRS:\n"
        "    try:\n        out.append(keras.backend.result_type(*[PY.get(p, p) for p in pair]))\n"
        "    except ValueError:\n        out.append('error')\n"
        "result['out'] = out\n"
    )
    expected = keras_oracle.run(f"PAIRS = {pairs!r}\n" + code)["out"]
    for pair, want in zip(pairs, expected):
        try:
            got = backend.result_type(*[_as_arg(p) for p in pair])
        except ValueError:
            got = "error"
        assert got == want, pair


def test_result_type_reads_torch_and_numpy_dtypes():
    assert backend.result_type(torch.int8, np.dtype("int16")) == "int16"
    assert backend.result_type(None, "int32") == "float32"


def test_get_uid_shares_the_layer_name_counters():
    assert backend.get_uid("blob") == 1 and backend.get_uid("blob") == 2
    keras.layers.Dense(1)
    assert backend.get_uid("dense") == 2
    assert keras.layers.Dense(1).name == "dense_2"
    backend.clear_session()
    assert backend.get_uid("blob") == 1


def test_dtype_kind_tests_and_is_keras_tensor():
    assert backend.is_float_dtype("bfloat16") and not backend.is_float_dtype("int8")
    assert backend.is_int_dtype(torch.uint8) and backend.is_int_dtype("int64") and not backend.is_int_dtype("bool")
    assert backend.is_keras_tensor(keras.Input((2,)))
    assert not backend.is_keras_tensor(torch.zeros(2)) and not backend.is_keras_tensor(np.zeros(2))
    with pytest.raises(ValueError, match="Invalid dtype"):
        backend.is_int_dtype("int3")
