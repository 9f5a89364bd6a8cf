"""StringLookup and IntegerLookup: vocabulary lookups on strings and integers."""

from __future__ import annotations

import numpy as np
import torch

from keraslite.backend import state
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.preprocessing.index_lookup import IndexLookup
from keraslite.layers.preprocessing.strings import as_numpy_strings


class StringLookup(IndexLookup):
    """Maps strings to integer indices through a vocabulary (or back, with `invert`).

    torch has no string tensors: inputs are a str, a (nested) list of str or a NumPy
    str/bytes array; the output is a torch tensor of the same shape (int64 indices, or
    float32 encodings for the other output modes). With `invert=True` the input is an
    integer tensor/array and the output a NumPy array of str.

    Args:
        max_tokens: the largest vocabulary size (mask and OOV included).
        num_oov_indices: OOV buckets (default 1; several: hashed with FarmHash).
        mask_token: a token mapped to index 0 (None: no mask).
        oov_token: the token `invert` gives for OOV indices (default "[UNK]").
        vocabulary: a list / array of tokens, or a file path; else call `adapt`.
        idf_weights: for "tf_idf" with a given vocabulary.
        invert: map indices to tokens.
        output_mode: "int" (default), "one_hot", "multi_hot", "count" or "tf_idf".
        pad_to_max_tokens: encode to `max_tokens` columns.
        sparse: must be False.
        encoding: of bytes inputs.
        salt: the key for hashing OOV tokens with SipHash.
    """

    _is_string = True

    def __init__(
        self,
        max_tokens=None,
        num_oov_indices: int = 1,
        mask_token=None,
        oov_token: str = "[UNK]",
        vocabulary=None,
        idf_weights=None,
        invert: bool = False,
        output_mode: str = "int",
        pad_to_max_tokens: bool = False,
        sparse: bool = False,
        encoding: str = "utf-8",
        name=None,
        salt=None,
        **kwargs,
    ):
        self.encoding = encoding
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            pad_to_max_tokens=pad_to_max_tokens,
            sparse=sparse,
            name=name,
            salt=salt,
            **kwargs,
        )

    def _as_tokens(self, values) -> list:
        if isinstance(values, torch.Tensor):
            raise TypeError("StringLookup vocabularies are lists or NumPy arrays of str.")
        return as_numpy_strings(values, self.encoding).reshape(-1).tolist()

    def _as_token_array(self, data) -> np.ndarray:
        return as_numpy_strings(data, self.encoding)

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, KerasTensor):
            return super().__call__(inputs, *args, **kwargs)
        # Real strings are no tensors: compute directly (no build, no dtype conversion).
        return self.call(inputs)

    def compute_output_spec(self, inputs, *args, **kwargs):
        if self.invert:
            raise ValueError(
                f"StringLookup layer {self.name}: `invert=True` outputs strings, which a symbolic (functional) graph "
                "cannot carry."
            )
        return KerasTensor(self.compute_output_shape(inputs.shape), "int64" if self.output_mode == "int" else "float32")

    def call(self, inputs):
        if self.invert:
            array = inputs.detach().cpu().numpy() if isinstance(inputs, torch.Tensor) else np.asarray(inputs)
            tokens = self._invert_list(array.reshape(-1).tolist())
            return np.asarray(tokens, dtype=str).reshape(array.shape)
        array = as_numpy_strings(inputs, self.encoding)
        shape = array.shape
        if array.ndim == 0:
            array = array.reshape(1)
        indices = torch.from_numpy(self._lookup_list(array.reshape(-1).tolist()).reshape(array.shape))
        if len(shape) == 0 and self.output_mode == "int":
            indices = indices.reshape(())
        return self._encode(indices.to(state.get_device()))

    def get_config(self) -> dict:
        config = super().get_config()
        config["encoding"] = self.encoding
        return config


class IntegerLookup(IndexLookup):
    """Maps integers to contiguous indices through a vocabulary (or back, with `invert`).

    Works on integer torch tensors (on any device: the lookup is a sorted search, no
    host round trip), NumPy arrays or lists. Arguments as `StringLookup`, with
    `oov_token=-1` by default and `oov_method` "floormod" (OOV bucket = value mod
    `num_oov_indices`, default) or "farmhash".
    """

    _is_string = False

    def __init__(
        self,
        max_tokens=None,
        num_oov_indices: int = 1,
        mask_token=None,
        oov_token: int = -1,
        vocabulary=None,
        vocabulary_dtype: str = "int64",
        idf_weights=None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        oov_method: str = "floormod",
        salt=None,
        name=None,
        **kwargs,
    ):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(
                "If `max_tokens` is set for `IntegerLookup`, it must be greater than 1. Received: "
                f"max_tokens={max_tokens}"
            )
        if num_oov_indices < 0:
            raise ValueError(
                "The value of `num_oov_indices` argument for `IntegerLookup` must >= 0. Received: "
                f"num_oov_indices={num_oov_indices}"
            )
        if vocabulary_dtype != "int64":
            raise ValueError(
                "Only `vocabulary_dtype='int64'` is supported at this time. Received: "
                f"vocabulary_dtype={vocabulary_dtype}"
            )
        self.vocabulary_dtype = vocabulary_dtype
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            pad_to_max_tokens=pad_to_max_tokens,
            sparse=sparse,
            oov_method=oov_method,
            salt=salt,
            name=name,
            **kwargs,
        )

    def _as_tokens(self, values) -> list:
        return [int(v) for v in self._as_token_array(values).reshape(-1).tolist()]

    def _as_token_array(self, data) -> np.ndarray:
        if isinstance(data, torch.Tensor):
            data = data.detach().cpu().numpy()
        return np.asarray(data).astype("int64")

    def __call__(self, inputs, *args, **kwargs):
        if not isinstance(inputs, torch.Tensor) and not hasattr(inputs, "_keras_history"):
            inputs = torch.as_tensor(np.asarray(inputs).astype("int64"), device=state.get_device())
        return super().__call__(inputs, *args, **kwargs)

    def _table(self, device):
        """(sorted keys, their indices) on `device`, made once per vocabulary."""
        if self._device_table is None or self._device_table[0].device != device:
            keys = torch.as_tensor(
                self._tokens if not self.invert else list(range(len(self._tokens))), dtype=torch.int64
            )
            order = torch.argsort(keys)
            positions = order + self._token_start_index()
            self._device_table = (keys[order].to(device), positions.to(device))
        return self._device_table

    def call(self, inputs):
        inputs = inputs.long()
        if self.invert:
            tokens = torch.as_tensor(self._tokens, dtype=torch.int64, device=inputs.device)
            position = inputs - self._token_start_index()
            valid = (position >= 0) & (position < len(self._tokens))
            out = torch.full_like(inputs, int(self.oov_token))
            if len(self._tokens):
                out = torch.where(valid, tokens[position.clamp(0, len(self._tokens) - 1)], out)
            if self.mask_token is not None:
                out = torch.where(inputs == 0, torch.full_like(inputs, int(self.mask_token)), out)
            return out
        if self.oov_method == "farmhash" and self.num_oov_indices > 1:
            flat = inputs.detach().cpu().reshape(-1).tolist()
            indices = torch.from_numpy(self._lookup_list(flat)).reshape(inputs.shape).to(inputs.device)
            return self._encode(indices)
        if self._tokens:
            keys, positions = self._table(inputs.device)
            where = torch.searchsorted(keys, inputs.contiguous()).clamp(max=len(self._tokens) - 1)
            found = keys[where] == inputs
            indices = torch.where(found, positions[where], torch.full_like(inputs, -1))
        else:
            found = torch.zeros_like(inputs, dtype=torch.bool)
            indices = torch.full_like(inputs, -1)
        oov_start = self._oov_start_index()
        if self.num_oov_indices == 0:
            # A host sync to raise Keras's error; only in this configuration.
            missing = ~found if self.mask_token is None else ~found & (inputs != self.mask_token)
            if bool(missing.any()):
                raise ValueError(
                    "When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                    f"{inputs[missing].tolist()}, consider setting `num_oov_indices=1`."
                )
        else:
            indices = torch.where(found, indices, torch.remainder(inputs, self.num_oov_indices) + oov_start)
        if self.mask_token is not None:
            mask_value = 0 if self.output_mode == "int" else -1
            indices = torch.where(inputs == int(self.mask_token), torch.full_like(indices, mask_value), indices)
        return self._encode(indices)

    def _set_tokens(self, tokens: list) -> None:
        super()._set_tokens([int(t) for t in tokens])

    def compute_output_spec(self, *args, **kwargs):
        dtype = "int64" if self.output_mode == "int" else "float32"
        return KerasTensor(self.compute_output_shape(args[0].shape), dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config["vocabulary_dtype"] = self.vocabulary_dtype
        for key in ("oov_token", "mask_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config
