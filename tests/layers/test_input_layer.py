import pytest

import keraslite as keras


def test_input_variants():
    assert keras.Input(shape=784).shape == (None, 784)
    assert keras.Input(shape=(None,), batch_size=8).shape == (8, None)
    assert keras.Input((4,)).shape == (None, 4)


def test_input_errors():
    with pytest.raises(ValueError, match="both `shape` and `batch_shape`"):
        keras.Input(shape=(3,), batch_shape=(None, 3))
    with pytest.raises(ValueError, match="must pass a `shape`"):
        keras.Input()
    with pytest.raises(ValueError, match="non-negative integers"):
        keras.Input(shape=(-2,))


def test_input_layer_config():
    x = keras.Input(shape=(4,), name="feat", dtype="int32")
    layer = x._keras_history.layer
    assert isinstance(layer, keras.layers.InputLayer)
    assert layer.get_config() == {
        "batch_shape": [None, 4],
        "dtype": "int32",
        "sparse": False,
        "ragged": False,
        "name": "feat",
        "optional": False,
    }
    assert layer.output is x and layer.count_params() == 0
