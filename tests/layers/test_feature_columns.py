"""tf.keras 2's feature columns and DenseFeatures (raw dict features -> one dense tensor)."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite.layers import feature_columns as fc

FEATURES = {
    "age": np.array([20.0, 40.0, 60.0], "float32"),
    "sex": np.array([b"male", b"female", b"other"]),
    "pair": np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], "float32"),
}


def test_columns_are_computed_and_concatenated_in_name_order():
    columns = [
        fc.numeric_column("pair", shape=(2,), normalizer_fn=lambda x: x / 2),
        fc.indicator_column(fc.categorical_column_with_vocabulary_list("sex", ["male", "female"])),
        fc.bucketized_column(fc.numeric_column("age"), boundaries=[30, 50]),
    ]
    dense = keras.layers.DenseFeatures(columns)(FEATURES)
    # age_bucketized (3) | pair (2) | sex_indicator (2): sorted by column name.
    expected = np.array([[1, 0, 0, 0.5, 1.0, 1, 0], [0, 1, 0, 1.5, 2.0, 0, 1], [0, 0, 1, 2.5, 3.0, 0, 0]], "float32")
    np.testing.assert_array_equal(dense.numpy(), expected)


def test_out_of_vocabulary_buckets_and_identity_columns():
    sex = fc.categorical_column_with_vocabulary_list("sex", ["male", "female"], num_oov_buckets=1)
    assert fc.indicator_column(sex).dense(FEATURES, None).numpy()[2].tolist() == [0, 0, 1]
    ids = fc.categorical_column_with_identity("id", num_buckets=3, default_value=0)
    assert ids.ids({"id": np.array([0, 2, 7])}).tolist() == [0, 2, 0]
    with pytest.raises(ValueError, match="Given: .*"):
        fc.bucketized_column(fc.numeric_column("age"), boundaries=[3, 1])


def test_embedding_column_learns_inside_a_sequential_model():
    column = fc.embedding_column(fc.categorical_column_with_vocabulary_list("sex", ["male", "female"]), dimension=3)
    model = keras.Sequential([keras.layers.DenseFeatures([column, fc.numeric_column("age")]), keras.layers.Dense(1)])
    out = model(FEATURES)
    assert tuple(out.shape) == (3, 1)
    assert len(model.layers[0].trainable_weights) == 1 and model.layers[0].trainable_weights[0].shape == (2, 3)
    model.compile("sgd", "mse")
    before = model.layers[0].trainable_weights[0].detach().clone()
    model.fit(FEATURES, np.ones((3, 1), "float32"), epochs=2, verbose=0)
    assert not torch.equal(before, model.layers[0].trainable_weights[0].detach())


def test_dense_features_wants_dense_columns_and_a_dict():
    with pytest.raises(ValueError, match="indicator_column"):
        keras.layers.DenseFeatures([fc.categorical_column_with_hash_bucket("sex", 5)])
    with pytest.raises(ValueError, match="dict"):
        keras.layers.DenseFeatures([fc.numeric_column("age")])(np.ones((2, 1)))
