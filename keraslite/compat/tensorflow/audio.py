"""`tf.audio`: WAV decoding and encoding (16-bit PCM), with the standard `wave` module."""

from __future__ import annotations

import io
import wave

import numpy as np
import torch

from keraslite.compat.tensorflow.eager import wrap
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.compat.tensorflow.strings import _to_bytes, bytes_scalar

__getattr__ = module_getattr("tf.audio")


def decode_wav(contents, desired_channels=-1, desired_samples=-1, name=None):
    """`(audio, sample_rate)`: float32 samples in [-1, 1) shaped (frames, channels)."""
    with wave.open(io.BytesIO(_to_bytes(contents))) as reader:
        channels, width, rate = reader.getnchannels(), reader.getsampwidth(), reader.getframerate()
        frames = reader.readframes(reader.getnframes())
    if width != 2:
        raise ValueError(f"decode_wav reads 16-bit PCM WAV files; this one has {8 * width}-bit samples.")
    audio = np.frombuffer(frames, dtype="<i2").reshape(-1, channels).astype("float32") / 32768.0
    if desired_channels is not None and int(desired_channels) > 0 and int(desired_channels) != channels:
        audio = (
            np.repeat(audio[:, :1], int(desired_channels), axis=1)
            if channels == 1
            else audio[:, : int(desired_channels)]
        )
    if desired_samples is not None and int(desired_samples) > 0:
        wanted = int(desired_samples)
        audio = audio[:wanted] if len(audio) >= wanted else np.pad(audio, ((0, wanted - len(audio)), (0, 0)))
    return wrap(torch.from_numpy(np.ascontiguousarray(audio))), wrap(torch.tensor(rate, dtype=torch.int32))


def encode_wav(audio, sample_rate, name=None):
    samples = np.asarray(audio.detach().cpu() if isinstance(audio, torch.Tensor) else audio, dtype="float32")
    pcm = (np.clip(samples, -1.0, 1.0 - 1.0 / 32768) * 32768).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(pcm.shape[1] if pcm.ndim == 2 else 1)
        writer.setsampwidth(2)
        writer.setframerate(int(sample_rate))
        writer.writeframes(pcm.tobytes())
    return bytes_scalar(buffer.getvalue())
