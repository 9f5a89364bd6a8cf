"""tf.keras 2's `keras.preprocessing.text` and `.sequence` leftovers, against Keras 3's own
copies of them (`keras.src.legacy.preprocessing`, the same code tf.keras 2 shipped)."""

import json
import random

import numpy as np
import pytest

from keraslite.preprocessing import sequence, text

TEXTS = [
    "The cat sat on the mat.",
    "The dog ate my homework!",
    "A cat and a dog, friends?",
    "the THE the end",
]


def test_text_to_word_sequence_filters_lowercases_and_splits():
    assert text.text_to_word_sequence("Hello, World!  foo\tbar") == ["hello", "world", "foo", "bar"]
    assert text.text_to_word_sequence("A-b c", filters="", lower=False, split="-") == ["A", "b c"]


def test_tokenizer_matches_keras_legacy(keras_oracle):
    expected = keras_oracle.run(
        "from keras.src.legacy.preprocessing.text import Tokenizer\n"
        f"texts = {TEXTS!r}\n"
        "t = Tokenizer(num_words=6, oov_token='<unk>')\n"
        "t.fit_on_texts(texts)\n"
        "result['word_index'] = t.word_index\n"
        "result['seqs'] = t.texts_to_sequences(texts + ['unseen cat words'])\n"
        "result['back'] = t.sequences_to_texts(result['seqs'])\n"
        "result['docs'] = {str(k): v for k, v in t.index_docs.items()}\n"
        "result['counts'] = list(t.word_counts.items())\n"
        "modes = ['binary', 'count', 'freq', 'tfidf']\n"
        "result['matrices'] = {m: t.texts_to_matrix(texts, mode=m).tolist() for m in modes}\n"
        "plain = Tokenizer(char_level=True)\n"
        "plain.fit_on_texts(['abca', 'bd'])\n"
        "result['chars'] = plain.word_index\n"
    )
    tokenizer = text.Tokenizer(num_words=6, oov_token="<unk>")
    tokenizer.fit_on_texts(TEXTS)
    assert tokenizer.word_index == expected["word_index"]
    assert tokenizer.word_index["<unk>"] == 1 and tokenizer.word_index["the"] == 2
    sequences = tokenizer.texts_to_sequences(TEXTS + ["unseen cat words"])
    assert sequences == expected["seqs"]
    assert tokenizer.sequences_to_texts(sequences) == expected["back"]
    assert {str(k): v for k, v in tokenizer.index_docs.items()} == expected["docs"]
    assert [list(item) for item in tokenizer.word_counts.items()] == [list(i) for i in expected["counts"]]
    for mode, matrix in expected["matrices"].items():
        np.testing.assert_allclose(tokenizer.texts_to_matrix(TEXTS, mode=mode), matrix, rtol=1e-12)
    chars = text.Tokenizer(char_level=True)
    chars.fit_on_texts(["abca", "bd"])
    assert chars.word_index == expected["chars"]


def test_tokenizer_json_round_trip_and_errors():
    tokenizer = text.Tokenizer(num_words=10)
    tokenizer.fit_on_texts(TEXTS)
    config = json.loads(tokenizer.to_json())
    assert config["class_name"] == "Tokenizer" and json.loads(config["config"]["word_index"]) == tokenizer.word_index
    restored = text.tokenizer_from_json(tokenizer.to_json())
    assert restored.word_index == tokenizer.word_index and restored.index_word == tokenizer.index_word
    assert restored.texts_to_sequences(TEXTS) == tokenizer.texts_to_sequences(TEXTS)
    assert restored.document_count == 4
    with pytest.raises(ValueError, match="vectorization mode"):
        tokenizer.texts_to_matrix(TEXTS, mode="bogus")
    with pytest.raises(ValueError, match="fit on some text"):
        text.Tokenizer().sequences_to_matrix([[1]])


def test_hashing_trick_and_one_hot_stay_in_range():
    indices = text.hashing_trick("the cat the dog", 10, hash_function="md5")
    assert len(indices) == 4 and indices[0] == indices[2] and all(1 <= i <= 9 for i in indices)
    assert text.hashing_trick("cat", 10, hash_function="md5") == text.hashing_trick("CAT!", 10, hash_function="md5")
    assert all(1 <= i <= 4 for i in text.one_hot("a b c d e f", 5))


def test_timeseries_generator_windows_and_targets(keras_oracle):
    data = np.arange(50).reshape(25, 2)
    targets = np.arange(25) * 10
    generator = sequence.TimeseriesGenerator(data, targets, length=4, sampling_rate=2, stride=3, batch_size=3)
    expected = keras_oracle.run(
        "import numpy as np\n"
        "from keras.src.legacy.preprocessing.sequence import TimeseriesGenerator\n"
        "g = TimeseriesGenerator(np.arange(50).reshape(25, 2), np.arange(25) * 10, length=4, sampling_rate=2, "
        "stride=3, batch_size=3)\n"
        "result['len'] = len(g)\n"
        "result['batches'] = [[a.tolist() for a in g[i]] for i in range(len(g))]\n"
    )
    assert len(generator) == expected["len"]
    for index, (samples, batch_targets) in enumerate(expected["batches"]):
        x, y = generator[index]
        assert x.tolist() == samples and y.tolist() == batch_targets
    first_x, first_y = generator[0]
    np.testing.assert_array_equal(first_x[0], data[0:4:2])
    assert first_y[0] == 40
    reverse = sequence.TimeseriesGenerator(data, targets, length=4, reverse=True, batch_size=2)
    np.testing.assert_array_equal(reverse[0][0][0], data[3::-1])
    with pytest.raises(ValueError, match="same length"):
        sequence.TimeseriesGenerator(data, targets[:3], length=2)


def test_sampling_table_and_skipgrams_match_keras_legacy(keras_oracle):
    expected = keras_oracle.run(
        "import random\n"
        "from keras.src.legacy.preprocessing.sequence import make_sampling_table, skipgrams\n"
        "result['table'] = make_sampling_table(20, sampling_factor=0.1).tolist()\n"
        "random.seed(3)\n"
        "result['pairs'] = skipgrams([1, 2, 0, 3, 4, 5], 6, window_size=2, seed=7)\n"
        "random.seed(3)\n"
        "result['cat'] = skipgrams([1, 2, 3], 4, window_size=1, categorical=True, shuffle=False)\n"
    )
    np.testing.assert_allclose(sequence.make_sampling_table(20, sampling_factor=0.1), expected["table"], rtol=1e-12)
    random.seed(3)
    couples, labels = sequence.skipgrams([1, 2, 0, 3, 4, 5], 6, window_size=2, seed=7)
    assert [couples, labels] == [[list(c) for c in expected["pairs"][0]], list(expected["pairs"][1])]
    assert labels.count(1) == labels.count(0) and all(0 not in pair for pair in couples)
    random.seed(3)
    couples, labels = sequence.skipgrams([1, 2, 3], 4, window_size=1, categorical=True, shuffle=False)
    assert [couples, labels] == [[list(c) for c in expected["cat"][0]], [list(lb) for lb in expected["cat"][1]]]
