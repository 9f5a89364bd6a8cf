"""keras.layers.serialize / deserialize."""

import pytest

import keraslite as keras
from keraslite import layers


def test_serialize_round_trips_a_layer():
    dense = layers.Dense(3, activation="relu", name="d")
    config = layers.serialize(dense)
    assert config["class_name"] == "Dense" and config["module"] == "keras.layers"
    clone = layers.deserialize(config)
    assert isinstance(clone, layers.Dense) and clone.get_config() == dense.get_config()


def test_deserialize_takes_tf_keras_2_configs_and_custom_objects():
    assert layers.deserialize({"class_name": "Dropout", "config": {"rate": 0.25}}).rate == 0.25

    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    config = {"class_name": "Scale", "config": {"factor": 3.0}}
    assert layers.deserialize(config, custom_objects={"Scale": Scale}).factor == 3.0


def test_deserialize_refuses_what_is_not_a_layer():
    with pytest.raises(ValueError, match="not describe a layer"):
        layers.deserialize(keras.saving.serialize_keras_object(keras.optimizers.Adam()))


def test_new_layers_cross_to_keras_in_a_keras_file(keras_oracle, tmp_path):
    import numpy as np
    import torch

    signal = keras.Input(shape=(48, 1))
    spectrum = layers.STFTSpectrogram(frame_length=16, frame_step=8, window=None)(signal)
    pooled = layers.AdaptiveAveragePooling1D(3)(spectrum)
    normalized = layers.BatchNormalization(renorm=True)(layers.Flatten()(pooled))
    audio = keras.Model(signal, layers.SpectralNormalization(layers.Dense(4))(normalized))
    tokens = keras.Input(shape=(5,), dtype="int32")
    embedding = layers.ReversibleEmbedding(12, 4, tie_weights=False)
    text = keras.Model(tokens, embedding(embedding(tokens), reverse=True))
    rng = np.random.default_rng(0)
    with torch.no_grad():
        for weight in audio.weights + text.weights:
            weight.add_(torch.as_tensor(rng.uniform(0.05, 0.1, weight.shape), dtype=weight.dtype))
    x = rng.standard_normal((2, 48, 1)).astype("float32")
    ids = rng.integers(0, 12, (2, 5)).astype("int32")
    audio.save(tmp_path / "audio.keras")
    text.save(tmp_path / "text.keras")
    code = f"""
result['audio'] = keras.models.load_model({str(tmp_path / "audio.keras")!r}).predict(inputs['x'], verbose=0)
result['text'] = keras.models.load_model({str(tmp_path / "text.keras")!r}).predict(inputs['ids'], verbose=0)
"""
    got = keras_oracle.run(code, x=x, ids=ids)
    with torch.no_grad():
        np.testing.assert_allclose(audio(x).numpy(), got["audio"], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(text(ids).numpy(), got["text"], rtol=1e-4, atol=1e-5)
