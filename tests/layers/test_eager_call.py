"""The eager call's short path (`plain_eager_call`) keeps Keras's contract: it is taken only
when masks, conversions, sublayers and activity regularization have nothing to do, and then
binds `training` as the whole path does."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite.layers import eager_call as eager_call_module


class RecordsTraining(layers.Layer):
    def call(self, inputs, training=None):
        self.seen = training
        return inputs * 2.0


class RecordsMask(layers.Layer):
    supports_masking = True

    def call(self, inputs, mask=None):
        self.seen_mask = mask
        return inputs + 1.0


@pytest.fixture
def full_path_calls(monkeypatch):
    """Counts the calls that go the whole way (`eager_call`)."""
    calls = []
    original = eager_call_module.eager_call

    def counting(layer, args, kwargs):
        calls.append(layer.name)
        return original(layer, args, kwargs)

    monkeypatch.setattr("keraslite.layers.base_layer.eager_call", counting)
    return calls


def test_a_built_dense_on_a_plain_tensor_takes_the_short_path(full_path_calls):
    dense = layers.Dense(3, activation="relu")
    x = torch.rand(4, 2)
    first = dense(x)  # builds: the whole path
    assert full_path_calls == [dense.name]
    again = dense(x, training=True)
    assert full_path_calls == [dense.name]
    expected = torch.relu(x @ dense.kernel + dense.bias)
    torch.testing.assert_close(first, expected)
    torch.testing.assert_close(again, expected)


@pytest.mark.parametrize("given, layer_mode, expected", [(None, False, False), (None, True, True), (True, False, True)])
def test_training_is_bound_as_keras_binds_it(full_path_calls, given, layer_mode, expected):
    layer = RecordsTraining()
    layer(torch.ones(2, 2))
    layer.training = layer_mode
    layer(torch.ones(2, 2), training=given)
    assert layer.seen is expected
    assert len(full_path_calls) == 1  # only the building call


def test_a_masked_input_still_reaches_call_and_the_outputs(full_path_calls):
    embedding = layers.Embedding(10, 3, mask_zero=True)
    recorder = RecordsMask()
    tokens = torch.tensor([[1, 2, 0], [3, 0, 0]])
    embedded = embedding(tokens)
    recorder(embedded)
    calls_when_built = full_path_calls.count(recorder.name)
    out = recorder(embedded)  # built: still the whole path, the input has a mask
    assert full_path_calls.count(recorder.name) == calls_when_built + 1
    assert torch.equal(recorder.seen_mask, tokens != 0)
    assert torch.equal(out._keras_mask, tokens != 0)


def test_a_layer_with_its_own_compute_mask_takes_the_whole_path(full_path_calls):
    masking = layers.Masking(mask_value=0.0)
    x = torch.tensor([[[1.0], [0.0]]])
    masking(x)
    calls_when_built = full_path_calls.count(masking.name)
    out = masking(x)
    assert full_path_calls.count(masking.name) == calls_when_built + 1
    assert out._keras_mask.tolist() == [[True, False]]


def test_activity_regularization_and_dtype_conversion_take_the_whole_path(full_path_calls):
    dense = layers.Dense(2, activity_regularizer="l2")
    dense(torch.ones(3, 2))
    calls_when_built = full_path_calls.count(dense.name)
    dense(torch.ones(3, 2))
    assert len(dense.losses) == 1
    assert full_path_calls.count(dense.name) == calls_when_built + 1
    float64 = layers.Dense(2, dtype="float64")
    float64(torch.ones(1, 2))
    calls_when_built = full_path_calls.count(float64.name)
    out = float64(torch.ones(1, 2))  # float32 inputs are converted to the compute dtype
    assert out.dtype == torch.float64
    assert full_path_calls.count(float64.name) == calls_when_built + 1


def test_a_model_predicts_the_same_as_its_layers_composed():
    inputs = keras.Input((4,))
    hidden = layers.Dense(5, activation="tanh")(inputs)
    model = keras.Model(inputs, layers.Dropout(0.5)(layers.Dense(2)(hidden)))
    x = np.random.default_rng(0).random((7, 4), dtype=np.float32)
    first, _, second = model.layers[1], model.layers[3], model.layers[2]
    expected = second(first(torch.from_numpy(x))).detach().numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6)
