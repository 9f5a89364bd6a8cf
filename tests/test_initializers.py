import numpy as np
import pytest
import torch

from keraslite import initializers


@pytest.mark.parametrize("shape,fans", [((), (1, 1)), ((5,), (5, 5)), ((3, 4), (3, 4)), ((3, 3, 2, 8), (18, 72))])
def test_compute_fans(shape, fans):
    assert initializers.compute_fans(shape) == fans


@pytest.mark.parametrize(
    "name,expected_std",
    [
        ("glorot_uniform", np.sqrt(2.0 / (200 + 300))),
        ("glorot_normal", np.sqrt(2.0 / (200 + 300))),
        ("he_normal", np.sqrt(2.0 / 200)),
        ("he_uniform", np.sqrt(2.0 / 200)),
        ("lecun_normal", np.sqrt(1.0 / 200)),
        ("lecun_uniform", np.sqrt(1.0 / 200)),
        ("random_normal", 0.05),
        ("random_uniform", 0.05 / np.sqrt(3)),
        ("truncated_normal", 0.05 * 0.8796),
    ],
)
def test_variance_of_random_initializers(name, expected_std):
    values = initializers.get(name)((200, 300), dtype="float32")
    assert values.dtype == torch.float32
    assert abs(float(values.std()) - expected_std) / expected_std < 0.05
    assert abs(float(values.mean())) < 0.01


def test_truncation_at_two_stddev():
    values = initializers.TruncatedNormal(stddev=1.0)((10000,), dtype="float32")
    assert float(values.abs().max()) <= 2.0


def test_seeded_initializer_repeats_values():
    init = initializers.GlorotUniform(seed=3)
    assert torch.equal(init((4, 4), "float32"), init((4, 4), "float32"))
    assert not torch.equal(
        initializers.GlorotUniform()((4, 4), "float32"), initializers.GlorotUniform()((4, 4), "float32")
    )


def test_orthogonal_is_orthogonal():
    q = initializers.Orthogonal()((16, 64), dtype="float64")
    np.testing.assert_allclose((q @ q.T).numpy(), np.eye(16), atol=1e-6)


def test_constant_ones_zeros_identity():
    assert torch.equal(initializers.Constant(2.5)((2,), "float32"), torch.tensor([2.5, 2.5]))
    assert initializers.get("ones")((3,), "float32").sum() == 3
    assert initializers.get("zeros")((3,), "int32").dtype == torch.int32
    assert torch.equal(initializers.Identity()((2, 2), "float32"), torch.eye(2))


def test_get_accepts_names_configs_and_errors():
    assert isinstance(initializers.get({"class_name": "HeNormal", "config": {"seed": 1}}), initializers.HeNormal)
    assert initializers.get("HeNormal").get_config() == {"seed": None, "input_axes": None, "output_axes": None}
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 'nope'"):
        initializers.get("nope")
    with pytest.raises(ValueError, match="Received: mode='fan_x'"):
        initializers.VarianceScaling(mode="fan_x")


def test_snake_case_names_are_the_classes_as_in_keras(keras_oracle):
    names = keras_oracle.run(
        "import inspect\nmodule = keras.initializers\n"
        "result['pairs'] = [[n, getattr(module, n).__name__] for n in dir(module)"
        " if not n.startswith('_') and inspect.isclass(getattr(module, n))]"
    )["pairs"]
    for name, class_name in names:
        assert getattr(initializers, name) is getattr(initializers, class_name), name
    assert initializers.OrthogonalInitializer is initializers.Orthogonal
    assert isinstance(initializers.get("stft"), initializers.STFT)
    assert isinstance(initializers.get("OrthogonalInitializer"), initializers.Orthogonal)


def test_stft_kernels_match_keras(keras_oracle):
    # Keras builds named windows with scipy (not a keraslite dependency): compare an explicit
    # window and no window there, and the named ones against torch's window functions.
    window = np.linspace(0.1, 1.0, 8).astype("float32")
    code = "w = inputs['w']\n"
    for side in ("real", "imag"):
        for scaling in ("density", "spectrum", None):
            code += (
                f"result['{side}_{scaling}'] = keras.ops.convert_to_numpy(keras.initializers.STFT("
                f"{side!r}, w, {scaling!r})((8, 1, 5)))\n"
            )
        code += (
            f"result['{side}_none'] = keras.ops.convert_to_numpy(keras.initializers.STFT({side!r}, None)((8, 1, 5)))\n"
        )
    expected = keras_oracle.run(code, w=window)
    for side in ("real", "imag"):
        for scaling in ("density", "spectrum", None):
            got = initializers.STFT(side, window, scaling)((8, 1, 5)).numpy()
            # Keras computes the angles in float32, we in float64: sin(7 * pi) is 1e-6 there.
            np.testing.assert_allclose(got, expected[f"{side}_{scaling}"], rtol=1e-5, atol=1e-5)
        got = initializers.STFT(side, None)((8, 1, 5)).numpy()
        np.testing.assert_allclose(got, expected[f"{side}_none"], rtol=1e-5, atol=1e-5)
    hann = initializers.STFT("real", "hann", None, periodic=True)((8, 1, 5))
    periodic_hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(8) / 8)  # scipy's hann(8, sym=False)
    np.testing.assert_allclose(hann[:, 0, 0].numpy(), periodic_hann, atol=1e-6)
    symmetric_hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(8) / 7)
    hann = initializers.STFT("real", "hann", None)((8, 1, 5))
    np.testing.assert_allclose(hann[:, 0, 0].numpy(), symmetric_hann, atol=1e-6)
    config = initializers.STFT("imag", "hamming", "spectrum", True).get_config()
    assert config == {"side": "imag", "window": "hamming", "periodic": True, "scaling": "spectrum"}


def test_stft_rejects_bad_arguments():
    with pytest.raises(ValueError, match="`side` must be 'real' or 'imag'"):
        initializers.STFT(side="both")
    with pytest.raises(ValueError, match="unknown window 'kaiserx'"):
        initializers.STFT(window="kaiserx")
    with pytest.raises(ValueError, match=r"must have shape \(8,\)"):
        initializers.STFT(window=np.ones(4))((8, 1, 5))
