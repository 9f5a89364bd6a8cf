"""STFTSpectrogram and MelSpectrogram against Keras 3 (the oracle), and the STFT kernels
against their closed form. (The oracle's Keras has no SciPy, so named windows, which
Keras builds with SciPy, are checked against NumPy here instead.)"""

import numpy as np
import pytest

from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

STFT_CASES = [
    ({"mode": "log", "frame_length": 16, "frame_step": 8, "window": None}, (2, 64, 1), (2, 7, 9)),
    (
        {"mode": "magnitude", "frame_length": 12, "fft_length": 16, "window": None, "padding": "same"},
        (2, 50, 2),
        (2, 9, 18),
    ),
    ({"mode": "psd", "frame_length": 16, "window": None, "scaling": "spectrum"}, (1, 48, 1), (1, 5, 9)),
    ({"mode": "stft", "frame_length": 8, "window": None, "data_format": "channels_first"}, (2, 2, 40), (2, 20, 9)),
    ({"mode": "angle", "frame_length": 8, "window": None, "expand_dims": True}, (2, 32, 3), (2, 7, 5, 3)),
    (
        {"mode": "real", "frame_length": 8, "window": None, "expand_dims": True, "data_format": "channels_first"},
        (1, 2, 24),
        (1, 2, 5, 5),
    ),
]


@pytest.mark.parametrize("kwargs, shape, out_shape", STFT_CASES)
def test_stft_spectrogram_matches_keras(keras_oracle, kwargs, shape, out_shape):
    layer = run_layer_test(
        layers.STFTSpectrogram,
        kwargs,
        input_shape=shape,
        expected_output_shape=out_shape,
        oracle=keras_oracle,
        compare_config_keys=True,
        rtol=1e-4,
        atol=1e-4,
        check_gradients=kwargs["mode"] != "angle",
    )
    kernels = 1 if kwargs["mode"] in ("real", "imag") else 2
    assert len(layer.trainable_weights) == kernels


def test_stft_kernels_are_the_windowed_dft():
    frame, fft = 8, 16
    layer = layers.STFTSpectrogram(mode="stft", frame_length=frame, fft_length=fft, window="hann", scaling=None)
    layer.build((None, 40, 1))
    time = np.arange(frame)[:, None]
    frequency = np.arange(fft // 2 + 1)[None, :] / fft
    window = np.hanning(frame)[:, None]  # the symmetric Hann window (periodic=False)
    np.testing.assert_allclose(
        layer.real_kernel.detach().numpy()[:, 0], np.cos(-2 * np.pi * time * frequency) * window, atol=1e-6
    )
    np.testing.assert_allclose(
        layer.imag_kernel.detach().numpy()[:, 0], np.sin(-2 * np.pi * time * frequency) * window, atol=1e-6
    )
    periodic = layers.STFTSpectrogram(mode="real", frame_length=frame, window="hamming", periodic=True)
    periodic.build((None, 40, 1))
    hamming = 0.54 - 0.46 * np.cos(2 * np.pi * np.arange(frame) / frame)
    density = np.sqrt((hamming**2).sum())
    np.testing.assert_allclose(periodic.real_kernel.detach().numpy()[:, 0, 0], hamming / density, atol=1e-6)


def test_stft_spectrogram_rejects_bad_arguments():
    with pytest.raises(ValueError, match="frame_step"):
        layers.STFTSpectrogram(frame_length=8, frame_step=9)
    with pytest.raises(ValueError, match="mode"):
        layers.STFTSpectrogram(mode="power")
    with pytest.raises(ValueError, match="window"):
        layers.STFTSpectrogram(window="kaiser_bessel")
    with pytest.raises(TypeError, match="float"):
        layers.STFTSpectrogram(frame_length=4, window=None)(np.ones((1, 8, 1), dtype="int32"))


MEL_CASES = [
    ({"fft_length": 64, "sequence_stride": 32, "num_mel_bins": 16, "sampling_rate": 8000}, (2, 300), (2, 16, 10)),
    (
        {
            "fft_length": 64,
            "sequence_stride": 16,
            "sequence_length": 48,
            "num_mel_bins": 8,
            "sampling_rate": 4000,
            "power_to_db": False,
            "mag_exp": 1.0,
            "min_freq": 100.0,
            "max_freq": 1500.0,
            "window": "hamming",
        },
        (3, 128),
        (3, 8, 9),
    ),
    (
        {"fft_length": 32, "sequence_stride": 8, "num_mel_bins": 10, "top_db": 20.0, "ref_power": 2.0},
        (1, 100),
        (1, 10, 13),
    ),
]


@pytest.mark.parametrize("kwargs, shape, out_shape", MEL_CASES)
def test_mel_spectrogram_matches_keras(keras_oracle, kwargs, shape, out_shape):
    run_layer_test(
        layers.MelSpectrogram,
        kwargs,
        input_shape=shape,
        expected_output_shape=out_shape,
        expected_num_trainable_weights=0,
        oracle=keras_oracle,
        compare_config_keys=True,
        rtol=1e-4,
        atol=1e-3,
        check_gradients=False,
    )


def test_mel_spectrogram_of_a_tone_peaks_at_its_frequency():
    rate, tone = 8000, 1000.0
    signal = np.sin(2 * np.pi * tone * np.arange(2048) / rate).astype("float32")[None]
    layer = layers.MelSpectrogram(fft_length=256, sequence_stride=128, num_mel_bins=40, sampling_rate=rate)
    spectrum = layer(signal).numpy()[0].mean(-1)
    mel = 1127.0 * np.log(1 + np.array([20.0, rate / 2]) / 700.0)
    centers = np.linspace(mel[0], mel[1], 42)[1:-1]
    peak_hz = 700.0 * (np.exp(centers[spectrum.argmax()] / 1127.0) - 1)
    assert abs(peak_hz - tone) < 100
