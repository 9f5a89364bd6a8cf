"""keras.utils: Config, pack/unpack_x_y_sample_weight, get_source_inputs, split_dataset,
standardize_dtype, is_keras_tensor, clear_session."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import utils


def test_config_attributes_items_and_freeze():
    config = utils.Config(learning_rate=0.1, momentum=0.9)
    config.batch_size = 32
    assert config["batch_size"] == 32 and config.learning_rate == 0.1 and "momentum" in config
    assert list(config) == ["batch_size", "learning_rate", "momentum"] and len(config) == 3
    assert config.as_dict() == {"learning_rate": 0.1, "momentum": 0.9, "batch_size": 32}
    config.freeze()
    assert config.frozen
    with pytest.raises(ValueError, match="frozen"):
        config.momentum = 0.5
    with pytest.raises(ValueError, match="frozen"):
        config.update(a=1)
    config.unfreeze()
    del config["momentum"]
    assert config.to_json() == '{"learning_rate": 0.1, "batch_size": 32}'
    with pytest.raises(AttributeError, match="Did you mean 'learning_rate'"):
        config.learning_rat


def test_pack_and_unpack_match_keras(keras_oracle):
    cases = [
        "pack(1)",
        "pack([1, 2])",
        "pack(1, 2)",
        "pack(1, 2, 3)",
        "pack((1,), None, 3)",
        "unpack(1)",
        "unpack([1, 2])",
        "unpack((1,))",
        "unpack((1, 2, 3))",
    ]
    code = (
        "pack, unpack = keras.utils.pack_x_y_sample_weight, keras.utils.unpack_x_y_sample_weight\n"
        f"result['out'] = [repr(eval(c)) for c in {cases!r}]"
    )
    expected = keras_oracle.run(code)["out"]
    scope = {"pack": utils.pack_x_y_sample_weight, "unpack": utils.unpack_x_y_sample_weight}
    assert [repr(eval(c, scope)) for c in cases] == expected
    with pytest.raises(ValueError, match="Data is expected to be in format"):
        utils.unpack_x_y_sample_weight((1, 2, 3, 4))


def test_get_source_inputs_walks_back_to_the_inputs():
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    merged = keras.layers.Add()([keras.layers.Dense(3)(a), b])
    out = keras.layers.Dense(1)(keras.layers.Concatenate()([merged, a]))
    sources = utils.get_source_inputs(out)
    assert len(sources) == 2 and sources[0] is a and sources[1] is b
    assert utils.get_source_inputs(a) == [a]
    assert utils.is_keras_tensor(out) and not utils.is_keras_tensor(np.zeros(1))


def test_split_dataset_sizes_order_and_errors():
    x, y = np.arange(10, dtype="float32").reshape(10, 1), np.arange(10)
    left, right = utils.split_dataset((x, y), left_size=0.8)
    assert (len(left), len(right)) == (8, 2)
    assert [int(right[i][1]) for i in range(2)] == [8, 9]
    left, right = utils.split_dataset(x, right_size=3, shuffle=True, seed=1)
    values = sorted(float(left[i][0][0]) for i in range(7)) + sorted(float(right[i][0][0]) for i in range(3))
    assert sorted(values) == list(range(10)) and len(right) == 3
    again = utils.split_dataset(x, right_size=3, shuffle=True, seed=1)[1]
    assert [float(again[i][0][0]) for i in range(3)] == [float(right[i][0][0]) for i in range(3)]
    with pytest.raises(ValueError, match="At least one of the `left_size` or `right_size`"):
        utils.split_dataset(x)
    with pytest.raises(ValueError, match="`left_size` should be either a positive integer smaller than 10"):
        utils.split_dataset(x, left_size=10)
    with pytest.raises(ValueError, match="greater than 1"):
        utils.split_dataset(x, left_size=0.6, right_size=0.6)
    with pytest.raises(TypeError, match="Invalid `left_size` Type"):
        utils.split_dataset(x, left_size="half")


def test_split_dataset_of_a_keras_dataset_gives_datasets():
    dataset = utils.dataset.Dataset.from_tensor_slices(np.arange(6))
    left, right = utils.split_dataset(dataset, left_size=4)
    assert isinstance(left, utils.dataset.Dataset) and len(left) == 4 and len(right) == 2
    assert [int(v) for v in right] == [4, 5]


def test_standardize_dtype_and_clear_session(keras_oracle):
    spellings = ["float32", "int64", "int32", "bool", "float64", "uint8"]
    expected = keras_oracle.run(f"result['out'] = [keras.utils.standardize_dtype(s) for s in {spellings!r}]")["out"]
    assert [utils.standardize_dtype(s) for s in spellings] == expected
    assert utils.standardize_dtype(torch.int16) == "int16"
    keras.layers.Dense(1)
    utils.clear_session()
    assert keras.layers.Dense(1).name == "dense"
