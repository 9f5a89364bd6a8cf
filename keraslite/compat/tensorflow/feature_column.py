"""`tf.feature_column`: the column constructors (`keraslite/layers/feature_columns.py`;
`tf.keras.layers.DenseFeatures` turns them into a dense tensor)."""

from __future__ import annotations

from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.layers.feature_columns import bucketized_column as bucketized_column
from keraslite.layers.feature_columns import categorical_column_with_hash_bucket as categorical_column_with_hash_bucket
from keraslite.layers.feature_columns import categorical_column_with_identity as categorical_column_with_identity
from keraslite.layers.feature_columns import (
    categorical_column_with_vocabulary_list as categorical_column_with_vocabulary_list,
)
from keraslite.layers.feature_columns import embedding_column as embedding_column
from keraslite.layers.feature_columns import indicator_column as indicator_column
from keraslite.layers.feature_columns import numeric_column as numeric_column

__getattr__ = module_getattr("tf.feature_column")
