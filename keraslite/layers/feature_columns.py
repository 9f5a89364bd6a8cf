"""tf.keras 2's feature columns and the `DenseFeatures` layer that turns a dict of raw
features (numbers and strings) into one dense float tensor.

`tf.feature_column.*` (the TensorFlow shim re-exports these constructors) describe how
each feature becomes numbers: `numeric_column`, `bucketized_column`,
`categorical_column_with_vocabulary_list` / `_with_identity` / `_with_hash_bucket`,
`indicator_column`, `embedding_column`. `DenseFeatures(columns)` computes the dense ones
and concatenates them, in the columns' name order, as TensorFlow does. String features are
NumPy arrays (torch has no strings); lookups happen on the host, numbers stay on device.
"""

from __future__ import annotations

import collections
import math
import zlib

import numpy as np
import torch

from keraslite.backend import state
from keraslite.graph import call_context
from keraslite.layers.base_layer import Layer


def _values(features: dict, key: str):
    if key not in features:
        raise ValueError(f"Feature {key!r} is not in the features dict (which has {sorted(features)}).")
    return features[key]


def _as_text(values) -> np.ndarray:
    array = np.asarray(values.detach().cpu() if isinstance(values, torch.Tensor) else values)
    if array.dtype.kind == "S":
        array = np.char.decode(array, "utf-8")
    return array.astype(str)


class NumericColumn(
    collections.namedtuple("NumericColumn", ["key", "shape", "default_value", "dtype", "normalizer_fn"])
):
    """A number (or a fixed-shape array of numbers) as is, optionally normalized."""

    @property
    def name(self) -> str:
        return self.key

    @property
    def width(self) -> int:
        return int(np.prod(self.shape))

    def dense(self, features, layer):
        values = _values(features, self.key)
        tensor = torch.as_tensor(
            np.asarray(values) if not isinstance(values, torch.Tensor) else values, dtype=torch.float32
        )
        if self.normalizer_fn is not None:
            tensor = torch.as_tensor(self.normalizer_fn(tensor), dtype=torch.float32)
        return tensor.reshape(tensor.shape[0], self.width)


class BucketizedColumn(collections.namedtuple("BucketizedColumn", ["source_column", "boundaries"])):
    """A numeric column cut at `boundaries`: a one-hot of the bucket."""

    @property
    def name(self) -> str:
        return f"{self.source_column.name}_bucketized"

    @property
    def num_buckets(self) -> int:
        return (len(self.boundaries) + 1) * self.source_column.width

    def ids(self, features):
        values = self.source_column.dense(features, None)
        return torch.bucketize(values, torch.tensor(self.boundaries, dtype=values.dtype), right=True)

    def dense(self, features, layer):
        ids = self.ids(features)
        one_hot = torch.nn.functional.one_hot(ids, len(self.boundaries) + 1).to(torch.float32)
        return one_hot.reshape(one_hot.shape[0], -1)


class VocabularyListCategoricalColumn(
    collections.namedtuple(
        "VocabularyListCategoricalColumn", ["key", "vocabulary_list", "dtype", "default_value", "num_oov_buckets"]
    )
):
    """Strings (or ints) mapped to their index in `vocabulary_list`; others to
    `default_value` (-1: no category) or to one of `num_oov_buckets` hashed ids."""

    @property
    def name(self) -> str:
        return self.key

    @property
    def num_buckets(self) -> int:
        return len(self.vocabulary_list) + self.num_oov_buckets

    def ids(self, features):
        raw = _values(features, self.key)
        text = _as_text(raw)
        index = {str(v.decode() if isinstance(v, bytes) else v): i for i, v in enumerate(self.vocabulary_list)}
        vocab_size = len(self.vocabulary_list)

        def look(value):
            found = index.get(value)
            if found is not None:
                return found
            if self.num_oov_buckets:
                return vocab_size + zlib.crc32(value.encode()) % self.num_oov_buckets
            return self.default_value

        return torch.as_tensor(np.vectorize(look, otypes=[np.int64])(text) if text.size else text.astype(np.int64))


class IdentityCategoricalColumn(
    collections.namedtuple("IdentityCategoricalColumn", ["key", "number_buckets", "default_value"])
):
    """Integer features that are their own ids, in [0, num_buckets)."""

    @property
    def name(self) -> str:
        return self.key

    @property
    def num_buckets(self) -> int:
        return self.number_buckets

    def ids(self, features):
        ids = torch.as_tensor(np.asarray(_values(features, self.key)), dtype=torch.int64)
        outside = (ids < 0) | (ids >= self.number_buckets)
        if bool(outside.any()):
            if self.default_value is None:
                raise ValueError(
                    f"Feature {self.key!r} has ids outside [0, {self.number_buckets}) and no default_value."
                )
            ids = torch.where(outside, torch.full_like(ids, self.default_value), ids)
        return ids


class HashedCategoricalColumn(collections.namedtuple("HashedCategoricalColumn", ["key", "hash_bucket_size", "dtype"])):
    """Features hashed into `hash_bucket_size` ids (a stable hash; TensorFlow's farmhash
    ids differ)."""

    @property
    def name(self) -> str:
        return self.key

    @property
    def num_buckets(self) -> int:
        return self.hash_bucket_size

    def ids(self, features):
        text = _as_text(_values(features, self.key))
        bucket = np.vectorize(lambda v: zlib.crc32(v.encode()) % self.hash_bucket_size, otypes=[np.int64])
        return torch.as_tensor(bucket(text) if text.size else text.astype(np.int64))


class IndicatorColumn(collections.namedtuple("IndicatorColumn", ["categorical_column"])):
    """A categorical column as a multi-hot vector (ids < 0 are no category)."""

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_indicator"

    def dense(self, features, layer):
        ids = self.categorical_column.ids(features)
        ids = ids.reshape(ids.shape[0], -1)
        size = self.categorical_column.num_buckets
        valid = ids >= 0
        one_hot = torch.nn.functional.one_hot(torch.where(valid, ids, torch.zeros_like(ids)), size).to(torch.float32)
        return (one_hot * valid.unsqueeze(-1)).sum(dim=1)


class EmbeddingColumn(
    collections.namedtuple(
        "EmbeddingColumn", ["categorical_column", "dimension", "combiner", "initializer", "trainable"]
    )
):
    """A categorical column through a learned embedding (ids of one example combined by
    `combiner`: mean, sum or sqrtn)."""

    @property
    def name(self) -> str:
        return f"{self.categorical_column.name}_embedding"

    def make_weight(self, layer):
        size = self.categorical_column.num_buckets
        std = 1.0 / math.sqrt(self.dimension)
        init = self.initializer
        if init is None:

            def init(shape, dtype=None):
                tensor = torch.empty(shape).normal_(0.0, std)
                return tensor.clamp_(-2 * std, 2 * std)

        return layer.add_weight(
            name=f"{self.categorical_column.name}_embedding_weights",
            shape=(size, self.dimension),
            initializer=init,
            trainable=self.trainable,
        )

    def dense(self, features, layer):
        weight = layer._embedding_weights[self.name]
        ids = self.categorical_column.ids(features)
        ids = ids.reshape(ids.shape[0], -1).to(weight.device)
        valid = (ids >= 0).to(weight.dtype).unsqueeze(-1)
        vectors = weight[ids.clamp_min(0)] * valid
        total = vectors.sum(dim=1)
        count = valid.sum(dim=1)
        if self.combiner == "sum":
            return total
        if self.combiner == "sqrtn":
            return total / count.clamp_min(1).sqrt()
        return total / count.clamp_min(1)


def numeric_column(key, shape=(1,), default_value=None, dtype="float32", normalizer_fn=None):
    shape = (int(shape),) if isinstance(shape, int) else tuple(int(d) for d in shape)
    return NumericColumn(key, shape, default_value, dtype, normalizer_fn)


def bucketized_column(source_column, boundaries):
    if not isinstance(source_column, NumericColumn):
        raise ValueError(f"source_column must be a column generated with numeric_column(). Given: {source_column}")
    boundaries = [float(b) for b in boundaries]
    if boundaries != sorted(boundaries):
        raise ValueError(f"boundaries must be a sorted list. Given: {boundaries}")
    return BucketizedColumn(source_column, tuple(boundaries))


def categorical_column_with_vocabulary_list(key, vocabulary_list, dtype=None, default_value=-1, num_oov_buckets=0):
    if num_oov_buckets and default_value != -1:
        raise ValueError("Can't specify both num_oov_buckets and default_value.")
    return VocabularyListCategoricalColumn(key, tuple(vocabulary_list), dtype, default_value, int(num_oov_buckets))


def categorical_column_with_identity(key, num_buckets, default_value=None):
    return IdentityCategoricalColumn(key, int(num_buckets), default_value)


def categorical_column_with_hash_bucket(key, hash_bucket_size, dtype="string"):
    if hash_bucket_size < 1:
        raise ValueError(f"hash_bucket_size must be at least 1. hash_bucket_size: {hash_bucket_size}")
    return HashedCategoricalColumn(key, int(hash_bucket_size), dtype)


def indicator_column(categorical_column):
    return IndicatorColumn(categorical_column)


def embedding_column(
    categorical_column, dimension, combiner="mean", initializer=None, ckpt_to_load_from=None, tensor_name_in_ckpt=None,
    max_norm=None, trainable=True, use_safe_embedding_lookup=True,
):  # fmt: skip
    if combiner not in ("mean", "sum", "sqrtn"):
        raise ValueError(f"combiner must be 'mean', 'sum' or 'sqrtn'. Given: {combiner}")
    return EmbeddingColumn(categorical_column, int(dimension), combiner, initializer, bool(trainable))


class DenseFeatures(Layer):
    """A dict of features in, one float tensor (batch, total width) out: each dense feature
    column's values, concatenated in the columns' name order."""

    def __init__(self, feature_columns, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        columns = list(feature_columns) if isinstance(feature_columns, (list, tuple)) else [feature_columns]
        for column in columns:
            if not hasattr(column, "dense"):
                raise ValueError(
                    f"Items of feature_columns must be a dense column (numeric, bucketized, indicator or embedding); "
                    f"received {type(column).__name__}: wrap a categorical column in indicator_column() or "
                    "embedding_column()."
                )
        self._feature_columns = sorted(columns, key=lambda c: c.name)
        self._embedding_weights = {}

    def build(self, input_shape=None):
        for column in self._feature_columns:
            if isinstance(column, EmbeddingColumn) and column.name not in self._embedding_weights:
                self._embedding_weights[column.name] = column.make_weight(self)
        self.built = True

    def __call__(self, features, *args, **kwargs):
        # Raw features (strings included) go to `call` as they are: no conversion to tensors.
        if not isinstance(features, dict):
            raise ValueError(f"DenseFeatures takes a dict of features; received {type(features).__name__}.")
        if not self.built:
            self.build()
        kwargs.pop("training", None)
        return call_context.wrap_outermost_outputs(self.call(features, *args, **kwargs))

    def call(self, features, cols_to_output_tensors=None, training=None):
        device = state.get_device()
        outputs = [
            column.dense(features, self).to(device=device, dtype=torch.float32) for column in self._feature_columns
        ]
        result = torch.cat(outputs, dim=-1)
        if cols_to_output_tensors is not None:
            cols_to_output_tensors.update(zip(self._feature_columns, outputs))
        return result

    def compute_output_shape(self, input_shape):
        width = 0
        for column in self._feature_columns:
            if isinstance(column, NumericColumn):
                width += column.width
            elif isinstance(column, BucketizedColumn):
                width += column.num_buckets
            elif isinstance(column, IndicatorColumn):
                width += column.categorical_column.num_buckets
            else:
                width += column.dimension
        return (None, width)
