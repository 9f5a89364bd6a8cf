"""Categorical encodings: CategoryEncoding, Hashing, Discretization, and the shared
`encode_categorical` (int / one_hot / multi_hot / count / tf_idf outputs)."""

from __future__ import annotations

import numpy as np
import torch

from keraslite.backend import dtypes, state
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer
from keraslite.layers.preprocessing import hash_functions
from keraslite.layers.preprocessing.strings import as_numpy_strings, is_string_input


def encode_categorical(
    indices: torch.Tensor, output_mode: str, depth: int, dtype: torch.dtype, count_weights=None, idf_weights=None
) -> torch.Tensor:
    """Integer `indices` -> Keras's categorical encoding of depth `depth`.

    Negative (or >= depth) indices contribute nothing. `multi_hot`/`count`/`tf_idf`
    reduce over axis 1 as Keras's torch backend does (a rank-0 or rank-1 input is one
    sample; a rank-3 input (B, T, F) gives (B, F, depth)); `one_hot` adds a depth axis
    (replacing a trailing axis of size 1).
    """
    if output_mode == "int":
        return indices.to(dtype)
    indices = indices.long()
    if indices.ndim == 0:
        indices = indices.unsqueeze(-1)
    if output_mode == "one_hot" and indices.ndim > 1 and indices.shape[-1] == 1:
        indices = indices.squeeze(-1)
    valid = (indices >= 0) & (indices < depth)
    one_hot = torch.nn.functional.one_hot(torch.where(valid, indices, 0), depth)
    one_hot = one_hot * valid.unsqueeze(-1)
    if output_mode == "one_hot":
        return one_hot.to(dtype)
    reduce_axis = 1 if indices.ndim > 1 else 0
    if output_mode == "multi_hot":
        return one_hot.amax(dim=reduce_axis).to(dtype)
    if count_weights is not None:
        counts = (one_hot.to(count_weights.dtype) * count_weights.unsqueeze(-1)).sum(dim=reduce_axis)
        return counts
    counts = one_hot.sum(dim=reduce_axis).to(dtype)
    if output_mode == "tf_idf":
        counts = counts * idf_weights.to(device=counts.device, dtype=dtype)
    return counts


def category_output_shape(input_shape, output_mode, depth):
    """The shape `encode_categorical` gives for inputs of `input_shape`."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if len(input_shape) == 0:
        return (depth,)
    if output_mode == "one_hot":
        if input_shape[-1] == 1 and len(input_shape) > 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    if len(input_shape) == 1:
        return (depth,)
    # Reduced over axis 1 (Keras's torch runtime; its CategoryEncoding shape rule says
    # input_shape[:-1] + (depth,), which differs from its own output for rank >= 3).
    return (input_shape[0],) + input_shape[2:] + (depth,)


class CategoryEncoding(Layer):
    """Encodes integer features as one-hot, multi-hot or count vectors.

    Args:
        num_tokens: the number of categories; inputs must be in `[0, num_tokens)`.
        output_mode: "multi_hot" (default; "binary" is an alias), "one_hot" or "count".
        sparse: must be False (torch has no sparse outputs here, as Keras's torch backend).

    Call arguments: `inputs` (integer tensor), `count_weights` (same shape, with
    `output_mode="count"`: summed instead of 1s).
    """

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot", sparse: bool = False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number of tokens is not known "
                "beforehand, use the IntegerLookup layer instead."
            )
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError("Unsupported value `sparse=True` with torch backend")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs, count_weights=None):
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(
                    "`count_weights` is not used when `output_mode` is not `'count'`. "
                    f"Received `count_weights={count_weights}`."
                )
            count_weights = torch.as_tensor(count_weights, device=inputs.device).to(self._compute_torch_dtype)
        return encode_categorical(inputs, self.output_mode, self.num_tokens, self._compute_torch_dtype, count_weights)

    def compute_output_shape(self, input_shape):
        return category_output_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode})
        return config


class Hashing(Layer):
    """Hashes strings or integers into `num_bins` bins, as Keras (TensorFlow's
    `to_hash_bucket_fast`: FarmHash Fingerprint64 of the decimal string of an integer or
    of the UTF-8 string, modulo the bins; with `salt`, keyed SipHash-2-4).

    Args:
        num_bins: the number of bins (including the mask bin if `mask_value` is set).
        mask_value: a value hashed to bin 0 (the others go to 1..num_bins-1).
        salt: an int or a pair of ints: the key of the strong (SipHash) hash.
        output_mode: "int" (default), "one_hot", "multi_hot" or "count".
        sparse: must be False.

    Inputs: an integer/float tensor, or (strings) a NumPy array / nested list of str.
    Output: int64 bin indices (the layer's dtype), or float32 encodings.
    """

    def __init__(
        self, num_bins: int, mask_value=None, salt=None, output_mode: str = "int", sparse: bool = False, **kwargs
    ):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else None
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError(
                f"The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: num_bins={num_bins}."
            )
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError(
                "When `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or 'in64'. Received: "
                f"dtype={kwargs['dtype']}"
            )
        accepted = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in accepted:
            raise ValueError(
                f"Invalid value for argument `output_mode`. Expected one of {accepted}. Received: "
                f"output_mode={output_mode}"
            )
        if sparse and output_mode == "int":
            raise ValueError(
                '`sparse` may only be true if `output_mode` is `"one_hot"`, `"multi_hot"`, or `"count"`. '
                f"Received: sparse={sparse} and output_mode={output_mode}"
            )
        if sparse:
            raise ValueError("Unsupported value `sparse=True` with torch backend")
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = sparse
        self.salt = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                self.salt = list(salt)
            elif isinstance(salt, int):
                self.salt = [salt, salt]
            else:
                raise ValueError(
                    "The `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a single integer. "
                    f"Received: salt={salt}."
                )
        self._cache: dict[str, int] = {}

    def __call__(self, *args, **kwargs):
        if args and is_string_input(args[0]):
            return self.call(args[0])
        return super().__call__(*args, **kwargs)

    def _bin_of(self, text: str, bins: int) -> int:
        value = self._cache.get(text)
        if value is None:
            data = text.encode("utf-8")
            value = (
                hash_functions.siphash24(tuple(self.salt), data)
                if self.strong_hash
                else hash_functions.fingerprint64(data)
            )
            if len(self._cache) < 1_000_000:
                self._cache[text] = value
        return value % bins

    def call(self, inputs):
        if isinstance(inputs, torch.Tensor):
            device = inputs.device
            values = inputs.detach().cpu().numpy()
            if values.dtype.kind == "f":
                values = values.astype("int64")
        else:
            device = state.get_device()
            values = as_numpy_strings(inputs)
        if self.output_mode == "one_hot" and values.ndim > 0 and values.shape[-1] == 1:
            values = values[..., 0]
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = values == (str(self.mask_value) if values.dtype.kind == "U" else self.mask_value)
        flat = [self._bin_of(str(v), bins) for v in values.reshape(-1).tolist()]
        indices = np.asarray(flat, dtype="int64").reshape(values.shape)
        if mask is not None:
            indices = np.where(mask, 0, indices + 1)
        indices = torch.from_numpy(indices).to(device)
        return encode_categorical(indices, self.output_mode, self.num_bins, self._compute_torch_dtype)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "one_hot" and input_shape and input_shape[-1] == 1:
            input_shape = input_shape[:-1]
        return category_output_shape(input_shape, self.output_mode, self.num_bins)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "num_bins": self.num_bins,
                "salt": self.salt,
                "mask_value": self.mask_value,
                "output_mode": self.output_mode,
                "sparse": self.sparse,
            }
        )
        return config


class Discretization(Layer):
    """Buckets continuous features by ranges: bucket i holds `bins[i-1] <= x < bins[i]`.

    Args:
        bin_boundaries: sorted list of boundaries (n boundaries -> n + 1 buckets).
        num_bins: the number of buckets, with boundaries learned by `adapt` (approximate
            quantiles, Keras's summary algorithm, so the same data gives the same bins).
        epsilon: the quantile approximation error for `adapt`.
        output_mode: "int" (default, int32 indices), "one_hot", "multi_hot" or "count".
        sparse: must be False.
    """

    def __init__(
        self,
        bin_boundaries=None,
        num_bins: int | None = None,
        epsilon: float = 0.01,
        output_mode: str = "int",
        sparse: bool = False,
        dtype=None,
        name: str | None = None,
    ):
        super().__init__(name=name, dtype=dtype)
        if sparse:
            raise ValueError("`sparse=True` cannot be used with backend torch")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError(
                f"The `output_mode` argument value of the Discretization layer must be one of "
                f"'int', 'one_hot', 'multi_hot', 'count'. Received: output_mode={output_mode}"
            )
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                "Both `num_bins` and `bin_boundaries` should not be set. "
                f"Received: `num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`"
            )
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = None if bin_boundaries else np.array([[], []], dtype="float32")
        self._boundaries_tensor = None

    @property
    def output_dtype(self) -> str:
        return self.compute_dtype if self.output_mode != "int" else "int32"

    def adapt(self, data, steps: int | None = None) -> None:
        """Learn `num_bins - 1` quantile boundaries from `data` (an array, a tensor, or an
        iterable of batches)."""
        if self.num_bins is None:
            raise ValueError(
                "Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, "
                "use `num_bins` instead."
            )
        self.summary = np.array([[], []], dtype="float32")
        if isinstance(data, (np.ndarray, torch.Tensor)) or not hasattr(data, "__iter__"):
            self.update_state(data)
        elif (
            isinstance(data, list) and data and not hasattr(data[0], "shape") and not isinstance(data[0], (list, tuple))
        ):
            self.update_state(data)
        else:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        if isinstance(data, torch.Tensor):
            data = data.detach().cpu().numpy()
        summary = _summarize(np.array(data).astype("float32"), self.epsilon)
        self.summary = _merge_summaries(summary, self.summary, self.epsilon)

    def finalize_state(self) -> None:
        if self.num_bins is None:
            return
        self.bin_boundaries = _compress_summary(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()
        self._boundaries_tensor = None

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(
                "You need to either pass the `bin_boundaries` argument at construction time or call "
                "`adapt(dataset)` before you can start using the `Discretization` layer."
            )
        boundaries = self._boundaries_tensor
        if boundaries is None or boundaries.device != inputs.device:
            boundaries = torch.as_tensor(self.bin_boundaries, dtype=torch.float32, device=inputs.device)
            self._boundaries_tensor = boundaries
        values = inputs if inputs.is_floating_point() else inputs.to(torch.float32)
        # np.digitize(x, bins) (left-closed buckets) is torch.bucketize(..., right=True).
        indices = torch.bucketize(values.contiguous(), boundaries.to(values.dtype), right=True).to(torch.int32)
        return encode_categorical(
            indices, self.output_mode, len(self.bin_boundaries) + 1, dtypes.to_torch_dtype(self.output_dtype)
        )

    def compute_output_spec(self, *args, **kwargs):
        return KerasTensor(self.compute_output_shape(args[0].shape), self.output_dtype)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        return category_output_shape(input_shape, self.output_mode, depth)

    def get_config(self) -> dict:
        return {
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }

    @classmethod
    def from_config(cls, config: dict):
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            config = dict(config)
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)


# Keras's quantile sketch: a summary is a (2, k) array of sorted values and their weights;
# summaries merge by sorting and compress by interpolating the cumulative weights.
def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    values = np.sort(values.reshape(-1))
    step = max(values.size / (1.0 / epsilon), 1)
    picked = values[int(step - 1) :: int(step)]
    return np.stack([picked, np.full_like(picked, step)])


def _merge_summaries(first: np.ndarray, second: np.ndarray, epsilon: float) -> np.ndarray:
    merged = np.concatenate((first, second), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return _compress_summary(merged, epsilon)


def _compress_summary(summary: np.ndarray, epsilon: float) -> np.ndarray:
    if summary.shape[1] * epsilon < 1:
        return summary
    targets = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    fractions = cumulative / cumulative[-1]
    new_values = np.interp(targets, fractions, summary[0])
    new_cumulative = np.interp(targets, fractions, cumulative)
    new_weights = new_cumulative - np.concatenate(([0.0], new_cumulative[:-1]))
    return np.stack((new_values, new_weights)).astype("float32")
