"""`keras.utils.FeatureSpace`: one object that turns a dict of raw structured-data columns
(numbers and strings) into the model-ready features: each column through its preprocessing
layer (normalization, rescaling, discretization, vocabulary lookup, hashing), optional hashed
feature crosses, categorical features one-hot encoded, and everything concatenated (or kept
as a dict).

It sits above `layers/` (it is built from preprocessing layers) and is re-exported by the
`keras.utils` face. String columns stay NumPy arrays of str until a lookup or hashing layer
turns them into indices (torch has no string tensors).
"""

from __future__ import annotations

import numpy as np
import torch

from keraslite import layers
from keraslite.backend import dtypes, state
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer
from keraslite.layers.preprocessing import hash_functions
from keraslite.layers.preprocessing.strings import as_numpy_strings
from keraslite.serialization import serialization_lib as serialization
from keraslite.utils.dataset import Dataset

# Where Keras keeps these two classes: the `module` of their serialized configs.
_FEATURE_MODULE = "keras.src.layers.preprocessing.feature_space"
_OUTPUT_MODES = ("concat", "dict")
_FEATURE_KINDS = (
    "float",
    "float_normalized",
    "float_rescaled",
    "float_discretized",
    "integer_categorical",
    "string_categorical",
    "integer_hashed",
    "string_hashed",
)


class Cross:
    """A crossing of features: their values hashed together into `crossing_dim` bins."""

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in ("int", "one_hot"):
            raise ValueError(f"Cross: `output_mode` must be 'int' or 'one_hot'. Received: output_mode={output_mode!r}")
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self) -> str:
        return "_X_".join(self.feature_names)

    def get_config(self) -> dict:
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim, "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Feature:
    """One input column: its input dtype, the layer that preprocesses it, and how its output
    is encoded (`"float"`, `"int"` or `"one_hot"`)."""

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in ("int", "one_hot", "float"):
            raise ValueError(
                f"Feature: `output_mode` must be 'int', 'one_hot' or 'float'. Received: output_mode={output_mode!r}"
            )
        self.dtype = dtype
        if isinstance(preprocessor, dict):
            preprocessor = serialization.deserialize_keras_object(preprocessor)
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self) -> dict:
        return {
            "dtype": self.dtype,
            "preprocessor": serialization.serialize_keras_object(self.preprocessor),
            "output_mode": self.output_mode,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _object_config(obj) -> dict:
    name = type(obj).__name__
    return {"module": _FEATURE_MODULE, "class_name": name, "config": obj.get_config(), "registered_name": name}


def _from_object_config(config: dict, cls):
    if config.get("class_name") != cls.__name__:
        raise ValueError(f"Expected a {cls.__name__} config. Received: {config!r:.200}")
    return cls.from_config(config["config"])


_FINGERPRINT_MUL = 0xC6A4A7935BD1E995
_CROSS_HASH_KEY = 0xDECAFCAFFE  # TensorFlow's default key of `sparse.cross_hashed`
_U64 = (1 << 64) - 1


def _fingerprint_cat64(first: int, second: int) -> int:
    """TensorFlow's FingerprintCat64: combine two 64-bit fingerprints."""

    def shift_mix(value):
        return value ^ (value >> 47)

    result = first ^ _FINGERPRINT_MUL
    result ^= (shift_mix((second * _FINGERPRINT_MUL) & _U64) * _FINGERPRINT_MUL) & _U64
    result = (result * _FINGERPRINT_MUL) & _U64
    result = (shift_mix(result) * _FINGERPRINT_MUL) & _U64
    return shift_mix(result)


class _HashedCross(Layer):
    """Hashes the tuple of its inputs' values, row by row, into `num_bins` bins (integer
    values enter as themselves, strings by their FarmHash fingerprint, chained with
    FingerprintCat64 as TensorFlow's `sparse.cross_hashed` does)."""

    def __init__(self, num_bins: int, **kwargs):
        super().__init__(**kwargs)
        self.num_bins = num_bins
        self.built = True

    @staticmethod
    def _column_hashes(value) -> np.ndarray:
        if isinstance(value, torch.Tensor):
            return value.detach().cpu().numpy().astype("int64").reshape(-1).astype("uint64").tolist()
        strings = as_numpy_strings(value).reshape(-1).tolist()
        return [hash_functions.fingerprint64(s.encode("utf-8")) for s in strings]

    def __call__(self, inputs, **kwargs):
        # String columns are NumPy arrays, which the base class would turn into float tensors.
        if any(isinstance(x, KerasTensor) for x in inputs):
            return super().__call__(inputs, **kwargs)
        return self.call(inputs)

    def call(self, inputs):
        device = next((x.device for x in inputs if isinstance(x, torch.Tensor)), torch.device("cpu"))
        shape = tuple(np.shape(inputs[0]))
        columns = [self._column_hashes(x) for x in inputs]
        out = []
        for row in zip(*columns):
            value = _CROSS_HASH_KEY
            for column_hash in row:
                value = _fingerprint_cat64(value, int(column_hash))
            out.append(value % self.num_bins)
        return torch.tensor(out, dtype=torch.int64, device=device).reshape(shape)

    def compute_output_spec(self, inputs):
        return KerasTensor(inputs[0].shape, "int64")

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins}


class FeatureSpace(Layer):
    """Preprocess a dict of structured-data columns into model features.

    Args:
        features: a dict mapping each input column name to a `Feature` (from the class
            methods `FeatureSpace.float_normalized()`, `integer_categorical(...)`, ...), to
            one of the names "float", "float_normalized", "float_rescaled",
            "float_discretized", "integer_categorical", "string_categorical",
            "integer_hashed", "string_hashed", or to a Feature config dict.
        output_mode: "concat" (one float tensor, the features in sorted name order, crosses
            last) or "dict" (one entry per feature and cross).
        crosses: `FeatureSpace.cross(...)` objects or tuples of feature names to cross.
        crossing_dim: the number of hash bins of a cross given as a tuple.
        hashing_dim: the number of bins of features given as "integer_hashed"/"string_hashed".
        num_discretization_bins: the bins of features given as "float_discretized".

    Example:

    ```python
    feature_space = FeatureSpace(
        features={"age": FeatureSpace.float_normalized(), "city": "string_categorical"},
        output_mode="concat",
    )
    feature_space.adapt(dataset_of_dicts)
    encoded = feature_space({"age": [31.0], "city": ["Paris"]})
    ```
    """

    # ------------------------------------------------------------ feature constructors
    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):
        name = name or state.unique_name("float")
        return Feature("float32", layers.Identity(dtype="float32", name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        name = name or state.unique_name("float_rescaled")
        preprocessor = layers.Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor")
        return Feature("float32", preprocessor, "float")

    @classmethod
    def float_normalized(cls, name=None):
        name = name or state.unique_name("float_normalized")
        return Feature("float32", layers.Normalization(axis=-1, name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot", name=None):
        name = name or state.unique_name("float_discretized")
        if bin_boundaries is not None:
            num_bins = None  # the boundaries fix the bins (one more than boundaries)
        preprocessor = layers.Discretization(
            num_bins=num_bins, bin_boundaries=bin_boundaries, name=f"{name}_preprocessor"
        )
        return Feature("float32", preprocessor, output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None):
        name = name or state.unique_name("integer_categorical")
        preprocessor = layers.IntegerLookup(
            name=f"{name}_preprocessor", max_tokens=max_tokens, num_oov_indices=num_oov_indices
        )
        return Feature("int32", preprocessor, output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None):
        name = name or state.unique_name("string_categorical")
        preprocessor = layers.StringLookup(
            name=f"{name}_preprocessor", max_tokens=max_tokens, num_oov_indices=num_oov_indices
        )
        return Feature("string", preprocessor, output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = name or state.unique_name("string_hashed")
        return Feature("string", layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = name or state.unique_name("integer_hashed")
        return Feature("int32", layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode)

    # ------------------------------------------------------------ construction
    def __init__(
        self,
        features,
        output_mode="concat",
        crosses=None,
        crossing_dim=32,
        hashing_dim=32,
        num_discretization_bins=32,
        name=None,
    ):
        super().__init__(name=name)
        if not features:
            raise ValueError("FeatureSpace: the `features` argument cannot be None or empty.")
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(
                "Invalid value for argument `output_mode`. Expected one of {'dict', 'concat'}. "
                f"Received: output_mode={output_mode}"
            )
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.output_mode = output_mode
        self.features = {name: self._standardize_feature(name, value) for name, value in features.items()}
        self.crosses = [self._standardize_cross(cross, set(features)) for cross in crosses or []]
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        self.inputs = {
            name: layers.Input(shape=(1,), dtype=feature.dtype, name=name) for name, feature in self.features.items()
        }
        self.preprocessors = {name: feature.preprocessor for name, feature in self.features.items()}
        self.crossers = {cross.name: _HashedCross(cross.crossing_dim, name=cross.name) for cross in self.crosses}
        # Registered as submodules so that `.to(device)` and weight listings see them.
        self._preprocessor_modules = torch.nn.ModuleList(self.preprocessors.values())
        self.one_hot_encoders: dict = {}
        self.encoded_features = None
        self.concat = None
        self._is_adapted = False
        self._sublayers_built = False

    def _standardize_feature(self, name, feature) -> Feature:
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return _from_object_config(feature, Feature)
        if feature == "float_discretized":
            return self.float_discretized(num_bins=self.num_discretization_bins, name=name)
        if feature in ("integer_hashed", "string_hashed"):
            return getattr(self, feature)(self.hashing_dim, name=name)
        if feature in _FEATURE_KINDS:
            return getattr(self, feature)(name=name)
        raise ValueError(
            f"Invalid feature type: {feature!r} (feature {name!r}). Expected a FeatureSpace.<kind>(...) object "
            f"or one of {list(_FEATURE_KINDS)}."
        )

    def _standardize_cross(self, cross, feature_names: set) -> Cross:
        if isinstance(cross, dict):
            cross = _from_object_config(cross, Cross)
        if isinstance(cross, Cross):
            return cross
        if not self.crossing_dim:
            raise ValueError(
                "When specifying `crosses`, the argument `crossing_dim` (dimensionality of the crossing space) "
                "should be specified as well."
            )
        unknown = [key for key in cross if key not in feature_names]
        if unknown:
            raise ValueError(
                "All features referenced in the `crosses` argument should be present in the `features` dict. "
                f"Received unknown features: {unknown} in cross {tuple(cross)}"
            )
        return Cross(cross, crossing_dim=self.crossing_dim)

    # ------------------------------------------------------------ adapt
    def _adaptable_names(self) -> list:
        names = []
        for name, preprocessor in self.preprocessors.items():
            if isinstance(preprocessor, layers.Normalization) and preprocessor.input_mean is not None:
                continue
            if isinstance(preprocessor, layers.Discretization) and preprocessor.num_bins is None:
                continue
            if isinstance(preprocessor, layers.TextVectorization) and preprocessor._has_input_vocabulary:
                continue
            if hasattr(preprocessor, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset):
        """Learn each adaptable preprocessor's state (means and variances, vocabularies, bin
        boundaries) from `dataset`: a `Dataset` (tf.data) of feature dicts, batched or not,
        or a dict of arrays/lists."""
        if isinstance(dataset, dict):
            dataset = Dataset.from_tensor_slices(dataset)
        if not isinstance(dataset, Dataset):
            raise ValueError(
                "`adapt()` can only be called on a tf.data.Dataset or a dict of arrays/lists. "
                f"Received instead: {dataset!r:.200} (of type {type(dataset)})"
            )
        names = self._adaptable_names()
        if names:
            columns = {name: [] for name in names}
            for element in dataset:
                if not isinstance(element, dict):
                    raise ValueError(
                        "FeatureSpace.adapt() expects a dataset of feature dicts (drop the labels with "
                        f"`dataset.map(lambda x, y: x)`). Received an element of type {type(element)}."
                    )
                for name in names:
                    columns[name].append(_to_numpy(element[name]))
            for name in names:
                parts = columns[name]
                data = np.stack(parts) if parts[0].ndim == 0 else np.concatenate(parts)
                if data.ndim == 1:
                    data = data[:, None]
                self.preprocessors[name].adapt(data)
        self._is_adapted = True
        self.get_encoded_features()
        self.built = True
        self._sublayers_built = True

    def _check_if_adapted(self):
        if not self._is_adapted:
            if self._adaptable_names():
                raise ValueError(
                    "You need to call `.adapt(dataset)` on the FeatureSpace before you can start using it."
                )
            self._is_adapted = True

    def _check_if_built(self):
        if not self._sublayers_built:
            self._check_if_adapted()
            self.get_encoded_features()
            self._sublayers_built = True

    # ------------------------------------------------------------ symbolic graph
    def get_inputs(self) -> dict:
        """The `keras.Input` of each feature (shape `(1,)`), for an end-to-end model."""
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self):
        """The encoded features as KerasTensors computed from `get_inputs()`."""
        self._check_if_adapted()
        if self.encoded_features is None:
            preprocessed = self._preprocess_features(self.inputs)
            crossed = self._cross_features(preprocessed)
            self.encoded_features = self._merge_features(preprocessed, crossed)
        return self.encoded_features

    def _preprocess_features(self, features: dict) -> dict:
        return {name: self.preprocessors[name](features[name]) for name in features}

    def _cross_features(self, features: dict) -> dict:
        return {
            cross.name: self.crossers[cross.name]([features[name] for name in cross.feature_names])
            for cross in self.crosses
        }

    def _cardinality(self, name: str, preprocessor) -> int:
        if isinstance(preprocessor, (layers.IntegerLookup, layers.StringLookup)):
            return preprocessor.vocabulary_size()
        if isinstance(preprocessor, layers.CategoryEncoding):
            return preprocessor.num_tokens
        if isinstance(preprocessor, layers.Discretization):
            if preprocessor.num_bins is None:
                return len(preprocessor.bin_boundaries) + 1
            return preprocessor.num_bins
        if isinstance(preprocessor, (_HashedCross, layers.Hashing)):
            return preprocessor.num_bins
        raise ValueError(
            f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a standard feature and the "
            "dimensionality of its output space is not known, thus it cannot be one-hot encoded. "
            "Try using `output_mode='int'`."
        )

    def _merge_features(self, preprocessed: dict, crossed: dict):
        names = sorted(preprocessed) + sorted(crossed)
        values = {**preprocessed, **crossed}
        specs = {**self.features, **self.crosses_by_name}
        outputs = {}
        for name in names:
            value = values[name]
            if not self._sublayers_built and specs[name].output_mode == "one_hot":
                dtype = dtypes.standardize_dtype(value.dtype)
                if not dtype.startswith(("int", "uint")):
                    raise ValueError(
                        f"Feature '{name}' has `output_mode='one_hot'`. Thus its preprocessor should return an "
                        f"integer dtype. Instead it returns a {dtype} dtype."
                    )
                preprocessor = self.preprocessors.get(name) or self.crossers.get(name)
                self.one_hot_encoders[name] = layers.CategoryEncoding(
                    num_tokens=self._cardinality(name, preprocessor), output_mode="multi_hot"
                )
            encoder = self.one_hot_encoders.get(name)
            outputs[name] = encoder(value) if encoder is not None else value
        if self.output_mode == "dict":
            return outputs
        for name in names:
            dtype = dtypes.standardize_dtype(outputs[name].dtype)
            if not dtypes.is_float_dtype(dtype):
                raise ValueError(
                    f"Cannot concatenate features because feature '{name}' has not been encoded "
                    f"(it has dtype {dtype}). Consider using `output_mode='dict'`."
                )
        if self.concat is None:
            self.concat = layers.Concatenate(axis=-1)
        return self.concat([outputs[name] for name in names])

    # ------------------------------------------------------------ eager call
    def _convert_input(self, name: str, value):
        feature = self.features.get(name)
        if feature is None:
            return value
        if feature.dtype == "string":
            return as_numpy_strings(value)
        array = _to_numpy(value)
        return torch.as_tensor(array.astype(feature.dtype if feature.dtype != "int32" else "int64"))

    def __call__(self, data):
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError(
                f"A FeatureSpace can only be called with a dict. Received: data={data!r:.200} (of type {type(data)})"
            )
        missing = [name for name in self.features if name not in data]
        if missing:
            raise ValueError(f"FeatureSpace: the data dict lacks the features {missing}. Received keys: {list(data)}")
        data = {name: self._convert_input(name, value) for name, value in data.items() if name in self.features}
        rebatched = False
        for name, value in data.items():
            if value.ndim == 0:
                data[name] = value.reshape(1, 1)
                rebatched = True
            elif value.ndim == 1:
                data[name] = value[:, None]
        preprocessed = self._preprocess_features(data)
        merged = self._merge_features(preprocessed, self._cross_features(preprocessed))
        if rebatched:
            if self.output_mode == "concat":
                return merged[0]
            return {name: x[0] if x.ndim == 2 and x.shape[0] == 1 else x for name, x in merged.items()}
        return merged

    def call(self, data):
        return self(data)

    # ------------------------------------------------------------ config and saving
    def get_config(self):
        return {
            "features": {name: _object_config(feature) for name, feature in self.features.items()},
            "output_mode": self.output_mode,
            "crosses": [_object_config(cross) for cross in self.crosses],
            "crossing_dim": self.crossing_dim,
            "hashing_dim": self.hashing_dim,
            "num_discretization_bins": self.num_discretization_bins,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_build_config(self):
        return {name: feature.preprocessor.get_build_config() for name, feature in self.features.items()}

    def build_from_config(self, config):
        for name, build_config in config.items():
            preprocessor = self.features[name].preprocessor
            if not preprocessor.built and build_config:
                preprocessor.build_from_config(build_config)
        self._is_adapted = True


def _to_numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        return np.asarray(value.numpy())
    return np.asarray(value)
