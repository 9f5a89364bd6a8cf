"""HashedCrossing: crosses categorical features by hashing each combination into bins."""

from __future__ import annotations

import numpy as np
import torch

from keraslite.backend import state
from keraslite.layers.base_layer import Layer
from keraslite.layers.preprocessing import hash_functions
from keraslite.layers.preprocessing.categorical import encode_categorical
from keraslite.layers.preprocessing.strings import as_numpy_strings, is_string_input

_MASK = (1 << 64) - 1
_CAT_MUL = 0xC6A4A7935BD1E995
# TensorFlow's `sparse.cross_hashed` starts every cross from this key.
_CROSS_KEY = 0xDECAFCAFFE


def _shift_mix(value: int) -> int:
    return value ^ (value >> 47)


def _fingerprint_cat(first: int, second: int) -> int:
    """TensorFlow's FingerprintCat64: combine two 64-bit fingerprints."""
    result = first ^ _CAT_MUL
    result ^= (_shift_mix((second * _CAT_MUL) & _MASK) * _CAT_MUL) & _MASK
    result = (result * _CAT_MUL) & _MASK
    result = (_shift_mix(result) * _CAT_MUL) & _MASK
    return _shift_mix(result)


class HashedCrossing(Layer):
    """Crosses two or more categorical features: each row's combination of values is
    hashed into one of `num_bins` bins, as Keras does (TensorFlow's `cross_hashed`:
    strings are fingerprinted with FarmHash Fingerprint64, integers used as they are, the
    fingerprints chained with FingerprintCat64, modulo `num_bins`).

    Args:
        num_bins: the number of hash bins.
        output_mode: "int" (bin indices, int64 by default) or "one_hot".
        sparse: must be False (no sparse tensors in keraslite).

    Call it on a tuple or list of at least two features of equal shape `()`,
    `(batch,)` or `(batch, 1)`: integer tensors/arrays, or NumPy arrays / lists of str.
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None, **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend. Received: sparse=True")
        if output_mode not in ("int", "one_hot"):
            raise ValueError(
                'The `output_mode` argument of HashedCrossing must be one of "int", "one_hot". '
                f"Received: output_mode={output_mode!r}"
            )
        if not isinstance(num_bins, int) or num_bins <= 0:
            raise ValueError(f"HashedCrossing: `num_bins` must be a positive integer. Received: num_bins={num_bins!r}")
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def __call__(self, inputs, *args, **kwargs):
        # String features are not tensors: run the lookup directly (as Hashing does).
        if isinstance(inputs, (list, tuple)) and any(is_string_input(x) for x in inputs):
            return self.call(inputs)
        return super().__call__(inputs, *args, **kwargs)

    @staticmethod
    def _feature_values(feature):
        """A feature -> (NumPy array, whether it holds strings)."""
        if isinstance(feature, torch.Tensor):
            feature = feature.detach().cpu().numpy()
        if is_string_input(feature):
            return as_numpy_strings(feature), True
        array = np.asarray(feature)
        if array.dtype.kind not in "iub":
            raise ValueError(
                f"HashedCrossing crosses integer or string features. Received a feature of dtype {array.dtype}."
            )
        return array.astype("int64"), False

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                f"`HashedCrossing` should be called on a list or tuple of inputs. Received: inputs={inputs!r}"
            )
        if len(inputs) < 2:
            raise ValueError(f"`HashedCrossing` should be called on at least two inputs. Received: inputs={inputs!r}")
        device = next((x.device for x in inputs if isinstance(x, torch.Tensor)), state.get_device())
        features = [self._feature_values(x) for x in inputs]
        shape = features[0][0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(
                "All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or `(batch_size, 1)`. "
                f"Received shapes: {[tuple(values.shape) for values, _ in features]}"
            )
        if any(values.shape != shape for values, _ in features[1:]):
            raise ValueError(
                "All `HashedCrossing` inputs should have equal shape. "
                f"Received shapes: {[tuple(values.shape) for values, _ in features]}"
            )
        columns = []
        for values, is_string in features:
            flat = values.reshape(-1).tolist()
            if is_string:
                columns.append([hash_functions.fingerprint64(v.encode("utf-8")) for v in flat])
            else:
                columns.append([int(v) & _MASK for v in flat])
        bins = []
        for row in zip(*columns):
            crossed = _CROSS_KEY
            for fingerprint in row:
                crossed = _fingerprint_cat(crossed, fingerprint)
            bins.append(crossed % self.num_bins)
        indices = torch.tensor(bins, dtype=torch.int64, device=device).reshape(shape)
        return encode_categorical(indices, self.output_mode, self.num_bins, self._compute_torch_dtype)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2:
            raise ValueError(
                f"Expected as input a list/tuple of at least 2 tensors. Received input_shape={input_shape}"
            )
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if first and first[-1] == 1:
            first = first[:-1]
        return first + (self.num_bins,)

    def get_config(self):
        return {
            "num_bins": self.num_bins,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }
