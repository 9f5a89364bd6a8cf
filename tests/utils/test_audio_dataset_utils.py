"""keras.utils.audio_dataset_from_directory: .wav files read with `wave`, padded batches."""

import wave

import numpy as np
import pytest

from keraslite import utils
from keraslite.utils.audio_dataset_utils import read_wav


def _write(path, samples, rate=8000, channels=1):
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.asarray(samples, "<i2").tobytes())


@pytest.fixture
def audio_dir(tmp_path):
    for label, lengths in (("no", (5, 9)), ("yes", (7, 3, 4))):
        (tmp_path / label).mkdir()
        for i, length in enumerate(lengths):
            _write(tmp_path / label / f"{i}.wav", np.arange(length) * 1000 - 4000 * (label == "no"))
    (tmp_path / "yes" / "notes.txt").write_text("ignored")
    return tmp_path


def test_read_wav_scales_like_decode_wav(tmp_path):
    _write(tmp_path / "a.wav", [0, 16384, -32768, 32767, 2, -2], channels=2)
    audio = read_wav(str(tmp_path / "a.wav"))
    np.testing.assert_allclose(audio, [[0, 0.5], [-1, 32767 / 32768], [2 / 32768, -2 / 32768]])
    assert read_wav(str(tmp_path / "a.wav"), output_sequence_length=5).shape == (5, 2)
    assert read_wav(str(tmp_path / "a.wav"), output_sequence_length=2).shape == (2, 2)
    assert read_wav(str(tmp_path / "a.wav"), sampling_rate=16000).shape == (6, 2)


def test_padded_batches_labels_and_class_names(audio_dir):
    dataset = utils.audio_dataset_from_directory(audio_dir, batch_size=2, shuffle=False, verbose=False)
    assert dataset.class_names == ["no", "yes"] and len(dataset) == 3
    batches = list(dataset)
    audio, labels = batches[0]
    assert tuple(audio.shape) == (2, 9, 1) and labels.tolist() == [0, 0]
    np.testing.assert_allclose(audio[0, 5:, 0].numpy(), 0.0)  # padded to the longest in the batch
    np.testing.assert_allclose(audio[0, :5, 0].numpy(), (np.arange(5) * 1000 - 4000) / 32768, rtol=1e-6)
    assert tuple(batches[2][0].shape) == (1, 4, 1)
    fixed = utils.audio_dataset_from_directory(
        audio_dir, batch_size=4, output_sequence_length=6, label_mode="categorical", shuffle=False, verbose=False
    )
    audio, labels = next(iter(fixed))
    assert tuple(audio.shape) == (4, 6, 1) and labels.tolist()[2] == [0.0, 1.0]
    train, validation = utils.audio_dataset_from_directory(
        audio_dir, batch_size=None, validation_split=0.4, subset="both", seed=3, label_mode=None, verbose=False
    )
    assert len(train) == 3 and len(validation) == 2
    ragged = utils.audio_dataset_from_directory(audio_dir, ragged=True, shuffle=False, verbose=False)
    audio, _ = next(iter(ragged))
    assert [len(a) for a in audio] == [5, 9, 7, 3, 4]


def test_argument_errors(audio_dir):
    with pytest.raises(ValueError, match="Cannot set both `ragged` and `output_sequence_length`"):
        utils.audio_dataset_from_directory(audio_dir, ragged=True, output_sequence_length=3)
    with pytest.raises(ValueError, match="`sampling_rate` should be higher than 0"):
        utils.audio_dataset_from_directory(audio_dir, sampling_rate=0)
    with pytest.raises(ValueError, match="`label_mode` argument must be one of"):
        utils.audio_dataset_from_directory(audio_dir, label_mode="sparse")


def test_element_spec_and_shard_of_the_returned_dataset(audio_dir):
    # TensorFlow's audio tutorial: `train_ds.element_spec`, then `val_ds.shard(num_shards=2, index=0)`.
    dataset = utils.audio_dataset_from_directory(
        audio_dir, batch_size=2, output_sequence_length=6, shuffle=False, verbose=False
    )
    audio_spec, label_spec = dataset.element_spec
    assert tuple(audio_spec.shape) == (None, 6, 1) and str(audio_spec.dtype) == "float32"
    assert tuple(label_spec.shape) == (None,) and str(label_spec.dtype) == "int32"
    squeezed = dataset.map(lambda audio, labels: (audio[..., 0], labels))
    assert tuple(squeezed.element_spec[0].shape) == (None, 6)
    first, second = dataset.shard(num_shards=2, index=0), dataset.shard(num_shards=2, index=1)
    assert len(first) == 2 and len(second) == 1
    assert [labels.tolist() for _, labels in first] == [[0, 0], [1]]
    assert tuple(first.element_spec[0].shape) == (None, 6, 1)
    with pytest.raises(ValueError, match="num_shards"):
        dataset.shard(0, 0)
