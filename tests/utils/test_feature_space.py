"""keras.utils.FeatureSpace: adapt, encode (concat and dict), symbolic inputs, crosses, config.

Real Keras needs TensorFlow to adapt or call a FeatureSpace, so the oracle checks the config
of one built from TensorFlow-free preprocessors; the encodings are checked by their
definition (normalized columns, one-hot blocks, vocabulary order)."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite.utils import FeatureSpace


def _columns(n=24):
    rng = np.random.default_rng(0)
    return {
        "sex": rng.integers(0, 2, n),
        "thal": rng.choice(["normal", "fixed", "reversible"], n),
        "age": rng.uniform(30, 70, n).astype("float32"),
        "chol": rng.uniform(100, 300, n).astype("float32"),
    }


def _feature_space(output_mode="concat"):
    return FeatureSpace(
        features={
            "sex": FeatureSpace.integer_categorical(num_oov_indices=0),
            "thal": FeatureSpace.string_categorical(num_oov_indices=0),
            "age": FeatureSpace.float_discretized(num_bins=4),
            "chol": FeatureSpace.float_normalized(),
        },
        crosses=[FeatureSpace.cross(feature_names=("sex", "thal"), crossing_dim=8)],
        output_mode=output_mode,
    )


def test_config_matches_keras(keras_oracle):
    code = (
        "FS = keras.utils.FeatureSpace\n"
        "fs = FS(features={'a': FS.float_normalized(), 'c': 'float_rescaled', 'd': FS.float_discretized(num_bins=3)},"
        " output_mode='dict', crossing_dim=16)\n"
        "result['config'] = fs.get_config()\n"
    )
    expected = keras_oracle.run(code)["config"]
    keras.backend.clear_session()
    fs = FeatureSpace(
        features={
            "a": FeatureSpace.float_normalized(),
            "c": "float_rescaled",
            "d": FeatureSpace.float_discretized(num_bins=3),
        },
        output_mode="dict",
        crossing_dim=16,
    )
    config = fs.get_config()
    for key in ("output_mode", "crosses", "crossing_dim", "hashing_dim", "num_discretization_bins"):
        assert config[key] == expected[key], key
    for name, feature in expected["features"].items():
        ours = config["features"][name]
        for key in ("module", "class_name", "registered_name"):
            assert ours[key] == feature[key]
        assert ours["config"]["dtype"] == feature["config"]["dtype"]
        assert ours["config"]["output_mode"] == feature["config"]["output_mode"]
        assert ours["config"]["preprocessor"]["class_name"] == feature["config"]["preprocessor"]["class_name"]
        assert ours["config"]["preprocessor"]["config"]["name"] == feature["config"]["preprocessor"]["config"]["name"]
    restored = FeatureSpace.from_config(config)
    assert isinstance(restored.features["a"].preprocessor, keras.layers.Normalization)
    assert keras.utils.deserialize_keras_object(keras.utils.serialize_keras_object(fs)).output_mode == "dict"


def test_adapt_and_concat_encoding():
    columns = _columns()
    fs = _feature_space()
    fs.adapt(keras.utils.dataset.Dataset.from_tensor_slices(columns).batch(5))
    encoded = fs(columns)
    # Sorted names: age (4 bins), chol (1), sex (2), thal (3), then the cross (8).
    assert tuple(encoded.shape) == (24, 4 + 1 + 2 + 3 + 8) and encoded.dtype == torch.float32
    for start, stop in ((0, 4), (5, 7), (7, 10), (10, 18)):
        np.testing.assert_array_equal(encoded[:, start:stop].sum(1).numpy(), np.ones(24))
    chol = encoded[:, 4].numpy()
    np.testing.assert_allclose([chol.mean(), chol.std()], [0.0, 1.0], atol=1e-3)
    thal = fs.preprocessors["thal"]
    index = [thal.get_vocabulary().index(v) for v in columns["thal"]]
    np.testing.assert_array_equal(encoded[:, 7:10].argmax(1).numpy(), index)
    # One sample of scalars comes back without its batch axis.
    single = fs({name: values[3] for name, values in columns.items()})
    np.testing.assert_allclose(single.numpy(), encoded[3].numpy(), atol=1e-6)


def test_dict_mode_and_symbolic_inputs_give_the_same_features():
    columns = _columns()
    fs = _feature_space("dict")
    fs.adapt(columns)
    out = fs(columns)
    assert sorted(out) == ["age", "chol", "sex", "sex_X_thal", "thal"]
    assert tuple(out["sex_X_thal"].shape) == (24, 8)
    inputs = fs.get_inputs()
    assert inputs["thal"].dtype == "string" and tuple(inputs["sex"].shape) == (None, 1)
    encoded = fs.get_encoded_features()
    model = keras.Model(inputs, encoded)
    through_model = model({name: values[:, None] for name, values in columns.items()})
    for name in out:
        np.testing.assert_allclose(through_model[name].detach().numpy(), out[name].numpy(), atol=1e-6)
    # The cross hashes the (sex, thal) pair: equal pairs share a bin, bins stay in range.
    bins = out["sex_X_thal"].argmax(1).numpy()
    pairs = list(zip(columns["sex"].tolist(), columns["thal"].tolist()))
    assert all(bins[i] == bins[j] for i in range(24) for j in range(24) if pairs[i] == pairs[j])


def test_errors_name_the_problem():
    fs = _feature_space()
    with pytest.raises(ValueError, match=r"call `.adapt\(dataset\)`"):
        fs({"sex": [1]})
    fs.adapt(_columns())
    with pytest.raises(ValueError, match="can only be called with a dict"):
        fs([1, 2])
    with pytest.raises(ValueError, match="Invalid feature type: 'floaty'"):
        FeatureSpace(features={"a": "floaty"})
    with pytest.raises(ValueError, match="Received unknown features"):
        FeatureSpace(features={"a": "float"}, crosses=[("a", "b")])
    with pytest.raises(ValueError, match="has not been encoded"):
        FeatureSpace(features={"n": FeatureSpace.integer_hashed(4, output_mode="int")}).get_encoded_features()
    with pytest.raises(ValueError, match="`output_mode`"):
        FeatureSpace(features={"a": "float"}, output_mode="list")


def test_crosses_hash_like_tensorflow():
    # Keras's HashedCrossing needs TensorFlow (not a test dependency): these bins are what
    # Keras 3.15.1 with TensorFlow 2.21 gives for the same inputs (tf.sparse.cross_hashed:
    # FingerprintCat64 chained from its default key, strings by FarmHash Fingerprint64).
    from keraslite.utils.feature_space import _HashedCross

    ints = torch.tensor([[1], [2], [3], [-5], [1]])
    strings = np.array([["x"], ["y"], ["x"], ["z"], ["x"]])
    assert _HashedCross(16)([ints, strings]).ravel().tolist() == [3, 12, 3, 12, 3]
    others = torch.tensor([[4], [0], [9], [2], [4]])
    assert _HashedCross(64)([ints, others]).ravel().tolist() == [21, 9, 44, 21, 21]
