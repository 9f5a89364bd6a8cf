"""Smaller TensorFlow namespaces of the shim: errors, debugging, audio, signal, segment
reductions, TensorSpec and the eager control-flow functions, dataset sampling."""

import numpy as np
import pytest
import torch

from tests.compat.tf_fixture import tf  # noqa: F401  (fixture)


def test_errors_are_python_exceptions_too(tf):  # noqa: F811
    assert issubclass(tf.errors.InvalidArgumentError, ValueError)
    assert issubclass(tf.errors.NotFoundError, FileNotFoundError)
    with pytest.raises(tf.errors.InvalidArgumentError, match="x == y"):
        tf.debugging.assert_equal(tf.constant([1, 2]), tf.constant([1, 3]))
    tf.debugging.assert_equal(tf.constant([1, 2]), [1, 2])
    tf.debugging.set_log_device_placement(True)


def test_wav_round_trip(tf):  # noqa: F811
    audio = np.sin(np.linspace(0, 20, 800, dtype="float32"))[:, None] * 0.5
    encoded = tf.audio.encode_wav(audio, 16000)
    decoded, rate = tf.audio.decode_wav(encoded, desired_channels=1, desired_samples=1000)
    assert int(rate) == 16000 and decoded.shape == (1000, 1)
    np.testing.assert_allclose(decoded.numpy()[:800], audio, atol=1 / 16000)
    assert decoded.numpy()[800:].sum() == 0


def test_signal_transforms(tf):  # noqa: F811
    x = np.random.default_rng(0).normal(size=(2, 64)).astype("float32")
    np.testing.assert_allclose(tf.signal.rfft(x).numpy(), np.fft.rfft(x), rtol=1e-4, atol=1e-4)
    spectrum = tf.signal.stft(x, frame_length=16, frame_step=8)
    assert spectrum.shape == (2, 7, 9) and spectrum.dtype == torch.complex64


def test_unsorted_segment_reductions(tf):  # noqa: F811
    data = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    ids = tf.constant([0, 2, 0])
    assert tf.math.unsorted_segment_mean(data, ids, 3).numpy().tolist() == [[3.0, 4.0], [0.0, 0.0], [3.0, 4.0]]
    assert tf.math.unsorted_segment_max(data, ids, 3).numpy()[0].tolist() == [5.0, 6.0]
    assert tf.math.unsorted_segment_sum(data, ids, 3).numpy()[0].tolist() == [6.0, 8.0]


def test_eager_control_flow_and_specs(tf):  # noqa: F811
    spec = tf.TensorSpec(shape=[None, 3], dtype=tf.float32)
    assert spec.is_compatible_with(tf.ones((5, 3))) and not spec.is_compatible_with(tf.ones((5, 4)))
    assert tf.py_function(lambda a, b: a + b, [tf.constant(1.0), tf.constant(2.0)], tf.float32).numpy() == 3.0
    assert tf.numpy_function(lambda a: a * 2, [tf.constant([1.0])], tf.float32).tolist() == [2.0]
    assert float(tf.cond(tf.constant(True), lambda: tf.constant(1.0), lambda: tf.constant(2.0))) == 1.0
    assert tf.repeat(tf.constant([1, 2]), 2).numpy().tolist() == [1, 1, 2, 2]
    assert tf.complex(tf.constant([1.0]), tf.constant([2.0])).numpy().tolist() == [1 + 2j]
    assert tf.string == "string"


def test_sample_and_choose_from_datasets(tf):  # noqa: F811
    ones = tf.data.Dataset.from_tensors(1).repeat(50)
    twos = tf.data.Dataset.from_tensors(2).repeat(50)
    mixed = [int(v) for v in tf.data.Dataset.sample_from_datasets([ones, twos], weights=[0.5, 0.5], seed=3)]
    assert sorted(mixed) == [1] * 50 + [2] * 50 and mixed != sorted(mixed)
    chosen = tf.data.Dataset.choose_from_datasets([ones, twos], tf.data.Dataset.from_tensor_slices([1, 0, 1]))
    assert [int(v) for v in chosen] == [2, 1, 2]
    assert tf.data.experimental.sample_from_datasets is tf.data.Dataset.sample_from_datasets


def test_confusion_matrix_matches_tensorflow(tf):  # noqa: F811
    # Expected matrices: real TensorFlow 2.21 on the same inputs.
    matrix = tf.math.confusion_matrix([0, 1, 2, 1], [0, 2, 2, 1])
    assert matrix.numpy().tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]] and str(matrix.dtype) == "torch.int32"
    weighted = tf.math.confusion_matrix(
        tf.constant([0, 1, 2, 1]), np.array([0, 2, 2, 1]), num_classes=4, weights=[1.0, 2.0, 3.0, 4.0], dtype=tf.float32
    )
    assert weighted.numpy().tolist() == [[1, 0, 0, 0], [0, 4, 2, 0], [0, 0, 3, 0], [0, 0, 0, 0]]
    assert weighted.dtype == torch.float32
    with pytest.raises(tf.errors.InvalidArgumentError, match="labels"):
        tf.math.confusion_matrix([0, 3], [0, 1], num_classes=2)
