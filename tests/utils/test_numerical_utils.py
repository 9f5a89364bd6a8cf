"""keras.utils.to_categorical / normalize / pad_sequences (and keras.preprocessing.sequence)."""

import numpy as np
import pytest
import torch

import keraslite as keras


def test_to_categorical_numpy_matches_keras_layout():
    out = keras.utils.to_categorical([0, 1, 2, 3], num_classes=4)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.eye(4))
    # CIFAR-style (n, 1) labels drop the trailing axis; num_classes inferred.
    labels = np.array([[2], [0], [1]], dtype="uint8")
    out = keras.utils.to_categorical(labels)
    assert out.shape == (3, 3)
    np.testing.assert_array_equal(out.argmax(-1), [2, 0, 1])
    assert keras.utils.to_categorical(np.zeros((2, 5), "int64"), 3).shape == (2, 5, 3)


def test_to_categorical_torch_and_errors():
    out = keras.utils.to_categorical(torch.tensor([[1], [0]]), num_classes=3)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
    assert out.tolist() == [[0, 1, 0], [1, 0, 0]]
    with pytest.raises(ValueError, match="num_classes"):
        keras.utils.to_categorical([0, 5], num_classes=3)


def test_normalize_l2_and_zero_rows():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(keras.utils.normalize(x), [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(keras.utils.normalize(x, axis=0, order=1), [[1.0, 1.0], [0.0, 0.0]])
    t = keras.utils.normalize(torch.tensor(x, dtype=torch.float32))
    np.testing.assert_allclose(t.numpy(), [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)


def test_pad_sequences_pre_post_truncating():
    seqs = [[1, 2, 3], [4], [5, 6, 7, 8, 9]]
    out = keras.utils.pad_sequences(seqs)
    assert out.dtype == np.int32 and out.shape == (3, 5)
    np.testing.assert_array_equal(out[1], [0, 0, 0, 0, 4])
    out = keras.preprocessing.sequence.pad_sequences(seqs, maxlen=3, padding="post", truncating="post", value=-1)
    np.testing.assert_array_equal(out, [[1, 2, 3], [4, -1, -1], [5, 6, 7]])
    out = keras.utils.pad_sequences(seqs, maxlen=2)  # truncating="pre" keeps the end
    np.testing.assert_array_equal(out[2], [8, 9])
    out = keras.utils.pad_sequences([np.ones((2, 3)), []], maxlen=3, dtype="float32")
    assert out.shape == (2, 3, 3) and out[0, 0].sum() == 0 and out[0, 1].sum() == 3


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match='Padding type "middle"'):
        keras.utils.pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="non-iterable"):
        keras.utils.pad_sequences([1, 2])
    with pytest.raises(ValueError, match="dtype=object"):
        keras.utils.pad_sequences([["a"]], value="x")
    out = keras.utils.pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert out.tolist() == [["a", "b"], ["<pad>", "c"]]
