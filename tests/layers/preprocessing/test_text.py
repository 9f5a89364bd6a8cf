"""Text and lookup layers: TextVectorization, StringLookup, IntegerLookup.

Keras 3 runs these on TensorFlow, which is not installed, so the oracle cannot run them;
the expected values are Keras's documented examples (its docstrings) and hand-derived
results of its rules (frequency order with ties by decreasing token, index layout
[mask, OOV..., vocabulary], idf = log(1 + N / (1 + df)))."""

import math

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite.layers.preprocessing import hash_functions

VOCAB = ["a", "b", "c", "d"]
DATA = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]


def test_string_lookup_documented_examples():
    layer = layers.StringLookup(vocabulary=VOCAB)
    out = layer([["a", "c", "d"], ["d", "z", "b"]])
    assert out.dtype == torch.int64
    np.testing.assert_array_equal(out.numpy(), [[1, 3, 4], [4, 0, 2]])
    adapted = layers.StringLookup()
    adapted.adapt([["a", "c", "d"], ["d", "z", "b"]])
    assert adapted.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    np.testing.assert_array_equal(adapted(np.array([["a", "c", "d"], ["d", "z", "b"]])).numpy(), [[5, 3, 1], [1, 2, 4]])
    two_oov = layers.StringLookup(vocabulary=VOCAB, num_oov_indices=2)
    np.testing.assert_array_equal(two_oov([["a", "c", "d"], ["m", "z", "b"]]).numpy(), [[2, 4, 5], [0, 1, 3]])
    one_hot = layers.StringLookup(vocabulary=VOCAB, output_mode="one_hot")(["a", "b", "c", "d", "z"])
    np.testing.assert_array_equal(one_hot.numpy(), np.eye(5)[[1, 2, 3, 4, 0]])
    np.testing.assert_array_equal(
        layers.StringLookup(vocabulary=VOCAB, output_mode="multi_hot")(DATA).numpy(), [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]
    )
    np.testing.assert_array_equal(
        layers.StringLookup(vocabulary=VOCAB, output_mode="count")(DATA).numpy(), [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]
    )
    tfidf = layers.StringLookup(output_mode="tf_idf")
    tfidf.set_vocabulary(VOCAB, idf_weights=[0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(tfidf(DATA).numpy(), [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    tfidf_special = layers.StringLookup(output_mode="tf_idf")
    tfidf_special.set_vocabulary(["[UNK]"] + VOCAB, idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(tfidf_special(DATA).numpy(), [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6)
    inverse = layers.StringLookup(vocabulary=VOCAB, invert=True)
    tokens = inverse(layer([["a", "c", "d"], ["d", "z", "b"]]))
    assert tokens.tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]


def test_string_lookup_mask_max_tokens_and_errors():
    layer = layers.StringLookup(vocabulary=VOCAB, mask_token="")
    assert layer.get_vocabulary() == ["", "[UNK]", "a", "b", "c", "d"]
    assert layer.vocabulary_size() == 6
    np.testing.assert_array_equal(layer([["a", "", "q"]]).numpy(), [[2, 0, 1]])
    assert layers.StringLookup(vocabulary=VOCAB, mask_token="", invert=True)(torch.tensor([0, 1, 2])).tolist() == [
        "",
        "[UNK]",
        "a",
    ]
    # Mask takes no column in the encodings.
    np.testing.assert_array_equal(
        layers.StringLookup(vocabulary=VOCAB, mask_token="", output_mode="multi_hot")([["", "a", "q"]]).numpy(),
        [[1, 1, 0, 0, 0]],
    )
    limited = layers.StringLookup(max_tokens=3)
    limited.adapt(np.array(["x", "y", "y", "z", "z", "z"]))
    assert limited.get_vocabulary() == ["[UNK]", "z", "y"]
    padded = layers.StringLookup(max_tokens=6, pad_to_max_tokens=True, vocabulary=VOCAB, output_mode="count")
    assert padded(["a", "a"]).shape == (6,)
    assert layers.StringLookup(vocabulary=VOCAB)("c").item() == 3
    np.testing.assert_array_equal(layers.StringLookup(vocabulary=VOCAB)(np.array([b"a", b"q"])).numpy(), [1, 0])
    with pytest.raises(ValueError, match="repeated"):
        layers.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        layers.StringLookup(vocabulary=VOCAB, num_oov_indices=0)(["q"])
    with pytest.raises(ValueError, match="invert"):
        layers.StringLookup(invert=True, output_mode="count")
    with pytest.raises(RuntimeError, match="vocabulary before calling"):
        layers.StringLookup(output_mode="multi_hot")(["a"])
    # Several OOV buckets: FarmHash (or SipHash with a salt) of the token, as Keras via TF.
    hashed = layers.StringLookup(vocabulary=VOCAB, num_oov_indices=3)(["q", "zz"])
    assert hashed.tolist() == [hash_functions.fingerprint64(t.encode()) % 3 for t in ["q", "zz"]]
    salted = layers.StringLookup(vocabulary=VOCAB, num_oov_indices=3, salt=9)(["q"])
    assert salted.tolist() == [hash_functions.siphash24((9, 9), b"q") % 3]


def test_string_lookup_tf_idf_adapt_and_config(tmp_path):
    layer = layers.StringLookup(output_mode="tf_idf")
    layer.adapt([["a", "b", "b"], ["b", "c", "c"], ["c", "d", "e"]])
    vocab = layer.get_vocabulary()
    assert vocab == ["[UNK]", "c", "b", "e", "d", "a"]
    df = {"c": 2, "b": 2, "e": 1, "d": 1, "a": 1}
    idf = [math.log(1 + 3 / (1 + df[t])) for t in vocab[1:]]
    expected_weights = [float(np.mean(np.float32(idf)))] + idf
    np.testing.assert_allclose(layer.idf_weights.numpy(), expected_weights, rtol=1e-6)
    out = layer([["c", "c", "q"]])
    np.testing.assert_allclose(out.numpy(), [[expected_weights[0], 2 * expected_weights[1], 0, 0, 0, 0]], rtol=1e-6)
    path = tmp_path / "vocab.txt"
    path.write_text("x\ny\n")
    from_file = layers.StringLookup(vocabulary=str(path))
    assert from_file(["y", "x", "w"]).tolist() == [2, 1, 0]
    config = layers.StringLookup(vocabulary=VOCAB, mask_token="", name="lookup").get_config()
    keras_keys = {
        "name",
        "trainable",
        "dtype",
        "invert",
        "max_tokens",
        "num_oov_indices",
        "oov_token",
        "mask_token",
        "output_mode",
        "sparse",
        "pad_to_max_tokens",
        "idf_weights",
        "vocabulary",
        "vocabulary_size",
        "oov_method",
        "salt",
        "encoding",
    }
    assert set(config) == keras_keys
    assert config["vocabulary"] == VOCAB and config["vocabulary_size"] == 6
    clone = layers.StringLookup.from_config(config)
    assert clone.get_config() == config and clone.get_vocabulary() == ["", "[UNK]"] + VOCAB


def test_integer_lookup_documented_examples():
    vocab = [12, 36, 1138, 42]
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    layer = layers.IntegerLookup(vocabulary=vocab)
    np.testing.assert_array_equal(layer(data).numpy(), [[1, 3, 4], [4, 0, 2]])
    adapted = layers.IntegerLookup()
    adapted.adapt(data)
    assert adapted.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    np.testing.assert_array_equal(adapted(torch.as_tensor(data)).numpy(), [[5, 2, 1], [1, 3, 4]])
    two_oov = layers.IntegerLookup(vocabulary=vocab, num_oov_indices=2)
    np.testing.assert_array_equal(two_oov(np.array([[12, 1138, 42], [37, 1000, 36]])).numpy(), [[2, 4, 5], [1, 0, 3]])
    oov_values = np.array([100, 300, 700, 1100, 1700, 2000])
    np.testing.assert_array_equal(
        layers.IntegerLookup(vocabulary=[10, 20, 30], num_oov_indices=4, oov_method="floormod")(oov_values).numpy(),
        [0] * 6,
    )
    np.testing.assert_array_equal(
        layers.IntegerLookup(vocabulary=[10, 20, 30], num_oov_indices=4, oov_method="farmhash")(oov_values).numpy(),
        [3, 3, 2, 2, 0, 1],
    )
    one_hot = layers.IntegerLookup(vocabulary=vocab, output_mode="one_hot")(np.array([12, 36, 1138, 42, 7]))
    assert one_hot.dtype == torch.float32
    np.testing.assert_array_equal(one_hot.numpy(), np.eye(5)[[1, 2, 3, 4, 0]])
    counts = layers.IntegerLookup(vocabulary=vocab, output_mode="count")(np.array([[12, 1138, 42, 42], [42, 7, 36, 7]]))
    np.testing.assert_array_equal(counts.numpy(), [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]])
    tfidf = layers.IntegerLookup(output_mode="tf_idf", vocabulary=[-1] + vocab, idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(
        tfidf(np.array([[12, 1138, 42, 42], [42, 7, 36, 7]])).numpy(),
        [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]],
        rtol=1e-6,
    )
    inverse = layers.IntegerLookup(vocabulary=vocab, invert=True)
    np.testing.assert_array_equal(inverse(np.array([[1, 3, 4], [4, 0, 2]])).numpy(), [[12, 1138, 42], [42, -1, 36]])


def test_integer_lookup_in_a_model_and_config():
    inputs = keras.Input((3,), dtype="int64")
    lookup = layers.IntegerLookup(vocabulary=[5, 6, 7], mask_token=0)
    indices = lookup(inputs)
    assert tuple(indices.shape) == (None, 3)
    outputs = layers.Embedding(lookup.vocabulary_size(), 2)(indices)
    model = keras.Model(inputs, outputs)
    assert model(torch.tensor([[5, 0, 9]])).shape == (1, 3, 2)
    np.testing.assert_array_equal(lookup(torch.tensor([[5, 0, 9, 7]])).numpy(), [[2, 0, 1, 4]])
    config = lookup.get_config()
    assert config["mask_token"] == 0 and config["oov_token"] == -1 and config["vocabulary"] == [5, 6, 7]
    assert config["vocabulary_dtype"] == "int64"
    assert layers.IntegerLookup.from_config(config).get_config() == config
    multi = layers.IntegerLookup(vocabulary=[5, 6, 7], output_mode="multi_hot")
    assert tuple(multi(keras.Input((4,), dtype="int64")).shape) == (None, 4)
    with pytest.raises(ValueError, match="max_tokens"):
        layers.IntegerLookup(max_tokens=1)
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        layers.IntegerLookup(vocabulary=[1, 2], num_oov_indices=0)(torch.tensor([3]))


def test_text_vectorization_documented_examples():
    layer = layers.TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    assert layer.get_vocabulary() == ["", "[UNK]", "baz", "bar", "foo", "boom", "bada"]
    out = layer([["foo qux bar"], ["qux baz"]])
    assert out.dtype == torch.int64
    np.testing.assert_array_equal(out.numpy(), [[4, 1, 3, 0], [1, 2, 0, 0]])
    given = layers.TextVectorization(
        max_tokens=5000, output_sequence_length=4, vocabulary=["earth", "wind", "and", "fire"]
    )
    assert given.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    np.testing.assert_array_equal(
        given(np.array(["Wind, and FIRE!", "earth earth earth earth earth"])).numpy(), [[3, 4, 5, 0], [2, 2, 2, 2]]
    )


def test_text_vectorization_modes():
    texts = ["The cat sat.", "the dog, the CAT!", "a bird"]
    ragged = layers.TextVectorization()
    ragged.adapt(np.array(texts))
    assert ragged.get_vocabulary()[:4] == ["", "[UNK]", "the", "cat"]
    assert ragged(texts).shape == (3, 4)  # padded to the longest sequence
    multi = layers.TextVectorization(output_mode="multi_hot", max_tokens=5)
    multi.adapt(texts)
    vocab = multi.get_vocabulary()
    assert len(vocab) == 5 and vocab[0] == "[UNK]"
    out = multi(["the bird", "zebra"])
    assert out.shape == (2, 5) and out.dtype == torch.float32
    np.testing.assert_array_equal(out.numpy()[1], [1, 0, 0, 0, 0])
    count = layers.TextVectorization(output_mode="count", vocabulary=["x", "y"])
    np.testing.assert_array_equal(count(["x x y q", ""]).numpy(), [[1, 2, 1], [0, 0, 0]])
    bigrams = layers.TextVectorization(ngrams=2, vocabulary=["a", "b", "a b", "b c"], output_sequence_length=6)
    np.testing.assert_array_equal(bigrams(["a b c"]).numpy(), [[2, 3, 1, 4, 5, 0]])
    chars = layers.TextVectorization(split="character", standardize=None, vocabulary=["h", "i"])
    np.testing.assert_array_equal(chars(["hiH"]).numpy(), [[2, 3, 1]])
    no_split = layers.TextVectorization(split=None, vocabulary=["hello world"])
    np.testing.assert_array_equal(no_split([["Hello, world"], ["bye"]]).numpy(), [[2], [1]])
    custom = layers.TextVectorization(
        standardize=lambda x: np.char.upper(x), split=lambda s: s.split("-"), vocabulary=["A", "B"]
    )
    np.testing.assert_array_equal(custom(["a-b-c"]).numpy(), [[2, 3, 1]])
    tfidf = layers.TextVectorization(output_mode="tf_idf")
    tfidf.adapt(["a a b", "b c"])
    assert tfidf(["a"]).shape == (1, tfidf.vocabulary_size())
    with pytest.raises(ValueError, match="output_sequence_length"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(TypeError, match="strings"):
        layers.TextVectorization(vocabulary=["a"])(torch.zeros(2))


def test_text_vectorization_feeds_a_model_and_config_round_trip():
    vectorizer = layers.TextVectorization(max_tokens=20, output_sequence_length=5)
    vectorizer.adapt(["the quick brown fox", "jumps over the lazy dog"])
    inputs = keras.Input((5,), dtype="int64")
    x = layers.Embedding(20, 4)(inputs)
    model = keras.Model(inputs, layers.Dense(1)(layers.GlobalAveragePooling1D()(x)))
    assert model(vectorizer(["the lazy fox", "a dog"])).shape == (2, 1)
    config = vectorizer.get_config()
    keras_keys = {
        "name",
        "trainable",
        "dtype",
        "max_tokens",
        "standardize",
        "split",
        "ngrams",
        "output_mode",
        "output_sequence_length",
        "pad_to_max_tokens",
        "sparse",
        "ragged",
        "vocabulary",
        "idf_weights",
        "encoding",
        "vocabulary_size",
    }
    assert set(config) == keras_keys
    assert config["vocabulary_size"] == 10 and config["vocabulary"] is None
    clone = layers.TextVectorization.from_config(dict(config, vocabulary=vectorizer.get_vocabulary()))
    np.testing.assert_array_equal(clone(["the lazy fox"]).numpy(), vectorizer(["the lazy fox"]).numpy())


def test_vocabulary_assets_round_trip(tmp_path):
    vectorizer = layers.TextVectorization(output_mode="tf_idf")
    vectorizer.adapt(["red fish", "blue fish", "one fish two"])
    store = {}
    vectorizer.save_own_variables(store)
    vectorizer.save_assets(str(tmp_path))
    assert (tmp_path / "vocabulary.txt").read_text().splitlines()[:2] == ["[UNK]", "fish"]
    restored = layers.TextVectorization.from_config(vectorizer.get_config())
    restored.load_own_variables(store)
    restored.load_assets(str(tmp_path))
    assert restored.get_vocabulary() == vectorizer.get_vocabulary()
    np.testing.assert_allclose(restored(["one red fish"]).numpy(), vectorizer(["one red fish"]).numpy(), rtol=1e-6)
    ints = layers.IntegerLookup()
    ints.adapt(np.array([3, 3, 9, 4]))
    ints.save_assets(str(tmp_path))
    again = layers.IntegerLookup()
    again.load_assets(str(tmp_path))
    assert again.get_vocabulary() == [-1, 3, 9, 4]


def test_string_layers_on_symbolic_inputs():
    # No string KerasTensors exist; a symbolic input (of any dtype) still gives Keras's
    # output spec, so a graph whose first layer is a text layer can be built.
    vectorizer = layers.TextVectorization(output_sequence_length=7, vocabulary=["a"])
    out = vectorizer(keras.Input((1,), dtype="int64"))
    assert tuple(out.shape) == (None, 7) and out.dtype == "int64"
    counts = layers.TextVectorization(output_mode="count", vocabulary=["a", "b"])(keras.Input((1,), dtype="int64"))
    assert tuple(counts.shape) == (None, 3) and counts.dtype == "float32"
    assert layers.TextVectorization(output_mode="count", vocabulary=["a", "b"])(["a b b", "c"]).shape == (2, 3)
    lookup = layers.StringLookup(vocabulary=["a", "b"], output_mode="multi_hot")(keras.Input((5,), dtype="int64"))
    assert tuple(lookup.shape) == (None, 3)
