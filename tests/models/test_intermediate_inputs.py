"""A functional model built from intermediate tensors (Keras 3 clones the graph behind them)."""

import numpy as np
import pytest

import keraslite as keras


def test_intermediate_tensor_as_input_gets_its_own_input_layer():
    raw = keras.Input((4,))
    hidden = keras.layers.Dense(3, name="pre")(raw)
    out = keras.layers.Dense(2, name="post")(hidden)
    head = keras.Model(hidden, out)
    assert [layer.name for layer in head.layers] == ["preCLONE", "post"]
    assert head.inputs[0].shape == (None, 3)
    x = np.random.rand(5, 3).astype("float32")
    post = head.get_layer("post")
    expected = x @ post.kernel.numpy() + post.bias.numpy()
    np.testing.assert_allclose(head.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    # The whole model, made afterwards from the original input, is untouched.
    whole = keras.Model(raw, out)
    assert [layer.name for layer in whole.layers][1:] == ["pre", "post"]
    assert whole.predict(np.ones((2, 4)), verbose=0).shape == (2, 2)


def test_dict_of_intermediate_inputs_and_shared_ops():
    a, b = keras.Input((2,), name="a"), keras.Input((2,), name="b")
    encoded = {"a": keras.layers.Dense(2, name="enc_a")(a), "b": keras.layers.Dense(2, name="enc_b")(b)}
    merged = keras.layers.Concatenate(name="merge")([encoded["a"], encoded["b"]]) * 2.0
    out = keras.layers.Dense(1, name="out")(merged)
    head = keras.Model(encoded, out)
    assert sorted(head.input) == ["a", "b"]
    xa, xb = np.ones((3, 2), "float32"), np.zeros((3, 2), "float32")
    result = head.predict({"a": xa, "b": xb}, verbose=0)
    dense = head.get_layer("out")
    expected = np.concatenate([xa, xb], axis=1) * 2.0 @ dense.kernel.numpy() + dense.bias.numpy()
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6)
    head.compile("sgd", "mse")
    head.fit({"a": xa, "b": xb}, np.ones((3, 1)), verbose=0)


def test_an_input_the_outputs_need_but_inputs_lack_is_still_disconnected():
    a, b = keras.Input((2,)), keras.Input((2,))
    hidden = keras.layers.Dense(2)(a)
    out = keras.layers.Add()([hidden, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(hidden, out)


def test_dict_key_differing_from_the_tensor_name_warns():
    a = keras.Input((2,), name="first")
    with pytest.warns(UserWarning, match="Received key 'a' mapping to value"):
        keras.Model({"a": a}, keras.layers.Dense(1)(a))
