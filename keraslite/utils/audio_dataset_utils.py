"""`keras.utils.audio_dataset_from_directory`: a folder of class subfolders of `.wav` files
as a dataset of `(audio, labels)` batches. Audio is float32 `(samples, channels)` in
[-1, 1], read with the standard library's `wave` module (PCM, 8/16/24/32-bit)."""

from __future__ import annotations

import math
import wave

import numpy as np
import torch
import torch.nn.functional as F

from keraslite.utils import dataset_utils
from keraslite.utils.dataset import Dataset

ALLOWED_FORMATS = (".wav",)


def read_wav(path: str, sampling_rate=None, output_sequence_length=None) -> np.ndarray:
    """Samples of a PCM `.wav` file as float32 `(samples, channels)` scaled to [-1, 1] (as
    TensorFlow's `decode_wav`), resampled to `sampling_rate` and cut or zero-padded to
    `output_sequence_length` when given."""
    with wave.open(path, "rb") as wav:
        channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    if width == 1:
        audio = (np.frombuffer(raw, dtype=np.uint8).astype("float32") - 128.0) / 128.0
    elif width == 3:
        bytes_ = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        values = bytes_[:, 0] | (bytes_[:, 1] << 8) | (bytes_[:, 2] << 16)
        audio = (np.where(values >= 1 << 23, values - (1 << 24), values)).astype("float32") / float(1 << 23)
    elif width in (2, 4):
        dtype = "<i2" if width == 2 else "<i4"
        audio = np.frombuffer(raw, dtype=dtype).astype("float32") / float(1 << (8 * width - 1))
    else:
        raise ValueError(f"Unsupported WAV sample width of {width} bytes in {path}.")
    audio = audio.reshape(-1, channels)
    if sampling_rate is not None and sampling_rate != rate and len(audio):
        # Linear resampling (Keras uses tensorflow-io's resampler, which keraslite does not ship).
        length = max(int(round(len(audio) * sampling_rate / rate)), 1)
        audio = F.interpolate(torch.from_numpy(audio.T.copy())[None], size=length, mode="linear", align_corners=False)
        audio = audio[0].T.numpy()
    if output_sequence_length is not None:
        if len(audio) >= output_sequence_length:
            audio = audio[:output_sequence_length]
        else:
            audio = np.pad(audio, ((0, output_sequence_length - len(audio)), (0, 0)))
    return np.ascontiguousarray(audio, dtype="float32")


def _padded_batches(dataset: Dataset, batch_size: int, ragged: bool) -> Dataset:
    """Batches of `batch_size` elements; audio zero-padded to the longest in its batch (a
    list of arrays when `ragged`)."""

    def collate(items):
        if ragged:
            return list(items)
        longest = max(len(a) for a in items)
        return np.stack([np.pad(a, ((0, longest - len(a)), (0, 0))) for a in items])

    def iterate():
        pending = []
        for element in dataset._raw():
            pending.append(element)
            if len(pending) == batch_size:
                yield _stack(pending, collate)
                pending = []
        if pending:
            yield _stack(pending, collate)

    length = len(dataset)
    batched = type(dataset)(iterate, math.ceil(length / batch_size) if length >= 0 else length)
    batched._batch_dim_unknown = True  # the last batch may be smaller (element_spec shows None)
    batched.class_names = getattr(dataset, "class_names", None)
    batched.file_paths = getattr(dataset, "file_paths", None)
    return batched


def _stack(elements, collate):
    if isinstance(elements[0], tuple):
        return collate([e[0] for e in elements]), np.stack([np.asarray(e[1]) for e in elements])
    return collate(elements)


def audio_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    sampling_rate=None,
    output_sequence_length=None,
    ragged=False,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
    verbose=True,
):
    """Generates a dataset from `.wav` files in a directory.

    With `labels="inferred"`, each subfolder of `directory` is a class (alphanumeric order,
    or the order of `class_names`) and its `.wav` files its examples.

    Args:
        directory: The folder the audio files are in.
        labels: `"inferred"`, `None` (audio only) or a list of integer labels in the sorted
            order of the file paths.
        label_mode: `"int"`, `"categorical"`, `"binary"` or `None` (no labels).
        class_names: The classes' order when labels are inferred.
        batch_size: Batch size, or `None` for single examples.
        sampling_rate: Resample every file to this rate (linear interpolation).
        output_sequence_length: Cut or zero-pad every file to this many samples; otherwise
            each batch is padded to its longest file.
        ragged: Batches hold lists of arrays of different lengths instead of padding.
        shuffle: Shuffle the files (else they are in alphanumeric order).
        seed: Seed for the shuffle and the split.
        validation_split: Fraction of the files kept for validation.
        subset: `"training"`, `"validation"` or `"both"` (returns `[train, validation]`).
        follow_links: Follow symbolic links to subfolders.
        verbose: Print how many files and classes were found.

    Returns:
        A dataset of float32 `(batch, samples, channels)` audio, with labels unless
        `label_mode` is `None`, and a `class_names` attribute.
    """
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(
            '`label_mode` argument must be one of "int", "categorical", "binary", or None. '
            f"Received: label_mode={label_mode}"
        )
    if ragged and output_sequence_length is not None:
        raise ValueError("Cannot set both `ragged` and `output_sequence_length`")
    if sampling_rate is not None:
        if not isinstance(sampling_rate, int):
            raise ValueError(f"`sampling_rate` should have an integer value. Received: sampling_rate={sampling_rate}")
        if sampling_rate <= 0:
            raise ValueError(f"`sampling_rate` should be higher than 0. Received: sampling_rate={sampling_rate}")
    options = {
        "batch_size": None,
        "shuffle": shuffle,
        "seed": seed,
        "validation_split": validation_split,
        "subset": subset,
        "follow_links": follow_links,
        "verbose": verbose,
    }
    result = dataset_utils.from_directory(
        directory,
        labels,
        label_mode,
        class_names,
        ALLOWED_FORMATS,
        options,
        lambda path: read_wav(path, sampling_rate, output_sequence_length),
        "audio",
    )
    if batch_size is None:
        return result
    if isinstance(result, list):
        return [_padded_batches(dataset, batch_size, ragged) for dataset in result]
    return _padded_batches(result, batch_size, ragged)
