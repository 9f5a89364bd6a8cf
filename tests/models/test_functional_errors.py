"""A bad functional model fails while it is built, with a message naming the layer and
the shapes involved (the seed's "any model you can build ... will run")."""

import pytest

import keraslite as keras
from keraslite import layers


def test_wrong_last_dimension_names_layer_and_shapes():
    x = keras.Input(shape=(32,))
    dense = layers.Dense(4, name="head")
    dense.build((None, 64))
    with pytest.raises(ValueError) as error:
        dense(x)
    message = str(error.value)
    assert '"head"' in message and "64" in message and "(None, 32)" in message


def test_reusing_layer_on_other_width_fails():
    a = keras.Input(shape=(8,))
    b = keras.Input(shape=(5,))
    dense = layers.Dense(2, name="shared")
    dense(a)
    with pytest.raises(ValueError, match=r'"shared".*value 8.*\(None, 5\)'):
        dense(b)


def test_wrong_input_rank():
    x = keras.Input(shape=(16,))
    with pytest.raises(ValueError) as error:
        layers.Conv2D(4, 3, name="conv")(x)
    message = str(error.value)
    assert '"conv"' in message and "min_ndim=4" in message and "(None, 16)" in message


def test_lstm_needs_rank_3():
    x = keras.Input(shape=(16,))
    with pytest.raises(ValueError, match=r'"lstm".*expected ndim=3, found ndim=2'):
        layers.LSTM(4)(x)


def test_add_with_mismatched_shapes():
    a = keras.Input(shape=(9, 9, 64))
    b = keras.Input(shape=(9, 9, 32))
    with pytest.raises(ValueError) as error:
        layers.add([a, b], name="merge")
    message = str(error.value)
    assert '"merge"' in message and "(None, 9, 9, 64)" in message and "(None, 9, 9, 32)" in message


def test_concatenate_with_mismatched_shapes():
    a = keras.Input(shape=(4, 3))
    b = keras.Input(shape=(5, 3))
    with pytest.raises(ValueError) as error:
        layers.concatenate([a, b], name="cat")
    message = str(error.value)
    assert '"cat"' in message and "(None, 4, 3)" in message and "(None, 5, 3)" in message


def test_output_not_connected_to_inputs():
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(4,), name="b")
    y = layers.Dense(2, name="from_b")(b)
    with pytest.raises(ValueError) as error:
        keras.Model(a, y)
    message = str(error.value)
    assert "Graph disconnected" in message and "from_b" in message and '"b"' in message


def test_duplicate_layer_name():
    x = keras.Input(shape=(4,))
    y = layers.Dense(2, name="same")(x)
    y = layers.Dense(2, name="same")(y)
    with pytest.raises(ValueError, match='The name "same" is used 2 times in the model'):
        keras.Model(x, y)


def test_non_keras_tensor_outputs():
    x = keras.Input(shape=(4,))
    with pytest.raises(ValueError, match="must be KerasTensors"):
        keras.Model(x, [1, 2])


def test_reshape_to_incompatible_size():
    x = keras.Input(shape=(16,))
    with pytest.raises(ValueError, match=r'"reshape".*16 values per sample.*\(5, 5\)'):
        layers.Reshape((5, 5))(x)


def test_conv_larger_than_input():
    x = keras.Input(shape=(2, 2, 1))
    with pytest.raises(ValueError, match=r'"conv2d".*negative or zero'):
        layers.Conv2D(1, 3)(x)


def test_calling_model_with_wrong_shape_names_input():
    x = keras.Input(shape=(4,), name="features")
    model = keras.Model(x, layers.Dense(1)(x), name="m")
    with pytest.raises(ValueError, match=r'"features".*"m".*\(None, 4\).*\(2, 3\)'):
        model(__import__("numpy").zeros((2, 3), "float32"))


def test_missing_dict_input():
    a = keras.Input(shape=(2,), name="a")
    b = keras.Input(shape=(2,), name="b")
    model = keras.Model([a, b], layers.add([a, b]))
    with pytest.raises(ValueError, match=r"Missing data for input\(s\) \['b'\]"):
        model({"a": __import__("numpy").zeros((1, 2), "float32")})


def test_unknown_layer_kwarg():
    with pytest.raises(ValueError, match=r"Unrecognized keyword arguments passed to Dense: \{'unit': 3\}"):
        layers.Dense(2, unit=3)


def test_invalid_units():
    with pytest.raises(ValueError, match="units=-1"):
        layers.Dense(-1)
