"""Bad arguments to fit/evaluate/predict are refused with a ValueError that names the
argument (or output), the expected and the received, where Keras 3.15 refuses them or where
going on would lose data; what Keras accepts is accepted (with a warning where data's own
batching wins or keys are ignored)."""

import warnings

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers

X = np.ones((100, 4), "float32")
Y = np.ones((100, 3), "float32")


def dense_model():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, name="out")])
    model.compile("adam", "mse")
    return model


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_a_negative_batch_size_is_refused(call):
    model = dense_model()
    args = (X,) if call == "predict" else (X, Y)
    with pytest.raises(ValueError, match=r"`batch_size` must be a positive integer.*Received: batch_size=-5"):
        getattr(model, call)(*args, batch_size=-5, verbose=0)


def test_a_zero_batch_size_means_the_default_as_in_keras():
    # Keras 3.15 reads `batch_size=0` as "not given" (32): nothing is lost.
    assert dense_model().predict(X, batch_size=0, verbose=0).shape == (100, 3)


def test_a_fractional_batch_size_is_refused():
    with pytest.raises(ValueError, match="batch_size=2.5"):
        dense_model().fit(X, Y, batch_size=2.5, verbose=0)


def test_a_negative_validation_batch_size_is_refused():
    with pytest.raises(ValueError, match="validation_batch_size=-1"):
        dense_model().fit(X, Y, validation_split=0.2, validation_batch_size=-1, verbose=0)


@pytest.mark.parametrize("split", [1.5, -0.1])
def test_validation_split_outside_0_1_is_refused(split):
    with pytest.raises(ValueError, match=rf"`validation_split` must be.*\[0, 1\).*Received: validation_split={split}"):
        dense_model().fit(X, Y, validation_split=split, verbose=0)


def test_validation_split_of_one_keeps_keras_message():
    with pytest.raises(ValueError, match="not sufficient to split"):
        dense_model().fit(X, Y, validation_split=1.0, verbose=0)


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_empty_arrays_are_refused(call):
    model = dense_model()
    x, y = np.zeros((0, 4), "float32"), np.zeros((0, 3), "float32")
    args = (x,) if call == "predict" else (x, y)
    with pytest.raises(ValueError, match=r"no samples.*Received: x with 0 samples"):
        getattr(model, call)(*args, verbose=0)


@pytest.mark.parametrize("call", ["fit", "evaluate"])
def test_a_target_that_does_not_fit_the_output_names_it(call):
    model = dense_model()
    with pytest.raises(ValueError) as info:
        getattr(model, call)(X, np.ones((100, 7), "float32"), verbose=0)
    message = str(info.value)
    assert "output 'out'" in message and "(32, 3)" in message and "(32, 7)" in message
    assert "loss mse" in message


def test_a_broadcastable_target_is_accepted_as_in_keras():
    # Keras broadcasts a (N, 1) target against a (N, 3) output.
    dense_model().fit(X, np.ones((100, 1), "float32"), verbose=0)


def test_a_dataloader_with_batch_size_is_accepted_with_one_warning():
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(Y)), batch_size=10
    )
    model = dense_model()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(loader, batch_size=64, epochs=2, shuffle=False, verbose=0)
    messages = [str(w.message) for w in caught if "batch_size" in str(w.message)]
    assert len(messages) == 1 and "batch_size=64" in messages[0] and "ignored" in messages[0]
    assert int(model.optimizer.iterations) == 20  # the loader's batches of 10


def test_a_model_call_with_an_extra_dict_key_warns():
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    model = keras.Model({"a": a, "b": b}, layers.Add()([a, b]))
    with pytest.warns(UserWarning, match=r"doesn't match the expected structure.*\['c'\]"):
        out = model({"a": X, "b": X, "c": X})
    assert tuple(out.shape) == (100, 4)
